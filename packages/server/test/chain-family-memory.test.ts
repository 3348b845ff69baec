/**
 * The chain-family boundary (issue 10, part 5), proved with a family that exists in tests only
 * (support/memory-chain.ts: case-sensitive base58 addresses, deposit addresses with a memo, an
 * in-memory node), registered at test time. Through the same domain code as EVM, on both
 * databases: deposit → credit (scanner → deposits → ledger → notification, seen through the
 * SDK and the database) keeping a mixed-case address's case end to end and the memo on the
 * deposit; reorg detection (a deposit whose block leaves fails, one mined again is credited);
 * withdrawal → paid (merchant confirmation → broadcaster → the family's payer → status 5), with
 * no EVM-shaped call on the family. The family's neutral Payer is exercised on its own.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, it } from 'node:test';
import { createConfirmationResponder, createNotificationHandler, DepositStatus, toNodeHttpHandler, WithdrawStatus, type Notification } from '@openwaas/sdk';
import { addressCodec } from '../src/chains/address-codec.js';
import type { ChainHandle } from '../src/chains/registry.js';
import type { ChainConfig } from '../src/config/config.js';
import { auditChainBalances } from '../src/modules/audit/index.js';
import { setMerchantCoin, upsertCoin, type CoinRecord } from '../src/modules/coins/index.js';
import { userAccount } from '../src/modules/ledger/index.js';
import { reorgFailedReason } from '../src/modules/deposits/index.js';
import { readBalance } from '../src/modules/ledger/index.js';
import { updateMerchant } from '../src/modules/merchants/index.js';
import { assertLedgerClean } from './support/audits.js';
import { chainTestMnemonic } from './support/chain-world.js';
import { MemoryPayer, MemorySigner, memoryAddressCodec, memoryAddressOf, registerMemoryChain, type MemoryChainNode } from './support/memory-chain.js';
import { statusesInWriteOrder } from './support/notifications.js';
import { eachDatabase, startTestService, type TestService } from './support/service.js';

const chainId = 'mem:test';
/** An outside sender: mixed case, as the family writes it. */
const outsider = memoryAddressOf(Buffer.from('outside sender'));

eachDatabase('a second chain family (in memory)', (kind) => {
  let t: TestService;
  let node: MemoryChainNode;
  let chain: ChainHandle;
  let coin: CoinRecord;
  let unregister: () => void;
  let app: Server;
  const notifications: Notification[] = [];
  let userSeq = 0;

  before(async () => {
    const registered = registerMemoryChain(chainId);
    node = registered.node;
    unregister = registered.unregister;
    const chainConfig = { id: chainId, rpcUrl: registered.rpcUrl, pollIntervalMs: 50, startBlock: 0, stuckAfterMs: 60_000, dropAfterMs: 120_000 } as ChainConfig;
    // Sweeps off: nothing but the test's own transactions moves money on the chain.
    t = await startTestService({ kind, config: { workers: true, notifyScheduleMs: [200, 500, 1_000], hdMnemonic: chainTestMnemonic, sweepThresholds: { MEM: '1000000' }, chains: [chainConfig] } });
    chain = t.ctx.chains.get(chainId)!;
    const db = t.ctx.store.db;
    coin = await upsertCoin(db, { symbol: 'MEM', name: 'Memory CoinRecord', chain: chainId, decimals: 6, confirmations: 2, minWithdraw: '1', maxWithdraw: '1000', withdrawFee: '0.5', autoApproveMax: '100', nowMs: Date.now() });
    await setMerchantCoin(db, Number(t.merchant.id), Number(coin.id), true);

    const confirm = toNodeHttpHandler(createConfirmationResponder({ walletPublicKey: t.walletPublicKeyPem, privateKey: t.merchantPrivateKeyPem, approveWithdraw: () => true, approveTransfer: () => true }));
    const notify = toNodeHttpHandler(createNotificationHandler({ walletPublicKey: t.walletPublicKeyPem, onNotification: (n) => void notifications.push(n) }));
    app = createServer((req, res) => ((req.url ?? '').startsWith('/confirm') ? confirm(req, res) : notify(req, res)));
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    const root = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
    await updateMerchant(db, t.appId, { confirmUrl: `${root}/confirm`, notifyUrl: `${root}/notify` });
  });
  after(async () => {
    await t?.close();
    await new Promise<void>((resolve) => {
      if (!app) return resolve();
      app.closeAllConnections();
      app.close(() => resolve());
    });
    unregister?.();
  });

  /** Polls `check` (mining a block on the memory chain between looks when `mine`) until it returns a value. */
  const until = async <T,>(what: string, check: () => Promise<T | undefined | false>, options: { mine?: boolean } = {}): Promise<T> => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const value = await check();
      if (value !== undefined && value !== false) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      if (options.mine) node.mine(1);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const newUser = async () => Number((await t.client.registerEmail({ email: `mem-user-${process.pid}-${++userSeq}-${Date.now()}@example.test` })).uid);
  const depositOf = (txid: string) => t.ctx.store.db.selectFrom('deposits').selectAll().where('txid', '=', txid).executeTakeFirst();
  const units = (n: number) => BigInt(n) * 10n ** 6n;

  it('issues case-sensitive addresses with a memo, and lists the family in the coin list', async () => {
    const uid = await newUser();
    const { address } = await t.client.getDepositAddress({ uid, symbol: 'MEM' });
    assert.ok(memoryAddressCodec.isValid(address), `a memory address with its memo: ${address}`);
    const { address: base, memo } = memoryAddressCodec.split(address);
    assert.notEqual(base, base.toLowerCase(), 'mixed case');
    assert.match(memo ?? '', /^\d+$/, 'the memo is the HD index');
    assert.equal((await t.client.getDepositAddress({ uid, symbol: 'MEM' })).address, address, 'the same address again');
    // The address as issued finds its owner; the same letters in another case are another address.
    assert.equal(Number((await t.client.getDepositAddressInfo({ address })).uid), uid);
    await assert.rejects(t.client.getDepositAddressInfo({ address: address.toLowerCase() }), /110055|not a deposit address/);

    const listed = (await t.client.getCoinList()).find((c) => c.symbol === 'MEM');
    assert.equal(listed?.address_regex, memoryAddressCodec.pattern!.source);
    assert.equal(listed?.support_token, '0');
    // The hot and fee wallets derive on the family's own branch.
    assert.ok(memoryAddressCodec.isValid(chain.hotAddress) && memoryAddressCodec.isValid(chain.feeAddress));
    assert.notEqual(chain.hotAddress, chain.feeAddress);
  });

  it('deposit → credit: the scanner finds the transfer by address and memo; credited at 2 confirmations and notified 0 then 1', async () => {
    const uid = await newUser();
    const { address } = await t.client.getDepositAddress({ uid, symbol: 'MEM' });
    const txid = node.sendExternal({ from: outsider, to: address, amount: units(25) });

    const seen = await until('the deposit at status 0', async () => {
      const d = await depositOf(txid);
      return d?.status === DepositStatus.Confirming && d;
    });
    assert.equal(seen.address_to, address, 'the deposit names the issued address, case and memo kept');
    assert.equal(addressCodec(chainId).split(seen.address_to).memo, memoryAddressCodec.split(address).memo, 'the memo reached the deposit');
    assert.equal(seen.address_from, outsider, "the sender's case kept");
    assert.equal(seen.amount, units(25).toString());
    assert.equal(Number(seen.uid), uid);
    assert.equal(seen.confirmations, 1);
    const account = userAccount(Number(t.merchant.id), uid, Number(coin.id));
    assert.equal((await readBalance(t.ctx.store.db, account)).normal, 0n, 'not credited at 1 confirmation');

    node.mine(1);
    const credited = await until('the deposit credited', async () => {
      const d = await depositOf(txid);
      return d?.status === DepositStatus.Succeeded && d;
    });
    assert.equal(credited.confirmations, 2);
    assert.equal((await readBalance(t.ctx.store.db, account)).normal, units(25));

    const statuses = await until('both notifications', async () => {
      const s = statusesInWriteOrder(notifications, 'deposit', Number(credited.id));
      return s.length >= 2 && s;
    });
    assert.deepEqual(statuses, ['0', '1']);
    const notified = notifications.find((n) => n.side === 'deposit' && n.id === String(credited.id));
    assert.equal(notified?.address_to, address, 'the notification carries the address as issued');

    const listed = (await t.client.syncDepositList({ max_id: 0 })).find((d) => Number(d.id) === Number(credited.id));
    assert.equal(listed?.address_to, address);
    assert.equal(listed?.address_from, outsider);
    assert.equal(Number(listed?.status), DepositStatus.Succeeded);
    assert.equal(Number((await t.client.getByUidAndSymbol({ uid, symbol: 'MEM' })).normal_balance), 25);
    await assertLedgerClean(t.ctx.store.db);
  });

  it('reorg detection is the neutral reader\'s: a deposit whose block leaves the chain fails; mined again in the new branch, it is credited', async () => {
    const uid = await newUser();
    const { address } = await t.client.getDepositAddress({ uid, symbol: 'MEM' });
    const dropped = node.sendExternal({ from: outsider, to: address, amount: units(3) });
    await until('the deposit at status 0', async () => (await depositOf(dropped))?.status === DepositStatus.Confirming);
    node.reorg(1);
    const failed = await until('the deposit failed by the reorg', async () => {
      const d = await depositOf(dropped);
      return d?.status === DepositStatus.Failed && d;
    });
    assert.equal(failed.review_reason, reorgFailedReason);

    const moved = node.sendExternal({ from: outsider, to: address, amount: units(4) });
    const first = await until('the second deposit at status 0', async () => {
      const d = await depositOf(moved);
      return d?.status === DepositStatus.Confirming && d;
    });
    node.reorg(1, { reinclude: true });
    const credited = await until('the second deposit credited in its new block', async () => {
      const d = await depositOf(moved);
      return d?.status === DepositStatus.Succeeded && d;
    }, { mine: true });
    assert.notEqual(credited.block_hash, first.block_hash, 'recorded in the new branch');
    assert.equal((await readBalance(t.ctx.store.db, userAccount(Number(t.merchant.id), uid, Number(coin.id)))).normal, units(4));
    await assertLedgerClean(t.ctx.store.db);
  });

  it('withdrawal → paid: to a mixed-case address with a memo, through the merchant confirmation and the broadcaster', async () => {
    // The hot wallet is funded by a transfer the scanner records as a treasury receipt.
    node.sendExternal({ from: outsider, to: chain.hotAddress, amount: units(500) });
    const uid = await newUser();
    const { address } = await t.client.getDepositAddress({ uid, symbol: 'MEM' });
    const depositTxid = node.sendExternal({ from: outsider, to: address, amount: units(40) });
    await until('the deposit credited', async () => (await depositOf(depositTxid))?.status === DepositStatus.Succeeded, { mine: true });

    const destination = memoryAddressOf(Buffer.from('withdrawal destination'));
    assert.notEqual(destination, destination.toLowerCase(), 'mixed case');
    const to = `${destination}_4242`;
    assert.ok(addressCodec(chainId).isValid(to));
    const w = await t.client.withdraw({ request_id: `mem-w-${kind}-${Date.now()}`, from_uid: uid, to_address: to, amount: '10', symbol: 'MEM' });
    const paid = await until(
      'the withdrawal paid',
      async () => {
        const row = await t.ctx.store.db.selectFrom('withdrawals').selectAll().where('id', '=', Number(w.id)).executeTakeFirst();
        return row?.status === WithdrawStatus.Succeeded && row;
      },
      { mine: true },
    );
    assert.equal(paid.address_to, to, 'the destination kept as given');
    assert.equal(paid.address_from, chain.hotAddress);
    const mined = node.find(paid.txid);
    assert.ok(mined, 'the transaction is on the memory chain');
    assert.equal(mined.tx.to, destination, 'paid to the address in its case');
    assert.equal(mined.tx.memo, '4242', 'with the memo');
    assert.equal(mined.tx.amount, units(10) - units(1) / 2n, 'the amount less the withdrawal fee');
    assert.equal(node.balanceOf(destination), units(10) - units(1) / 2n);
    assert.equal(BigInt(paid.real_fee), mined.tx.fee, 'the fee the chain charged');

    const statuses = await until('the withdrawal notified', async () => {
      const s = statusesInWriteOrder(notifications, 'withdraw', Number(w.id));
      return s.includes('5') && s;
    });
    assert.equal(statuses.at(-1), '5');
    const listed = (await t.client.syncWithdrawList({ max_id: 0 })).find((r) => Number(r.id) === Number(w.id));
    assert.equal(listed?.address_to, to);
    assert.equal(Number((await t.client.getByUidAndSymbol({ uid, symbol: 'MEM' })).normal_balance), 30);

    await assertLedgerClean(t.ctx.store.db);
    // What the chain holds at our addresses equals what the ledger says (no transaction in flight).
    const report = await until('a settled chain audit', async () => {
      const r = await auditChainBalances(t.ctx);
      return !r.lines.some((l) => l.status === 'in-flight') && r;
    }, { mine: true });
    assert.deepEqual(report.findings, [], 'chain audit is clean');
    assert.deepEqual(report.lines.filter((l) => l.symbol === 'MEM').map((l) => l.status), ['ok']);
  });

  it("the family's neutral Payer: quote, sign at a sequence, send, status by txid", async () => {
    // An address of the family outside the service, so the service's books are not touched.
    const from = memoryAddressOf(Buffer.from('outside payer'));
    node.fund(from, 1_000n);
    const payer = new MemoryPayer(node, () => new MemorySigner(from));
    const payment = { role: 'hot' as const, from, to: `${outsider}_7`, token: '', amount: 3n };
    // The service's handle carries the family's payer, signing with the service's keys.
    assert.ok(chain.payer instanceof MemoryPayer);
    assert.deepEqual(await chain.payer.quote({ ...payment, from: chain.hotAddress }), await payer.quote(payment));
    const quote = (await payer.quote(payment))!;
    await assert.rejects(chain.payer.sign({ ...payment, from }, quote, 0), /not/, 'a payment from an address that is not the role\'s');
    assert.ok(quote.feeMax > 0n);
    assert.equal(await payer.quote(payment, { feeBudget: quote.feeMax - 1n }), undefined, 'no quote within a budget below the fee');
    const sequence = await payer.firstSequence(from, undefined);
    assert.equal(await payer.firstSequence(from, 4), 5, 'never at or below a stored sequence');
    const signed = await payer.sign(payment, quote, sequence);
    assert.deepEqual(await payer.status(signed.txid), { state: 'unknown' });
    await payer.send(signed);
    await payer.send(signed); // idempotent
    assert.deepEqual(await payer.status(signed.txid), { state: 'pending' });
    const before = node.balanceOf(outsider);
    node.mine(1);
    const status = await payer.status(signed.txid);
    assert.equal(status.state, 'mined');
    assert.ok(status.state === 'mined' && status.success && status.fee <= quote.feeMax);
    assert.equal(node.balanceOf(outsider) - before, 3n);
    assert.equal(node.find(signed.txid)?.tx.memo, '7');
  });

  it('the memory family brings a reader and a payer only: no EVM-shaped send call, and the withdrawal was paid through its payer', async () => {
    const evmShaped = ['transferRequest', 'estimateGas', 'feeQuote', 'nonce', 'broadcast', 'receipt', 'knowsTransaction'];
    for (const side of [chain.reader, chain.payer]) {
      for (const name of evmShaped) assert.equal(name in side, false, `${side.constructor.name} has no ${name}`);
    }
    // The withdrawal's stored transaction carries the family's terms and sequence, as its payer wrote them.
    const rows = await t.ctx.store.db.selectFrom('chain_txs').selectAll().where('chain', '=', chainId).where('purpose', '=', 'withdrawal').execute();
    assert.ok(rows.length > 0);
    for (const row of rows) {
      assert.deepEqual(Object.keys(JSON.parse(row.terms)), ['fee']);
      assert.equal(row.fee_max, '6');
      assert.equal(row.token, '');
      assert.equal(row.state, 'confirmed');
    }
  });
});
