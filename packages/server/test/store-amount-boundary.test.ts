/**
 * Amounts cross the module repositories (coins, withdrawals, deposits, sweeps and miner fees,
 * stored chain transactions, transfers) as BigInt base units,
 * exact up to the largest value a column holds, on SQLite (decimal text) and PostgreSQL
 * (numeric): what goes in comes back, and no float or decimal string reaches the callers.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DepositStatus } from '@openwaas/sdk';
import { formatAmount } from '../src/money/amount.js';
import { findCoinBySymbol, listCoins, upsertCoin } from '../src/modules/coins/index.js';
import { depositsAfter, findDeposit, insertDeposit } from '../src/modules/deposits/index.js';
import { userAccount } from '../src/modules/ledger/index.js';
import { findWithdrawal, requestWithdrawal, withdrawalsAfter } from '../src/modules/withdrawals/index.js';
import { insertChainTx, listChainTxPage, updateChainTxs } from '../src/modules/chain-sends/repository.js';
import { findMinerFeeOfSlot, findSweepById, insertMinerFee, insertSweep, listSweepPage, minerFeesAfter, updateMinerFee, updateSweep } from '../src/modules/sweeps/repository.js';
import { findTransferByRequestId, insertTransfer, transfersAfter } from '../src/modules/transfers/repository.js';
import { addChainAddress, addMerchant, addUser, createMoneyWorld, evmChain, fund, units, type MoneyWorld } from './money-fixtures.js';
import { eachDatabase } from './support/service.js';

/** 2^256 − 1: any 256-bit token amount. */
const top = 2n ** 256n - 1n;

eachDatabase('amounts at the repository boundary', (kind) => {
  let w: MoneyWorld;
  before(async () => {
    w = await createMoneyWorld(kind);
  });
  after(() => w.close());

  test('coins: limits, fee and minimum deposit come back as the BigInt written, 256 bits exact', async () => {
    const written = await upsertCoin(w.store.db, {
      symbol: 'BIG',
      chain: evmChain,
      contractAddress: '0x' + 'cd'.repeat(20),
      decimals: 18,
      minWithdraw: '0.000000000000000001',
      maxWithdraw: formatAmount(top, 18),
      withdrawFee: formatAmount(top - 1n, 18),
      autoApproveMax: formatAmount(top - 2n, 18),
      dailyLimit: formatAmount(2n ** 64n + 1n, 18),
      minDeposit: formatAmount(2n ** 53n + 1n, 18),
      nowMs: w.clock.nowMs(),
    });
    const expected = [1n, top, top - 1n, top - 2n, 2n ** 64n + 1n, 2n ** 53n + 1n];
    const amountsOf = (c: typeof written) => [c.min_withdraw, c.max_withdraw, c.withdraw_fee, c.auto_approve_max, c.daily_limit, c.min_deposit];
    assert.deepEqual(amountsOf(written), expected);
    assert.deepEqual(amountsOf((await findCoinBySymbol(w.store.db, 'BIG'))!), expected);
    assert.deepEqual(amountsOf((await listCoins(w.store.db)).find((c) => c.symbol === 'BIG')!), expected);
    assert.equal(typeof written.id, 'number');
  });

  test('withdrawals: amount and fees come back as BigInt, beyond what a float holds', async () => {
    const uid = await addUser(w, w.merchant, 'boundary-withdraw@example.com');
    await fund(w, userAccount(w.merchant.id, uid, w.eth.id), units('3', 18));
    const amount = units('1.234567890123456789', 18);
    const requested = await requestWithdrawal(w.ctx, w.merchant, { requestId: 'boundary-1', fromUid: uid, toAddress: '0x' + '1'.repeat(40), amount: '1.234567890123456789', symbol: 'ETH' });
    const expected = { amount, withdraw_fee: units('0.01', 18), real_fee: 0n };
    const amountsOf = (r: typeof requested) => ({ amount: r.amount, withdraw_fee: r.withdraw_fee, real_fee: r.real_fee });
    assert.deepEqual(amountsOf(requested), expected);
    assert.deepEqual(amountsOf((await findWithdrawal(w.store.db, requested.id))!), expected);
    const listed = (await withdrawalsAfter(w.store.db, { merchantId: w.merchant.id, maxId: 0, limit: 100 })).find((r) => r.id === requested.id)!;
    assert.deepEqual(amountsOf(listed), expected);
  });

  test('deposits: the amount comes back as the BigInt written, 256 bits exact', async () => {
    const uid = await addUser(w, w.merchant, 'boundary-deposit@example.com');
    const nowMs = w.clock.nowMs();
    const inserted = await insertDeposit(w.store.db, {
      merchant_id: w.merchant.id,
      uid,
      coin_id: w.usdt.id,
      symbol: 'USDT',
      amount: top,
      address_from: '0x' + '2'.repeat(40),
      address_to: '0x' + '3'.repeat(40),
      txid: '0x' + '4'.repeat(64),
      tx_index: '0',
      confirmations: 0,
      status: DepositStatus.Confirming,
      to_collection: 0,
      withdrawal_id: null,
      created_at: nowMs,
      updated_at: nowMs,
    });
    assert.equal(inserted!.amount, top);
    assert.equal((await findDeposit(w.store.db, inserted!.id))!.amount, top);
    const listed = (await depositsAfter(w.store.db, { merchantId: w.merchant.id, maxId: 0, limit: 100 })).find((d) => d.id === inserted!.id)!;
    assert.equal(listed.amount, top);
  });

  test('sweeps, stored chain transactions and miner fees: amounts come back as the BigInt written, 256 bits exact', async () => {
    const db = w.store.db;
    const nowMs = w.clock.nowMs();
    const uid = await addUser(w, w.merchant, 'boundary-sweep@example.com');
    const address = '0x' + '5'.repeat(40);
    await addChainAddress(w, { merchantId: w.merchant.id, uid, chain: evmChain, address, hdIndex: 900 });
    const chainAddress = await db.selectFrom('chain_addresses').select('id').where('address', '=', address).executeTakeFirstOrThrow();

    const sweepId = await insertSweep(db, {
      chain: evmChain, merchant_id: w.merchant.id, coin_id: w.usdt.id, chain_address_id: Number(chainAddress.id), address, amount: top,
      state: 'sweep_pending', topup_tx_id: null, sweep_tx_id: null, attempts: 0, last_error: '', created_at: nowMs, updated_at: nowMs,
    });
    assert.equal((await findSweepById(db, sweepId))!.amount, top);

    const tx = await insertChainTx(db, {
      chain: evmChain, purpose: 'sweep', ref_id: sweepId, from_address: address, to_address: '0x' + '6'.repeat(40), token: w.usdt.contract_address,
      sequence: 0, value: top, fee_max: top - 1n, terms: '{}', raw: '0x02', hash: '0x' + '7'.repeat(64), state: 'signed', replaces_id: null,
      block_number: null, block_hash: '', fee: 0n, broadcasts: 0, last_error: '', broadcast_at: 0, created_at: nowMs, updated_at: nowMs,
    });
    const txAmounts = (r: typeof tx) => [r.value, r.fee_max, r.fee];
    assert.deepEqual(txAmounts(tx), [top, top - 1n, 0n]);
    const [mined] = await updateChainTxs(db, { ids: [tx.id] }, { state: 'mined', fee: top - 2n, updated_at: nowMs });
    assert.deepEqual(txAmounts(mined!), [top, top - 1n, top - 2n]);
    assert.deepEqual(txAmounts((await listChainTxPage(db, { refId: sweepId, purpose: 'sweep', limit: 10 }))[0]!), [top, top - 1n, top - 2n]);

    await updateSweep(db, sweepId, { amount: top - 3n, sweep_tx_id: tx.id });
    assert.equal((await findSweepById(db, sweepId))!.amount, top - 3n);
    assert.equal((await listSweepPage(db, { limit: 100 })).find((r) => r.id === sweepId)!.amount, top - 3n);

    const minerFeeId = await insertMinerFee(db, {
      merchant_id: w.merchant.id, coin_id: w.usdt.id, symbol: 'USDT', amount: top, fee: 0n, address_from: address, address_to: tx.to_address, txid: tx.hash,
      txid_type: '0', confirmations: 0, status: DepositStatus.Confirming, base_symbol: 'ETH', contract_address: w.usdt.contract_address, email: '',
      sweep_id: sweepId, chain_tx_id: tx.id, created_at: nowMs, updated_at: nowMs,
    });
    await updateMinerFee(db, minerFeeId, { fee: top - 1n });
    const feeAmounts = (r: { amount: bigint; fee: bigint }) => [r.amount, r.fee];
    assert.deepEqual(feeAmounts((await findMinerFeeOfSlot(db, [tx.id]))!), [top, top - 1n]);
    assert.deepEqual(feeAmounts((await minerFeesAfter(db, { merchantId: w.merchant.id, maxId: 0, limit: 100 })).find((r) => r.id === minerFeeId)!), [top, top - 1n]);
  });

  test('transfers: the amount comes back as the BigInt written, 256 bits exact', async () => {
    const receiver = await addMerchant({ ...w, coins: [w.usdt] }, { name: 'boundary-receiver' });
    w.onClose(() => receiver.confirm.close());
    const inserted = await insertTransfer(w.store.db, {
      from_merchant_id: w.merchant.id, to_merchant_id: receiver.merchant.id, request_id: 'boundary-transfer', receipt: 'f'.repeat(32), coin_id: w.usdt.id,
      symbol: 'USDT', amount: top, remark: '', created_at: w.clock.nowMs(),
    });
    assert.equal(inserted.amount, top);
    assert.equal((await findTransferByRequestId(w.store.db, { fromMerchantId: w.merchant.id, requestId: 'boundary-transfer' }))!.amount, top);
    assert.equal((await transfersAfter(w.store.db, { merchantId: receiver.merchant.id, maxId: 0, limit: 100 })).find((t) => t.id === inserted.id)!.amount, top);
  });
});
