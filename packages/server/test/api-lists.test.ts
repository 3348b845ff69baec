import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { ErrorCode, WaasError, type DepositRecord, type MinerFeeRecord, type WithdrawRecord } from '@openwaas/sdk';
import { eachDatabase, startTestService, type TestMerchant, type TestService } from './support/service.js';
import { rejectsWith } from './support/assertions.js';


const t0 = 1_700_000_000_000;

/** Follows max_id until an empty page; checks every page is ≤ 100 and ascending. */
async function drain<R extends { id: number }>(page: (maxId: number) => Promise<R[]>): Promise<{ records: R[]; sizes: number[] }> {
  const records: R[] = [];
  const sizes: number[] = [];
  let maxId = 0;
  for (let guard = 0; guard < 100; guard++) {
    const rows = await page(maxId);
    sizes.push(rows.length);
    if (rows.length === 0) break;
    for (const r of rows) assert.ok(r.id > maxId, 'ascending, above max_id');
    records.push(...rows);
    maxId = rows.at(-1)!.id;
  }
  return { records, sizes };
}

eachDatabase('API record lists (#9–#14 #16 #17)', (kind) => {
  let t: TestService;
  let other: TestMerchant;
  let third: TestMerchant;
  let uid: number;
  let otherUid: number;

  before(async () => {
    t = await startTestService({ kind });
    other = await t.addMerchant({ name: 'Other' });
    third = await t.addMerchant({ name: 'Third' });
    uid = (await t.client.registerEmail({ email: 'lists@example.com' })).uid;
    otherUid = (await other.client.registerEmail({ email: 'lists@example.com' })).uid;
    const db = t.ctx.store.db;
    const me = Number(t.merchant.id);
    const them = Number(other.merchant.id);
    const { ETH, USDT, TKN } = t.coins;

    // 250 deposits of ours interleaved with 25 of another merchant's.
    const deposits = [];
    for (let i = 0; i < 275; i++) {
      const mine = i % 11 !== 10;
      const coin = i % 2 ? USDT : ETH;
      deposits.push({
        merchant_id: mine ? me : them, uid: mine ? uid : otherUid, coin_id: Number(coin.id), symbol: coin.symbol,
        amount: coin.symbol === 'ETH' ? `${i + 1}000000000000000` : `${i + 1}500000`,
        address_from: '0x' + 'f'.repeat(40), address_to: '0x' + 'a'.repeat(40), txid: `0xdep${i}`, tx_index: '0',
        confirmations: i % 3, status: i % 3 === 2 ? 1 : 0, to_collection: 0, withdrawal_id: null, created_at: t0 + i, updated_at: t0 + i + 1,
      });
    }
    await db.insertInto('deposits').values(deposits).execute();

    // 120 withdrawals of ours (some in TKN, whose fee is charged in ETH) and 3 of another merchant's.
    const withdrawals = [];
    for (let i = 0; i < 123; i++) {
      const mine = i < 120;
      const coin = i % 3 === 0 ? TKN : i % 3 === 1 ? USDT : ETH;
      const feeSymbol = coin.symbol === 'TKN' ? 'ETH' : coin.symbol;
      withdrawals.push({
        merchant_id: mine ? me : them, request_id: mine ? `w-${i}` : `w-${i - 120}`, uid: mine ? uid : otherUid, coin_id: Number(coin.id), symbol: coin.symbol,
        amount: coin.symbol === 'TKN' ? '250000000' : coin.symbol === 'USDT' ? '10000000' : '500000000000000000',
        withdraw_fee: feeSymbol === 'ETH' ? '2000000000000000' : '1000000', withdraw_fee_symbol: feeSymbol, fee_symbol: 'ETH',
        real_fee: '21000000000000', address_from: '0x' + 'b'.repeat(40), address_to: '0x' + 'c'.repeat(40), txid: i % 2 ? `0xw${i}` : '',
        confirmations: i % 4, saas_status: 1, company_status: 1, status: i % 2 ? 5 : 1, withdraw_type: 1, review_reason: '', created_at: t0 + i, updated_at: t0 + 2 * i,
      });
    }
    await db.insertInto('withdrawals').values(withdrawals).execute();

    // 130 miner-fee records of ours, 2 of another merchant's.
    const fees = [];
    for (let i = 0; i < 132; i++) {
      const mine = i < 130;
      const coin = i % 2 ? USDT : ETH;
      fees.push({
        merchant_id: mine ? me : them, coin_id: Number(coin.id), symbol: coin.symbol, amount: coin.symbol === 'ETH' ? '1000000000000000000' : '2500000',
        fee: '42000000000000', address_from: '0x' + 'd'.repeat(40), address_to: '0x' + 'e'.repeat(40), txid: `0xfee${i}`, txid_type: '0',
        confirmations: 12, status: 1, base_symbol: 'ETH', contract_address: coin.contract_address, email: '', created_at: t0 + i, updated_at: t0 + i,
      });
    }
    await db.insertInto('miner_fees').values(fees).execute();

    // Transfers: ours to other (105), other to ours (3), other to third (2, invisible to us).
    const transfers = [];
    for (let i = 0; i < 110; i++) {
      const [from, to, rid] = i < 105 ? [me, them, `t-${i}`] : i < 108 ? [them, me, `t-${i}`] : [them, Number(third.merchant.id), `t-${i}`];
      transfers.push({
        from_merchant_id: from, to_merchant_id: to, request_id: rid, receipt: `rcpt-${i}`, coin_id: Number(USDT.id), symbol: 'USDT',
        amount: `${i + 1}000001`, remark: i % 2 ? 'invoice' : '', created_at: t0 + i,
      });
    }
    await db.insertInto('transfers').values(transfers).execute();
  });
  after(() => t?.close());

  it('#11 syncDepositList pages our deposits, 100 at a time, ascending, formatted', async () => {
    const { records, sizes } = await drain((maxId) => t.client.syncDepositList({ max_id: maxId }));
    assert.deepEqual(sizes, [100, 100, 50, 0]);
    assert.ok(records.every((r) => r.uid === uid));
    const first = records[0]!;
    assert.deepEqual(first, {
      id: first.id, uid, symbol: 'ETH', amount: '0.001', address_from: '0x' + 'f'.repeat(40), address_to: '0x' + 'a'.repeat(40),
      txid: '0xdep0', confirmations: 0, status: 0, created_at: t0, updated_at: t0 + 1,
      base_symbol: 'ETH', contract_address: '', email: 'lists@example.com', txid_type: '0', is_mining: 0,
    } satisfies DepositRecord);
    assert.equal(records[1]!.amount, '2.5');
    // The SDK's iterator walks the same pages.
    let n = 0;
    for await (const _ of t.client.iterateDeposits()) n++;
    assert.equal(n, 250);
  });

  it('#12 depositList by ids: ours only, spaces tolerated, unknown ids left out', async () => {
    const page = await t.client.syncDepositList({ max_id: 0 });
    const [a, b, c] = page;
    const foreign = await t.ctx.store.db.selectFrom('deposits').select('id').where('merchant_id', '=', Number(other.merchant.id)).executeTakeFirstOrThrow();
    const found = await t.client.depositList({ ids: ` ${c!.id}, ${a!.id} ,${foreign.id},999999,${b!.id}` });
    assert.deepEqual(found, [a, b, c]);
    assert.deepEqual(await t.client.depositList({ ids: [a!.id, a!.id] }), [a]);
    await rejectsWith(t.client.depositList({ ids: '' }), ErrorCode.InvalidParameter, /^ids/);
    await rejectsWith(t.client.depositList({ ids: Array.from({ length: 101 }, (_, i) => i + 1) }), ErrorCode.InvalidParameter, /^ids/);
    assert.equal((await t.client.depositList({ ids: page.slice(0, 100).map((r) => r.id) })).length, 100);
  });

  it('#9 syncWithdrawList pages our withdrawals with the seed record shape', async () => {
    const { records, sizes } = await drain((maxId) => t.client.syncWithdrawList({ max_id: String(maxId) }));
    assert.deepEqual(sizes, [100, 20, 0]);
    const [tkn, usdt, eth] = records;
    assert.deepEqual(tkn, {
      id: tkn!.id, request_id: 'w-0', uid, symbol: 'TKN', amount: '2.5', withdraw_fee_symbol: 'ETH', withdraw_fee: '0.002', fee_symbol: 'ETH',
      real_fee: '0.000021', address_from: '0x' + 'b'.repeat(40), address_to: '0x' + 'c'.repeat(40), txid: '', confirmations: 0,
      saas_status: 1, company_status: 1, status: 1, withdraw_type: 1, created_at: t0, updated_at: t0,
      base_symbol: 'ETH', contract_address: t.coins.TKN.contract_address, email: 'lists@example.com', fee: '0.002', txid_type: '0',
    } satisfies WithdrawRecord);
    assert.deepEqual([usdt!.symbol, usdt!.amount, usdt!.withdraw_fee_symbol, usdt!.withdraw_fee, usdt!.status], ['USDT', '10', 'USDT', '1', 5]);
    assert.deepEqual([eth!.amount, eth!.withdraw_fee], ['0.5', '0.002']);
  });

  it('#10 withdrawList by request_id: ours only, ascending by id', async () => {
    const found = await t.client.withdrawList({ ids: 'w-2, w-0 ,nope, w-119' });
    assert.deepEqual(found.map((w) => w.request_id), ['w-0', 'w-2', 'w-119']);
    assert.ok(found.every((w) => w.uid === uid));
    // "w-1" exists for both merchants: each sees its own.
    const theirs = await other.client.withdrawList({ ids: ['w-1'] });
    assert.equal(theirs.length, 1);
    assert.equal(theirs[0]!.uid, otherUid);
    assert.deepEqual(await t.client.withdrawList({ ids: 'unknown-1,unknown-2' }), []);
    await rejectsWith(t.client.withdrawList({ ids: Array.from({ length: 101 }, (_, i) => `w-${i}`) }), ErrorCode.InvalidParameter, /^ids/);
    await rejectsWith(t.client.withdrawList({} as never), ErrorCode.InvalidParameter, /^ids/);
  });

  it('#13/#14 miner-fee lists', async () => {
    const { records, sizes } = await drain((maxId) => t.client.syncMinerFeeList({ max_id: maxId }));
    assert.deepEqual(sizes, [100, 30, 0]);
    const [eth, usdt] = records;
    assert.deepEqual(eth, {
      id: eth!.id, symbol: 'ETH', amount: '1', fee: '0.000042', address_from: '0x' + 'd'.repeat(40), address_to: '0x' + 'e'.repeat(40),
      txid: '0xfee0', txid_type: '0', confirmations: 12, status: 1, base_symbol: 'ETH', contract_address: '', email: '', created_at: t0, updated_at: t0,
    } satisfies MinerFeeRecord);
    assert.deepEqual([usdt!.amount, usdt!.fee, usdt!.contract_address], ['2.5', '0.000042', t.coins.USDT.contract_address]);
    assert.deepEqual(await t.client.minerFeeList({ ids: `${usdt!.id},${eth!.id}` }), [eth, usdt]);
    const foreign = await t.ctx.store.db.selectFrom('miner_fees').select('id').where('merchant_id', '=', Number(other.merchant.id)).executeTakeFirstOrThrow();
    assert.deepEqual(await t.client.minerFeeList({ ids: [foreign.id] }), []);
    await rejectsWith(t.client.minerFeeList({ ids: 'x' }), ErrorCode.InvalidParameter, /^ids/);
  });

  it('#17 syncTransferList: transfers we sent or received, 100 at a time', async () => {
    const { records, sizes } = await drain((maxId) => t.client.syncTransferList({ max_id: maxId }));
    assert.deepEqual(sizes, [100, 8, 0]);
    const first = records[0]!;
    assert.deepEqual(first, {
      id: first.id, symbol: 'USDT', amount: '1.000001', from: t.appId, to: other.appId, created_at: t0, request_id: 't-0', receipt: 'rcpt-0', remark: '',
    });
    const received = records.filter((r) => r.to === t.appId);
    assert.deepEqual(received.map((r) => [r.from, r.request_id, r.remark]), [[other.appId, 't-105', 'invoice'], [other.appId, 't-106', ''], [other.appId, 't-107', 'invoice']]);
    // The other merchant sees all 110 of its own; the third sees its 2.
    assert.equal((await drain((maxId) => other.client.syncTransferList({ max_id: maxId }))).records.length, 110);
    assert.deepEqual((await third.client.syncTransferList({ max_id: 0 })).map((r) => r.receipt), ['rcpt-108', 'rcpt-109']);
  });

  it('#16 transferList by request_id (our own) or by receipt (either side)', async () => {
    const byRequest = await t.client.transferList({ ids: 't-3, t-1,t-105' });
    // t-105 was sent by the other merchant: its request_id is not ours.
    assert.deepEqual(byRequest.map((r) => r.request_id), ['t-1', 't-3']);
    assert.equal(byRequest[0]!.remark, 'invoice');
    const byReceipt = await t.client.transferList({ ids: ['rcpt-1', 'rcpt-105', 'rcpt-108'], ids_type: 'receipt' });
    assert.deepEqual(byReceipt.map((r) => [r.receipt, r.from, r.to]), [['rcpt-1', t.appId, other.appId], ['rcpt-105', other.appId, t.appId]]);
    assert.deepEqual((await other.client.transferList({ ids: 't-105', ids_type: 'request_id' })).map((r) => r.amount), ['106.000001']);
    await rejectsWith(t.client.transferList({ ids: 'a', ids_type: 'txid' as never }), ErrorCode.InvalidParameter, /^ids_type/);
    await rejectsWith(t.client.transferList({ ids: '' }), ErrorCode.InvalidParameter, /^ids/);
  });
});
