/**
 * On-chain withdrawals on a real anvil node (both databases). With the workers running: ETH and
 * USDT withdrawals are signed, stored, broadcast and settled at the coins' 2 confirmations
 * (status 5, real txid and gas, journal, notifications 1 → 5), the hot wallet losing exactly
 * the payouts and their gas.
 * With the workers off and the test running each tick (deterministic): a dry hot wallet leaves
 * withdrawals waiting with an operator alert until it is refilled; a stuck transaction is
 * re-sent, then replaced at the same nonce with higher fees, and the withdrawal follows the
 * replacement — or the original, when that is the one mined; a token transfer that reverts
 * and a transaction whose nonce someone else used fail the withdrawal with the funds returned;
 * a cancel racing the broadcaster and two broadcasters racing each other never pay twice nor
 * reuse a nonce. The ledger audit and the chain audit (ledger against on-chain balances) are
 * clean after every test; where a test takes funds from a wallet outside the service, the
 * chain audit reports exactly that shortfall until the funds are put back.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { WithdrawStatus } from '@openwaas/sdk';
import { parseEther, parseUnits } from 'viem';
import { chainAccount, termsOf, treasuryAccount } from '../src/modules/chain-sends/index.js';
import { payWaitingWithdrawals, hotWalletLowKey } from '../src/modules/withdrawals/index.js';
import { feeAccount, userAccount } from '../src/modules/ledger/index.js';
import { readBalance } from '../src/modules/ledger/index.js';
import { cancelWithdrawal, WithdrawalStateError } from '../src/modules/withdrawals/index.js';
import { startChainWorld, type ChainWorld } from './support/chain-world.js';
import {
  dropFromPool,
  freshRecipient,
  manualTicks,
  notifiedWithdrawStatuses,
  outboxWithdrawStatuses,
  sendAs,
  sendRaw,
  setAutomine,
  setTokenBalance,
  txsOf,
  withdraw,
  withdrawalRow,
} from './support/chain-sends.js';
import { assertAuditsClean, chainAuditDifferences } from './support/audits.js';
import { eachDatabase } from './support/service.js';


eachDatabase('on-chain withdrawals', (kind) => {
  describe('with the workers running', () => {
    let world: ChainWorld;
    before(async () => {
      world = await startChainWorld({ kind });
    });
    after(() => world?.close());
    afterEach(() => assertAuditsClean(world));

    it('pays an ETH and a USDT withdrawal on chain: status 5 at 2 confirmations, real txid and gas, journal, notifications 1 → 5', async () => {
      const { t } = world;
      const db = t.ctx.store.db;
      const merchantId = Number(t.merchant.id);
      const eth = Number(t.coins.ETH.id);
      const usdt = Number(t.coins.USDT.id);
      const uid = await world.newUser();
      await t.credit({ symbol: 'ETH', amount: '3', uid });
      await t.credit({ symbol: 'USDT', amount: '500', uid });
      // The wallets' funding is a treasury receipt once the scanner has read it.
      await world.until('the scanner at the head', async () => {
        const cursor = await db.selectFrom('chain_cursors').select('scanned_height').where('chain', '=', world.chain.id).executeTakeFirst();
        return cursor !== undefined && Number(cursor.scanned_height) >= (await world.chain.reader.headNumber());
      });
      const treasuryBefore = (await readBalance(db, treasuryAccount(eth))).normal;
      const hotEthBefore = await world.chain.reader.balance(world.chain.hotAddress, '');
      const hotUsdtBefore = await world.chain.reader.balance(world.chain.hotAddress, world.usdt.toLowerCase());
      const toEth = freshRecipient();
      const toUsdt = freshRecipient();

      const ethId = await withdraw(world, { uid, symbol: 'ETH', amount: '1.5', to: toEth });
      const usdtId = await withdraw(world, { uid, symbol: 'USDT', amount: '120', to: toUsdt });
      const [ethPaid, usdtPaid] = await world.until('both withdrawals at status 5', async () => {
        await world.mine(1);
        const rows = await Promise.all([withdrawalRow(world, ethId), withdrawalRow(world, usdtId)]);
        return rows.every((w) => w.status === WithdrawStatus.Succeeded) && rows;
      });

      // ETH: 1.5 requested, fee 0.001 ETH kept, 1.499 sent.
      const ethReceipt = await world.client.getTransactionReceipt({ hash: ethPaid!.txid as `0x${string}` });
      assert.equal(ethReceipt.status, 'success');
      assert.equal(ethReceipt.from.toLowerCase(), world.chain.hotAddress);
      assert.equal(await world.client.getBalance({ address: toEth as `0x${string}` }), parseEther('1.499'));
      assert.equal(ethPaid!.real_fee, (ethReceipt.gasUsed * ethReceipt.effectiveGasPrice).toString());
      assert.equal(ethPaid!.address_from, world.chain.hotAddress);
      assert.ok(ethPaid!.confirmations >= 2, 'confirmations recorded');
      // USDT: 120 requested, fee 1 USDT kept, 119 sent; gas in ETH.
      const usdtReceipt = await world.client.getTransactionReceipt({ hash: usdtPaid!.txid as `0x${string}` });
      assert.equal(usdtReceipt.status, 'success');
      const erc20 = [{ type: 'function', name: 'balanceOf', stateMutability: 'view', inputs: [{ name: 'a', type: 'address' }], outputs: [{ type: 'uint256' }] }] as const;
      assert.equal(await world.client.readContract({ address: world.usdt, abi: erc20, functionName: 'balanceOf', args: [toUsdt as `0x${string}`] }), parseUnits('119', 6));
      assert.equal(usdtPaid!.real_fee, (usdtReceipt.gasUsed * usdtReceipt.effectiveGasPrice).toString());
      assert.equal(usdtPaid!.fee_symbol, 'ETH');

      // One transaction each, confirmed, with the hash the withdrawal names.
      for (const w of [ethPaid!, usdtPaid!]) {
        const txs = await txsOf(world, 'withdrawal', Number(w.id));
        assert.equal(txs.length, 1);
        assert.equal(txs[0]!.state, 'confirmed');
        assert.equal(txs[0]!.hash, w.txid);
        assert.equal(txs[0]!.fee, w.real_fee);
      }

      // Ledger: locks gone, fees to the merchant, gas from the treasury.
      const user = (coin: number) => readBalance(db, userAccount(merchantId, uid, coin));
      assert.deepEqual(await user(eth), { normal: parseEther('1.5'), lock: 0n });
      assert.deepEqual(await user(usdt), { normal: parseUnits('380', 6), lock: 0n });
      assert.equal((await readBalance(db, feeAccount(merchantId, eth))).normal, parseEther('0.001'));
      assert.equal((await readBalance(db, feeAccount(merchantId, usdt))).normal, parseUnits('1', 6));
      const gas = BigInt(ethPaid!.real_fee) + BigInt(usdtPaid!.real_fee);
      assert.equal(treasuryBefore - (await readBalance(db, treasuryAccount(eth))).normal, gas);

      const statuses = await world.until('both settlements notified', () => {
        const s = [notifiedWithdrawStatuses(world.notifications, ethId), notifiedWithdrawStatuses(world.notifications, usdtId)];
        return s.every((x) => x.length >= 2) && s;
      });
      assert.deepEqual(statuses, [
        ['1', '5'],
        ['1', '5'],
      ]);
      const listed = (await t.client.syncWithdrawList({ max_id: 0 })).find((r) => r.id === ethId);
      assert.equal(listed?.status, 5);
      assert.equal(listed?.txid, ethPaid!.txid);

      // What left the hot wallet: the payouts and the gas, nothing else.
      assert.equal(hotEthBefore - (await world.chain.reader.balance(world.chain.hotAddress, '')), parseEther('1.499') + gas);
      assert.equal(hotUsdtBefore - (await world.chain.reader.balance(world.chain.hotAddress, world.usdt.toLowerCase())), parseUnits('119', 6));
      assert.ok((await readBalance(db, chainAccount(eth))).normal < 0n, 'the chain mirror stays negative');
    });
  });

  describe('with the test running the ticks', () => {
    let world: ChainWorld;
    let ticks: ReturnType<typeof manualTicks>;
    // Every pending transaction counts as stuck at the next tick, and a forgotten one whose nonce was used is dropped at once.
    before(async () => {
      world = await startChainWorld({ kind, config: { workers: false, operatorApi: true }, chain: { stuckAfterMs: 1, dropAfterMs: 1 } });
      ticks = manualTicks(world);
    });
    after(() => world?.close());
    afterEach(async () => {
      await setAutomine(world, true);
      await assertAuditsClean(world, { settle: catchUp });
    });

    /** Lets the scanner and the broadcaster catch up. */
    const catchUp = async () => {
      await ticks.scan();
      await ticks.broadcast();
    };
    /** Mines `blocks`, then catches up. */
    const mineAndTick = async (blocks = 2) => {
      await world.mine(blocks);
      await catchUp();
    };
    /**
     * Asserts that the chain audit sees exactly `taken` missing from our addresses (funds that
     * left the hot wallet outside the service), then puts them back into the hot wallet.
     */
    const expectShortfallThenRefund = async (taken: { ETH: bigint; USDT: bigint }) => {
      assert.deepEqual(await chainAuditDifferences(world, { settle: catchUp }), { ETH: -taken.ETH, USDT: -taken.USDT }, 'the chain audit finds what left outside the service');
      const hot = world.chain.hotAddress as `0x${string}`;
      const eth = await world.client.getBalance({ address: hot });
      await world.client.request({ method: 'anvil_setBalance', params: [hot, `0x${(eth + taken.ETH).toString(16)}`] } as never);
      await setTokenBalance(world, hot, (await world.chain.reader.balance(hot, world.usdt.toLowerCase())) + taken.USDT);
      await world.mine(1);
    };
    const openAlert = (key: string) =>
      world.t.ctx.store.db.selectFrom('operator_alerts').selectAll().where('key', '=', key).orderBy('id', 'desc').executeTakeFirst();

    it('a dry hot wallet leaves the withdrawal waiting with an operator alert; a refill pays it and resolves the alert', async () => {
      const { t } = world;
      const uid = await world.newUser();
      await t.credit({ symbol: 'ETH', amount: '10', uid });
      await t.credit({ symbol: 'USDT', amount: '1000', uid });
      // Drained outside the service (the ledger's treasury does not know: only the chain audit would).
      const drained = { ETH: await world.client.getBalance({ address: world.chain.hotAddress as `0x${string}` }), USDT: await world.chain.reader.balance(world.chain.hotAddress, world.usdt.toLowerCase()) };
      await world.client.request({ method: 'anvil_setBalance', params: [world.chain.hotAddress, '0x0'] } as never);
      await setTokenBalance(world, world.chain.hotAddress, 0n);
      const id = await withdraw(world, { uid, symbol: 'ETH', amount: '1', to: freshRecipient() });
      await ticks.scan();
      await ticks.broadcast();
      let w = await withdrawalRow(world, id);
      assert.equal(w.status, WithdrawStatus.Paying);
      assert.equal(w.txid, '', 'not claimed: still cancellable');
      assert.deepEqual(await txsOf(world, 'withdrawal', id), []);
      const ethKey = hotWalletLowKey(world.chain.id, 'ETH');
      const alert = await openAlert(ethKey);
      assert.equal(alert?.kind, 'hot-wallet-low');
      assert.equal(alert?.resolved_at, null);
      assert.match(alert!.message, /needs 0\.999 ETH, has 0 ETH/);
      // Operators see it.
      const res = await fetch(`${t.operatorUrl}/alerts`, { headers: { authorization: `Bearer ${t.operatorToken}` } });
      const body = (await res.json()) as { alerts: Array<{ key: string }> };
      assert.ok(body.alerts.some((a) => a.key === ethKey), 'the alert is listed by the operator API');

      await world.sendEth(world.chain.hotAddress, '30');
      await ticks.scan();
      await ticks.broadcast();
      w = await withdrawalRow(world, id);
      assert.notEqual(w.txid, '', 'claimed and sent once the wallet holds enough');
      assert.notEqual((await openAlert(ethKey))?.resolved_at, null, 'alert resolved');
      await mineAndTick();
      assert.equal((await withdrawalRow(world, id)).status, WithdrawStatus.Succeeded);

      // A token withdrawal with gas but no tokens waits the same way, under its own key.
      const usdtId = await withdraw(world, { uid, symbol: 'USDT', amount: '100', to: freshRecipient() });
      await ticks.broadcast();
      const usdtKey = hotWalletLowKey(world.chain.id, 'USDT');
      assert.match((await openAlert(usdtKey))!.message, /needs 99 USDT, has 0 USDT/);
      assert.equal((await withdrawalRow(world, usdtId)).txid, '');
      await world.sendUsdt(world.chain.hotAddress, parseUnits('10000', 6));
      await ticks.scan();
      await ticks.broadcast();
      await mineAndTick();
      assert.equal((await withdrawalRow(world, usdtId)).status, WithdrawStatus.Succeeded);
      assert.notEqual((await openAlert(usdtKey))?.resolved_at, null);
      assert.deepEqual(await outboxWithdrawStatuses(world, usdtId), ['1', '5']);
      await expectShortfallThenRefund(drained);
    });

    it('re-sends a stuck transaction, then replaces it at the same nonce with higher fees; the withdrawal follows the replacement', async () => {
      const uid = await world.newUser();
      await world.t.credit({ symbol: 'ETH', amount: '2', uid });
      const to = freshRecipient();
      await setAutomine(world, false);
      const id = await withdraw(world, { uid, symbol: 'ETH', amount: '1', to });
      await ticks.broadcast(); // signed and sent: waits in the pool
      let [first] = await txsOf(world, 'withdrawal', id);
      assert.equal(first!.state, 'broadcast');
      assert.equal(first!.broadcasts, 1);
      await ticks.broadcast(); // stuck: the same bytes again
      [first] = await txsOf(world, 'withdrawal', id);
      assert.equal(first!.broadcasts, 2);
      await ticks.broadcast(); // still stuck: replaced
      const [original, replacement] = await txsOf(world, 'withdrawal', id);
      assert.ok(replacement, 'a replacement was stored');
      assert.equal(replacement.sequence, original!.sequence, 'same nonce');
      assert.equal(replacement.replaces_id, Number(original!.id));
      assert.ok(BigInt(termsOf(replacement.terms).max_fee_per_gas!) * 100n >= BigInt(termsOf(original!.terms).max_fee_per_gas!) * 110n, 'max fee +10% at least');
      assert.ok(BigInt(termsOf(replacement.terms).max_priority_fee_per_gas!) * 100n >= BigInt(termsOf(original!.terms).max_priority_fee_per_gas!) * 110n, 'tip +10% at least');
      assert.equal(replacement.state, 'broadcast');

      await mineAndTick();
      const paid = await withdrawalRow(world, id);
      assert.equal(paid.status, WithdrawStatus.Succeeded);
      assert.equal(paid.txid, replacement.hash, 'txid follows the mined transaction');
      const receipt = await world.client.getTransactionReceipt({ hash: replacement.hash as `0x${string}` });
      assert.equal(receipt.status, 'success');
      assert.equal(paid.real_fee, (receipt.gasUsed * receipt.effectiveGasPrice).toString());
      assert.equal(await world.client.getBalance({ address: to as `0x${string}` }), parseEther('0.999'), 'paid once');
      const states = (await txsOf(world, 'withdrawal', id)).map((r) => r.state);
      assert.deepEqual(states, ['replaced', 'confirmed']);
    });

    it('keeps the original when it is mined instead of its replacement', async () => {
      const uid = await world.newUser();
      await world.t.credit({ symbol: 'ETH', amount: '2', uid });
      const to = freshRecipient();
      await setAutomine(world, false);
      const id = await withdraw(world, { uid, symbol: 'ETH', amount: '1', to });
      await ticks.broadcast();
      await ticks.broadcast();
      await ticks.broadcast();
      const [original, replacement] = await txsOf(world, 'withdrawal', id);
      assert.ok(original && replacement, 'original and replacement stored');
      // The pool loses the replacement and hears the original again (another node had kept it).
      await dropFromPool(world, replacement.hash);
      await sendRaw(world, original.raw);
      await mineAndTick();
      const paid = await withdrawalRow(world, id);
      assert.equal(paid.status, WithdrawStatus.Succeeded);
      assert.equal(paid.txid, original.hash);
      assert.equal((await world.client.getTransactionReceipt({ hash: original.hash as `0x${string}` })).status, 'success');
      assert.deepEqual(
        (await txsOf(world, 'withdrawal', id)).map((r) => r.state),
        ['confirmed', 'replaced'],
      );
      assert.equal(await world.client.getBalance({ address: to as `0x${string}` }), parseEther('0.999'), 'paid once');
    });

    it('fails a token withdrawal whose transfer reverts: status 4, funds back to the user, gas paid by the treasury', async () => {
      const { t } = world;
      const db = t.ctx.store.db;
      const merchantId = Number(t.merchant.id);
      const eth = Number(t.coins.ETH.id);
      const usdt = Number(t.coins.USDT.id);
      const uid = await world.newUser();
      await t.credit({ symbol: 'USDT', amount: '300', uid });
      const hotUsdt = await world.chain.reader.balance(world.chain.hotAddress, world.usdt.toLowerCase());
      await setAutomine(world, false);
      const id = await withdraw(world, { uid, symbol: 'USDT', amount: '200', to: freshRecipient() });
      await ticks.broadcast();
      const [sent] = await txsOf(world, 'withdrawal', id);
      assert.equal(sent!.state, 'broadcast');
      const treasuryBefore = (await readBalance(db, treasuryAccount(eth))).normal;
      const feesBefore = (await readBalance(db, feeAccount(merchantId, usdt))).normal;
      // The hot wallet's tokens leave it outside the service before the transfer is mined.
      await setTokenBalance(world, world.chain.hotAddress, 0n);
      await mineAndTick();

      const failed = await withdrawalRow(world, id);
      assert.equal(failed.status, WithdrawStatus.Failed);
      assert.equal(failed.txid, sent!.hash);
      const receipt = await world.client.getTransactionReceipt({ hash: sent!.hash as `0x${string}` });
      assert.equal(receipt.status, 'reverted');
      const gas = receipt.gasUsed * receipt.effectiveGasPrice;
      assert.equal(failed.real_fee, gas.toString());
      assert.deepEqual(await readBalance(db, userAccount(merchantId, uid, usdt)), { normal: parseUnits('300', 6), lock: 0n }, 'funds back');
      assert.equal((await readBalance(db, feeAccount(merchantId, usdt))).normal, feesBefore, 'no fee kept');
      assert.equal(treasuryBefore - (await readBalance(db, treasuryAccount(eth))).normal, gas, 'gas from the treasury');
      assert.equal((await txsOf(world, 'withdrawal', id))[0]!.state, 'reverted');
      assert.deepEqual(await outboxWithdrawStatuses(world, id), ['1', '4']);
      await setTokenBalance(world, world.chain.hotAddress, hotUsdt);
    });

    it('fails a withdrawal whose nonce another transaction used (dropped): status 4, funds back, no gas', async () => {
      const { t } = world;
      const db = t.ctx.store.db;
      const merchantId = Number(t.merchant.id);
      const eth = Number(t.coins.ETH.id);
      const uid = await world.newUser();
      await t.credit({ symbol: 'ETH', amount: '2', uid });
      const to = freshRecipient();
      await setAutomine(world, false);
      const id = await withdraw(world, { uid, symbol: 'ETH', amount: '1', to });
      await ticks.broadcast();
      const [sent] = await txsOf(world, 'withdrawal', id);
      // The node evicts it; someone holding the hot key spends the nonce, paying far more.
      await dropFromPool(world, sent!.hash);
      const fee = BigInt(termsOf(sent!.terms).max_fee_per_gas!) * 10n;
      const intruder = await sendAs(world, world.chain.hotAddress, { to: freshRecipient(), value: 1n, nonce: Number(sent!.sequence), maxFeePerGas: fee, maxPriorityFeePerGas: fee });
      await mineAndTick();
      const intruderReceipt = await world.client.getTransactionReceipt({ hash: intruder as `0x${string}` });

      const failed = await withdrawalRow(world, id);
      assert.equal(failed.status, WithdrawStatus.Failed);
      assert.equal(failed.real_fee, '0');
      assert.deepEqual(await readBalance(db, userAccount(merchantId, uid, eth)), { normal: parseEther('2'), lock: 0n });
      assert.deepEqual(
        (await txsOf(world, 'withdrawal', id)).map((r) => r.state).every((s) => s === 'dropped'),
        true,
      );
      assert.equal(await world.client.getBalance({ address: to as `0x${string}` }), 0n, 'nothing paid');
      assert.deepEqual(await outboxWithdrawStatuses(world, id), ['1', '4']);

      // The next withdrawal gets a nonce nobody used.
      const next = await withdraw(world, { uid, symbol: 'ETH', amount: '0.5', to });
      await setAutomine(world, true);
      await ticks.broadcast();
      await mineAndTick();
      const paid = await withdrawalRow(world, next);
      assert.equal(paid.status, WithdrawStatus.Succeeded);
      assert.equal((await txsOf(world, 'withdrawal', next))[0]!.sequence, Number(sent!.sequence) + 1);
      await expectShortfallThenRefund({ ETH: 1n + intruderReceipt.gasUsed * intruderReceipt.effectiveGasPrice, USDT: 0n });
    });

    it('a cancel racing the broadcaster: either cancelled with nothing signed, or paid and the cancel refused', async () => {
      const uid = await world.newUser();
      await world.t.credit({ symbol: 'ETH', amount: '5', uid });
      for (let i = 0; i < 4; i++) {
        const id = await withdraw(world, { uid, symbol: 'ETH', amount: '0.5', to: freshRecipient() });
        const [cancel] = await Promise.allSettled([cancelWithdrawal(world.t.ctx, { withdrawalId: id }), ticks.broadcast()]);
        const w = await withdrawalRow(world, id);
        const txs = await txsOf(world, 'withdrawal', id);
        if (cancel.status === 'fulfilled') {
          assert.equal(w.status, WithdrawStatus.Cancelled);
          assert.deepEqual(txs, [], 'a cancelled withdrawal has no transaction');
        } else {
          assert.ok(cancel.reason instanceof WithdrawalStateError, String(cancel.reason));
          assert.equal(txs.length, 1);
          assert.equal(w.txid, txs[0]!.hash);
        }
      }
      await mineAndTick();
    });

    it('two broadcasters racing: each withdrawal signed once, nonces never shared', async () => {
      const uid = await world.newUser();
      await world.t.credit({ symbol: 'ETH', amount: '5', uid });
      const ids: number[] = [];
      for (let i = 0; i < 4; i++) ids.push(await withdraw(world, { uid, symbol: 'ETH', amount: '0.2', to: freshRecipient() }));
      await Promise.all([payWaitingWithdrawals(world.t.ctx, world.chain), payWaitingWithdrawals(world.t.ctx, world.chain)]);
      const nonces: number[] = [];
      for (const id of ids) {
        const txs = await txsOf(world, 'withdrawal', id);
        assert.equal(txs.length, 1, `withdrawal ${id} signed once`);
        assert.equal((await withdrawalRow(world, id)).txid, txs[0]!.hash);
        nonces.push(Number(txs[0]!.sequence));
      }
      assert.equal(new Set(nonces).size, ids.length, 'distinct nonces');
      const all = await world.t.ctx.store.db.selectFrom('chain_txs').select(['sequence', 'replaces_id']).where('from_address', '=', world.chain.hotAddress).execute();
      const firstAttempts = all.filter((r) => r.replaces_id === null).map((r) => Number(r.sequence));
      assert.equal(new Set(firstAttempts).size, firstAttempts.length, 'no nonce given to two payments');
      await mineAndTick();
      for (const id of ids) assert.equal((await withdrawalRow(world, id)).status, WithdrawStatus.Succeeded);
    });
  });
});
