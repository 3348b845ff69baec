/**
 * Several chains at once (both databases): one service follows two real anvil nodes with
 * different chain ids, each with its own native coin and its own deployment of the demo USDT
 * — at the same contract address on both, as happens with real bridged tokens. A user has one
 * address for both chains; deposits on each chain are credited to that chain's coin only;
 * withdrawals are paid from each chain's hot wallet with that chain's nonces; deposits are
 * swept on each chain (token sweeps after a gas top-up on that chain); a deposit sent on the
 * wrong chain is credited once the user's address is issued there and the blocks rescanned;
 * operators see both chains; the ledger and chain audits are clean on both.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { DepositStatus, WithdrawStatus } from '@openwaas/sdk';
import { erc20Abi, getAddress, parseEther, parseUnits, type Hex } from 'viem';
import { startAnvil, type AnvilInstance } from '../src/chains/evm/anvil.js';
import { createEvmClients, mine, type EvmPublicClient } from '../src/chains/evm/client.js';
import { DEMO_USDT_ADDRESS, devAccount, prepareDevChain } from '../src/chains/evm/dev-setup.js';
import { mintDemoToken } from '../src/chains/evm/erc20.js';
import { backfill } from '../src/cli/chain.js';
import type { ChainConfig } from '../src/config/config.js';
import { setMerchantCoin, upsertCoin, type CoinRecord } from '../src/modules/coins/index.js';
import { userAccount } from '../src/modules/ledger/index.js';
import { readBalance } from '../src/modules/ledger/index.js';
import { assertAuditsClean } from './support/audits.js';
import { feeWalletEth, hotWalletEth, hotWalletUsdt, startChainWorld, type ChainWorld } from './support/chain-world.js';
import { freshRecipient, txsOf, withdraw, withdrawalRow } from './support/chain-sends.js';
import { untilDeposit } from './support/deposits.js';
import { eachDatabase } from './support/service.js';

const chainB = 'evm:31338';

eachDatabase('several chains at once', (kind) => {
  let world: ChainWorld;
  let anvilB: AnvilInstance;
  let clientB: EvmPublicClient;
  let pol: CoinRecord;
  let usdtB: CoinRecord;

  before(async () => {
    anvilB = await startAnvil({ chainId: 31338 });
    clientB = createEvmClients({ rpcUrl: anvilB.rpcUrl, chainId: anvilB.chainId, dev: true }).publicClient;
    const second = { id: chainB, rpcUrl: anvilB.rpcUrl, pollIntervalMs: 100, startBlock: 0, stuckAfterMs: 3_000, dropAfterMs: 10_000 } as ChainConfig;
    world = await startChainWorld({ kind, config: { operatorApi: true, chains: [second] } });
    // The second chain's coins exist before anything moves on it, so its scanner records the funding.
    const db = world.t.ctx.store.db;
    const nowMs = Date.now();
    pol = await upsertCoin(db, { symbol: 'POL', name: 'Second chain coin', chain: chainB, decimals: 18, confirmations: 3, minWithdraw: '0.01', maxWithdraw: '100', withdrawFee: '0.001', autoApproveMax: '10', nowMs });
    usdtB = await upsertCoin(db, { symbol: 'USDT_B', name: 'Tether USD (chain B)', chain: chainB, baseSymbol: 'POL', contractAddress: DEMO_USDT_ADDRESS, decimals: 6, confirmations: 3, minWithdraw: '10', maxWithdraw: '100000', withdrawFee: '1', autoApproveMax: '10000', nowMs });
    for (const coin of [pol, usdtB]) await setMerchantCoin(db, Number(world.t.merchant.id), Number(coin.id), true);
    const handle = world.t.ctx.chains.get(chainB)!;
    const { usdt } = await prepareDevChain({ rpcUrl: anvilB.rpcUrl, chainId: anvilB.chainId, hotAddress: handle.hotAddress, feeAddress: handle.feeAddress, hotEth: hotWalletEth, hotUsdtUnits: hotWalletUsdt, feeEth: feeWalletEth });
    assert.equal(usdt.toLowerCase(), DEMO_USDT_ADDRESS, 'the same token address on both chains');
  });
  after(async () => {
    await world?.close();
    await anvilB?.stop();
  });

  /** Sends POL (decimal) on chain B from dev account 1. */
  async function sendPol(to: string, amount: string): Promise<Hex> {
    const w = createEvmClients({ rpcUrl: anvilB.rpcUrl, chainId: anvilB.chainId, dev: true }, devAccount(1)).walletClient;
    const hash = await w.sendTransaction({ to: getAddress(to), value: parseEther(amount), account: w.account, chain: w.chain });
    assert.equal((await clientB.waitForTransactionReceipt({ hash })).status, 'success');
    return hash;
  }
  /** Transfers chain B's USDT (base units) from dev account 2 (minted to it first). */
  async function sendUsdtB(to: string, units: bigint): Promise<Hex> {
    const owner = createEvmClients({ rpcUrl: anvilB.rpcUrl, chainId: anvilB.chainId, dev: true }, devAccount(0)).walletClient;
    const sender = createEvmClients({ rpcUrl: anvilB.rpcUrl, chainId: anvilB.chainId, dev: true }, devAccount(2)).walletClient;
    await mintDemoToken(owner, clientB, getAddress(DEMO_USDT_ADDRESS), sender.account.address, units);
    const hash = await sender.writeContract({ address: getAddress(DEMO_USDT_ADDRESS), abi: erc20Abi, functionName: 'transfer', args: [getAddress(to), units], account: sender.account, chain: sender.chain });
    assert.equal((await clientB.waitForTransactionReceipt({ hash })).status, 'success');
    return hash;
  }

  it('one address per user on both chains; deposits credited to each chain’s own coin; withdrawals paid on their chain; audits clean on both', async () => {
    const { t } = world;
    const db = t.ctx.store.db;
    const merchantId = Number(t.merchant.id);
    const balance = async (uid: number, coin: CoinRecord) => (await readBalance(db, userAccount(merchantId, uid, Number(coin.id)))).normal;

    const uid = await world.newUser();
    const address = await world.depositAddress(uid, 'ETH');
    assert.equal(await world.depositAddress(uid, 'POL'), address, 'the same address on the second chain');
    assert.equal(await world.depositAddress(uid, 'USDT_B'), address);

    const ethTx = await world.sendEth(address, '1.5');
    const polTx = await sendPol(address, '2');
    const usdtBTx = await sendUsdtB(address, parseUnits('40', 6));
    // A second user holding only the token on chain B: its sweep needs gas from chain B's fee wallet.
    const tokenOnly = await world.newUser();
    const tokenOnlyAddress = await world.depositAddress(tokenOnly, 'USDT_B');
    const tokenOnlyTx = await sendUsdtB(tokenOnlyAddress, parseUnits('25', 6));
    await world.mine(1); // ETH: 2 confirmations
    await mine(clientB, 2); // POL and USDT_B: 3 confirmations

    const credited = async (txid: string) => untilDeposit(world, txid, `deposit ${txid} credited`, (d) => d.status === DepositStatus.Succeeded);
    assert.equal(Number((await credited(ethTx)).coin_id), Number(t.coins.ETH.id));
    const polDeposit = await credited(polTx);
    assert.equal(Number(polDeposit.coin_id), Number(pol.id));
    assert.ok(polDeposit.confirmations >= 3, 'credited at the second chain’s own confirmation count');
    assert.equal(Number((await credited(usdtBTx)).coin_id), Number(usdtB.id), 'the token of the chain it moved on');
    await credited(tokenOnlyTx);
    assert.equal(await balance(uid, t.coins.ETH), parseEther('1.5'));
    assert.equal(await balance(uid, pol), parseEther('2'));
    assert.equal(await balance(uid, usdtB), parseUnits('40', 6));
    assert.equal(await balance(uid, t.coins.USDT), 0n, 'the first chain’s USDT (same contract address) untouched');

    const listed = await t.client.syncDepositList({ max_id: 0 });
    assert.deepEqual(
      listed.filter((d) => d.uid === uid).map((d) => [d.symbol, d.amount, d.status]).sort(),
      [['ETH', '1.5', 1], ['POL', '2', 1], ['USDT_B', '40', 1]],
    );

    const to = freshRecipient();
    const ids = {
      pol: await withdraw(world, { uid, symbol: 'POL', amount: '0.5', to }),
      usdtB: await withdraw(world, { uid, symbol: 'USDT_B', amount: '10', to }),
      eth: await withdraw(world, { uid, symbol: 'ETH', amount: '0.3', to }),
    };
    for (const id of Object.values(ids)) {
      await world.until(`withdrawal ${id} paid`, async () => {
        await world.mine(1);
        await mine(clientB, 1);
        return (await withdrawalRow(world, id)).status === WithdrawStatus.Succeeded;
      }, 40_000);
    }
    const hot = world.chain.hotAddress;
    for (const [name, id] of Object.entries(ids)) {
      const [tx] = await txsOf(world, 'withdrawal', id);
      assert.equal(tx!.chain, name === 'eth' ? world.chain.id : chainB, `${name} paid on its chain`);
      assert.equal(tx!.from_address, hot);
    }
    // Each chain's hot wallet has its own nonces: both sequences start at what that node counted.
    const nonces = await db.selectFrom('chain_txs').select(['chain', 'sequence']).where('from_address', '=', hot).where('purpose', '=', 'withdrawal').execute();
    for (const chain of [world.chain.id, chainB]) {
      const own = nonces.filter((n) => n.chain === chain).map((n) => Number(n.sequence));
      assert.equal(new Set(own).size, own.length, `${chain}: no nonce twice`);
    }
    const recipient = getAddress(to);
    assert.equal(await clientB.getBalance({ address: recipient }), parseEther('0.499'), 'POL paid on chain B');
    assert.equal(await world.client.getBalance({ address: recipient }), parseEther('0.299'), 'ETH paid on chain A');
    assert.equal(await clientB.readContract({ address: getAddress(DEMO_USDT_ADDRESS), abi: erc20Abi, functionName: 'balanceOf', args: [recipient] }), parseUnits('9', 6));
    assert.equal(await world.client.readContract({ address: world.usdt, abi: erc20Abi, functionName: 'balanceOf', args: [recipient] }), 0n, 'no USDT on chain A');

    // Deposits are swept on their own chain: chain B's token sweep got its gas from chain B's fee wallet.
    await world.until('the second chain’s deposits swept', async () => {
      await world.mine(1);
      await mine(clientB, 1);
      const sweeps = await db.selectFrom('sweeps').select(['address', 'coin_id', 'state']).where('chain', '=', chainB).execute();
      const done = (a: string, c: CoinRecord) => sweeps.some((s) => s.address === a && Number(s.coin_id) === Number(c.id) && s.state === 'done');
      return done(address, pol) && done(address, usdtB) && done(tokenOnlyAddress, usdtB);
    }, 60_000);
    const topUps = await db.selectFrom('chain_txs').select(['chain', 'from_address', 'to_address']).where('purpose', '=', 'topup').execute();
    assert.deepEqual(
      topUps.filter((x) => x.to_address === tokenOnlyAddress).map((x) => [x.chain, x.from_address]),
      [[chainB, world.t.ctx.chains.get(chainB)!.feeAddress]],
      'one gas top-up, on chain B, from its fee wallet',
    );
    assert.equal(await clientB.readContract({ address: getAddress(DEMO_USDT_ADDRESS), abi: erc20Abi, functionName: 'balanceOf', args: [getAddress(tokenOnlyAddress)] }), 0n, 'swept');

    // Sent on the wrong chain: to a user's address on chain B before the user had a chain B coin.
    const late = await world.newUser();
    const lateAddress = await world.depositAddress(late, 'ETH');
    const stray = await sendPol(lateAddress, '0.25');
    const strayBlock = Number((await clientB.getTransactionReceipt({ hash: stray })).blockNumber);
    await mine(clientB, 3);
    await world.until('the scanner of chain B past the transfer', async () => {
      const c = await db.selectFrom('chain_cursors').select('scanned_height').where('chain', '=', chainB).executeTakeFirstOrThrow();
      return Number(c.scanned_height) >= strayBlock + 3;
    });
    assert.deepEqual(await db.selectFrom('deposits').select('id').where('txid', '=', stray.toLowerCase()).execute(), [], 'not watched on chain B yet');
    // The operator's recovery: issue the address on chain B (the same one), rescan from that block.
    assert.equal(await world.depositAddress(late, 'POL'), lateAddress);
    const lines: string[] = [];
    await backfill(t.ctx, t.ctx.chains.get(chainB)!, { from: strayBlock, to: strayBlock + 3 }, { stderr: { write: (line: string) => lines.push(line) } as never });
    const recovered = await untilDeposit(world, stray, 'the stray deposit credited', (d) => d.status === DepositStatus.Succeeded);
    assert.equal(Number(recovered.coin_id), Number(pol.id));
    assert.equal(await balance(late, pol), parseEther('0.25'));

    // Operators see both chains.
    const res = await fetch(`${t.operatorUrl}/chains`, { headers: { authorization: `Bearer ${t.operatorToken}` } });
    const body = (await res.json()) as { chains: Array<{ chain: string; head: number; scanned: number }> };
    assert.deepEqual(body.chains.map((c) => c.chain).sort(), [world.chain.id, chainB].sort());
    for (const c of body.chains) assert.ok(c.scanned > 0 && c.head >= c.scanned, `${c.chain} scanned`);

    await assertAuditsClean(world);
  });
});
