/** Merchant-to-merchant transfers (#15) against the domain functions, on SQLite and PostgreSQL. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ErrorCode } from '@openwaas/sdk';
import { parseTransferFields } from '../src/api/handlers/transfer.js';
import { ApiError } from '../src/errors/api-error.js';
import { collectionAccount } from '../src/modules/ledger/index.js';
import { requestTransfer } from '../src/modules/transfers/index.js';
import type { Merchant } from '../src/store/schema.js';
import { eachDatabase } from './support/service.js';
import { addMerchant, assertLedgerClean, balance, createMoneyWorld, fund, rowCounts, units, type MoneyWorld } from './money-fixtures.js';
import { expectCode } from './support/assertions.js';

const usdt = (text: string) => units(text, 6);
let seq = 0;
const nextId = () => `t-${++seq}-${Date.now()}`;


eachDatabase('transfers (domain)', (kind) => {
  let w: MoneyWorld;
  let b: Merchant;
  let noUsdt: Merchant;
  const transfer = async (fields: Record<string, unknown>) =>
    requestTransfer(w.ctx, w.merchant, parseTransferFields({ request_id: nextId(), symbol: 'USDT', to: b.app_id, ...fields }));
  const collection = (m: Merchant) => balance(w, collectionAccount(Number(m.id), w.usdt.id));

  before(async () => {
    w = await createMoneyWorld(kind);
    const other = await addMerchant({ ...w, coins: [w.eth, w.usdt, w.ltc] }, { name: 'transfer-b' });
    const onlyEth = await addMerchant({ ...w, coins: [w.eth] }, { name: 'transfer-c' });
    w.onClose(() => other.confirm.close());
    w.onClose(() => onlyEth.confirm.close());
    b = other.merchant;
    noUsdt = onlyEth.merchant;
    await fund(w, collectionAccount(Number(w.merchant.id), w.usdt.id), usdt('100'));
  });
  after(async () => {
    await assertLedgerClean(w.store);
    await w.close();
  });

  test('moves collection funds to the other merchant, confirmed by the sender', async () => {
    const fromBefore = await collection(w.merchant);
    const toBefore = await collection(b);
    const requestId = nextId();
    const t = await transfer({ request_id: requestId, amount: '12.5', remark: 'invoice 7' });
    assert.match(t.receipt, /^[0-9a-f]{32}$/);
    assert.equal(t.amount, usdt('12.5'));
    assert.equal(t.remark, 'invoice 7');
    assert.equal((await collection(w.merchant)).normal, fromBefore.normal - usdt('12.5'));
    assert.equal((await collection(b)).normal, toBefore.normal + usdt('12.5'));
    const asked = w.confirm.transfers.find((r) => r.request_id === requestId);
    assert.ok(asked);
    assert.equal(asked.to, b.app_id);
    assert.equal(asked.amount, '12.5');
    assert.equal(asked.symbol, 'USDT');
    assert.equal(asked.remark, 'invoice 7');
    assert.match(asked.check_sum, /^[0-9a-f]{32}$/);
    const journal = await w.store.db.selectFrom('journals').selectAll().where('ref_type', '=', 'transfer').where('ref_id', '=', t.id).execute();
    assert.equal(journal.length, 1);

    await expectCode(transfer({ request_id: requestId, amount: '1' }), ErrorCode.DuplicateRequest, (e) => assert.deepEqual(e.data, { receipt: t.receipt }));
  });

  test('refusals: fields, currency, receiver, self, amount, balance, confirmation — nothing written', async () => {
    const before = await rowCounts(w.store);
    const balanceBefore = await collection(w.merchant);
    const names = (field: string) => (e: ApiError) => assert.match(e.message, new RegExp(field));
    await expectCode(transfer({ amount: '1', request_id: '' }), ErrorCode.InvalidParameter, names('request_id'));
    await expectCode(transfer({ amount: '-1' }), ErrorCode.InvalidParameter, names('amount'));
    await expectCode(transfer({ amount: '0' }), ErrorCode.InvalidParameter, names('amount'));
    await expectCode(transfer({ amount: '1', to: '' }), ErrorCode.InvalidParameter, names('to'));
    await expectCode(transfer({ amount: '1', remark: 'x'.repeat(33) }), ErrorCode.InvalidParameter, names('remark'));
    await expectCode(transfer({ amount: '1', symbol: 'DOGE' }), ErrorCode.CurrencyNotSupported);
    await expectCode(transfer({ amount: '1', to: 'no-such-app' }), ErrorCode.InvalidParameter, names('to'));
    await expectCode(transfer({ amount: '1', to: w.merchant.app_id }), ErrorCode.TransferToSelf);
    await expectCode(transfer({ amount: '1', to: noUsdt.app_id }), ErrorCode.CurrencyNotSupported);
    await expectCode(transfer({ amount: '1.0000001' }), ErrorCode.TooPrecise);
    await expectCode(transfer({ amount: '1000' }), ErrorCode.InsufficientBalance);
    for (const mode of ['refuse', 'wrong-checksum', 'bad-envelope'] as const) {
      w.confirm.mode = mode;
      try {
        await expectCode(transfer({ amount: '1' }), ErrorCode.ConfirmationFailed);
      } finally {
        w.confirm.mode = 'approve';
      }
    }
    assert.deepEqual(await rowCounts(w.store), before);
    assert.deepEqual(await collection(w.merchant), balanceBefore);
  });

  test('concurrent transfers never overdraw; a concurrent twin request_id settles once', async () => {
    const start = (await collection(w.merchant)).normal;
    const count = Number(start / usdt('1'));
    const results = await Promise.allSettled(Array.from({ length: count + 20 }, () => transfer({ amount: '1' })));
    const ok = results.filter((r) => r.status === 'fulfilled').length;
    for (const r of results) if (r.status === 'rejected') assert.equal((r.reason as ApiError).code, ErrorCode.InsufficientBalance);
    assert.equal(ok, count);
    assert.equal((await collection(w.merchant)).normal, start - usdt('1') * BigInt(count));

    await fund(w, collectionAccount(Number(w.merchant.id), w.usdt.id), usdt('10'));
    const requestId = nextId();
    const twins = await Promise.allSettled(Array.from({ length: 20 }, () => transfer({ request_id: requestId, amount: '2' })));
    assert.equal(twins.filter((r) => r.status === 'fulfilled').length, 1);
    for (const r of twins) if (r.status === 'rejected') assert.equal((r.reason as ApiError).code, ErrorCode.DuplicateRequest);
    assert.equal((await collection(w.merchant)).normal, start - usdt('1') * BigInt(count) + usdt('8'));
    await assertLedgerClean(w.store);
  });
});
