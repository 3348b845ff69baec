/** Deposits held by KYT: the KYT loop re-screens them; operators release or reject them. */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { DepositStatus } from '@openwaas/sdk';
import { AdminError } from '../src/errors/admin-errors.js';
import { suspenseAccount } from '../src/modules/chain-sends/index.js';
import { applyDepositVerdict, rejectDeposit, releaseDeposit } from '../src/modules/deposits/index.js';
import { collectionAccount, userAccount } from '../src/modules/ledger/index.js';
import { holdLease } from '../src/workers/lease.js';
import { kytLeaseName, kytTick } from '../src/workers/kyt-worker.js';
import type { ServiceContext } from '../src/context.js';
import type { Merchant } from '../src/store/schema.js';
import { addMerchant, addUser, assertLedgerClean, balance, createMoneyWorld, units, type MoneyWorld } from './money-fixtures.js';
import { eachDatabase } from './support/service.js';
import { insertHeldDeposit, notifiedStatuses, statusOf, withKyt } from './support/kyt.js';

const denied = '0x' + 'de'.repeat(20);
const never = new AbortController().signal;

eachDatabase('kyt deposit holds', (kind) => {
  let world: MoneyWorld;
  let ctx: ServiceContext;
  let uid: number;
  let collector: Merchant;
  let collectorUid: number;
  let at: number;

  before(async () => {
    world = await createMoneyWorld(kind);
    ctx = withKyt(world.ctx, { provider: 'builtin', denyAddresses: [denied], breaker: { windowMs: 1_000, maxAmount: { USDT: '1000' } } });
    uid = await addUser(world, world.merchant, 'held@example.com');
    const added = await addMerchant({ ...world, coins: [world.eth, world.usdt] }, { name: 'collector', autoCollect: true });
    world.onClose(() => added.confirm.close());
    collector = added.merchant;
    collectorUid = await addUser(world, collector, 'collected@example.com');
    at = world.clock.nowMs();
  });
  after(() => world?.close());

  /** A USDT deposit held at `status`, far enough in time from the others to be alone in its breaker window. */
  const held = (status: number, amount: string, extra: { from?: string; merchant?: Merchant; user?: number } = {}) => {
    at += 10_000;
    return insertHeldDeposit(ctx, { merchant: extra.merchant ?? world.merchant, uid: extra.user ?? uid, coin: world.usdt, amount: units(amount, 6), createdAt: at, status, ...(extra.from ? { from: extra.from } : {}) });
  };
  const suspense = async () => (await balance(world, suspenseAccount(Number(world.usdt.id)))).normal;

  test('the KYT loop re-screens deposits awaiting screening: pass credits, review → 5, breaker → 6; others are left alone', async () => {
    const userBefore = (await balance(world, userAccount(Number(world.merchant.id), uid, Number(world.usdt.id)))).normal;
    const collectionBefore = (await balance(world, collectionAccount(Number(collector.id), Number(world.usdt.id)))).normal;
    const suspenseBefore = await suspense();
    const passes = await held(DepositStatus.AwaitingKyt, '25');
    const collected = await held(DepositStatus.AwaitingKyt, '7', { merchant: collector, user: collectorUid });
    const risky = await held(DepositStatus.AwaitingKyt, '3', { from: denied });
    const flood = await held(DepositStatus.AwaitingKyt, '5000');
    const inReview = await held(DepositStatus.KytManualReview, '11');

    assert.equal(await kytTick(ctx, never), false);

    assert.equal(await statusOf(ctx, 'deposits', passes.id), DepositStatus.Succeeded);
    const credited = await ctx.store.db.selectFrom('deposits').selectAll().where('id', '=', collected.id).executeTakeFirstOrThrow();
    assert.equal(credited.status, DepositStatus.Succeeded);
    assert.equal(credited.to_collection, 1, 'auto-collection: credited to the collection account');
    const reviewed = await ctx.store.db.selectFrom('deposits').selectAll().where('id', '=', risky.id).executeTakeFirstOrThrow();
    assert.equal(reviewed.status, DepositStatus.KytManualReview);
    assert.match(reviewed.review_reason, /denied address/);
    const tripped = await ctx.store.db.selectFrom('deposits').selectAll().where('id', '=', flood.id).executeTakeFirstOrThrow();
    assert.equal(tripped.status, DepositStatus.CircuitBreakerReview);
    assert.match(tripped.review_reason, /circuit breaker/);
    assert.equal(await statusOf(ctx, 'deposits', inReview.id), DepositStatus.KytManualReview);

    assert.equal((await balance(world, userAccount(Number(world.merchant.id), uid, Number(world.usdt.id)))).normal - userBefore, units('25', 6));
    assert.equal((await balance(world, collectionAccount(Number(collector.id), Number(world.usdt.id)))).normal - collectionBefore, units('7', 6));
    assert.equal((await balance(world, userAccount(Number(collector.id), collectorUid, Number(world.usdt.id)))).normal, 0n);
    // Held before: 25 + 7 + 3 + 5000 + 11; credited: 25 + 7.
    assert.equal((await suspense()) - suspenseBefore, units('5014', 6));
    assert.deepEqual(await notifiedStatuses(ctx, 'deposit', passes.id), ['1']);
    assert.deepEqual(await notifiedStatuses(ctx, 'deposit', collected.id), ['1']);
    assert.deepEqual(await notifiedStatuses(ctx, 'deposit', risky.id), ['5']);
    assert.deepEqual(await notifiedStatuses(ctx, 'deposit', flood.id), ['6']);
    assert.deepEqual(await notifiedStatuses(ctx, 'deposit', inReview.id), []);
    await assertLedgerClean(world.store);
  });

  test('operators release (credit) or reject (no credit, funds stay in suspense) held deposits, once', async () => {
    const review = await held(DepositStatus.KytManualReview, '40');
    const breaker = await held(DepositStatus.CircuitBreakerReview, '60');
    const waiting = await held(DepositStatus.AwaitingKyt, '80');
    const before = { user: (await balance(world, userAccount(Number(world.merchant.id), uid, Number(world.usdt.id)))).normal, suspense: await suspense() };

    const released = await releaseDeposit(ctx, { depositId: review.id, by: 'alice' });
    assert.equal(released.status, DepositStatus.Succeeded);
    assert.match(released.review_reason, /held for a test; released by alice/);
    const rejected = await rejectDeposit(ctx, { depositId: breaker.id, reason: '  returned to sender\n by bank  ' });
    assert.equal(rejected.status, DepositStatus.Failed);
    assert.match(rejected.review_reason, /rejected by operator: returned to sender by bank$/);
    const releasedWaiting = await releaseDeposit(ctx, { depositId: waiting.id });
    assert.equal(releasedWaiting.status, DepositStatus.Succeeded);

    assert.equal((await balance(world, userAccount(Number(world.merchant.id), uid, Number(world.usdt.id)))).normal - before.user, units('120', 6));
    assert.equal(before.suspense - (await suspense()), units('120', 6), 'the rejected 60 stays in suspense');
    assert.deepEqual(await notifiedStatuses(ctx, 'deposit', review.id), ['1']);
    assert.deepEqual(await notifiedStatuses(ctx, 'deposit', breaker.id), ['2']);

    const refused = (e: unknown, code: string) => e instanceof AdminError && e.code === code;
    await assert.rejects(releaseDeposit(ctx, { depositId: review.id }), (e) => refused(e, 'conflict') && /status 1/.test((e as Error).message));
    await assert.rejects(rejectDeposit(ctx, { depositId: breaker.id, reason: 'again' }), (e) => refused(e, 'conflict'));
    await assert.rejects(releaseDeposit(ctx, { depositId: 9_999_999 }), (e) => refused(e, 'not_found'));
    const another = await held(DepositStatus.KytManualReview, '1');
    await assert.rejects(rejectDeposit(ctx, { depositId: another.id, reason: '  ' }), (e) => refused(e, 'invalid'));
    assert.equal(await statusOf(ctx, 'deposits', another.id), DepositStatus.KytManualReview);
    await assertLedgerClean(world.store);
  });

  test('a screening verdict for a deposit an operator already decided changes nothing', async () => {
    const d = await held(DepositStatus.AwaitingKyt, '9');
    await rejectDeposit(ctx, { depositId: d.id, reason: 'decided by hand' });
    assert.equal(await applyDepositVerdict(ctx, d.id, { outcome: 'pass' }), undefined);
    assert.equal(await statusOf(ctx, 'deposits', d.id), DepositStatus.Failed);
    assert.deepEqual(await notifiedStatuses(ctx, 'deposit', d.id), ['2']);
  });

  test('concurrent release and reject of one deposit: exactly one wins, money moves once', async () => {
    for (let round = 0; round < 6; round++) {
      const d = await held(round % 2 === 0 ? DepositStatus.KytManualReview : DepositStatus.AwaitingKyt, '2');
      const suspenseBefore = await suspense();
      const results = await Promise.allSettled([
        releaseDeposit(ctx, { depositId: d.id }),
        rejectDeposit(ctx, { depositId: d.id, reason: 'race' }),
        releaseDeposit(ctx, { depositId: d.id }),
        round % 2 === 1 ? applyDepositVerdict(ctx, d.id, { outcome: 'pass' }).then((r) => r ?? Promise.reject(new Error('not applied'))) : rejectDeposit(ctx, { depositId: d.id, reason: 'race 2' }),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      assert.equal(won.length, 1, `round ${round}: ${results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'ok')).join(', ')}`);
      for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof AdminError || /not applied/.test(String(r.reason)), String(r.reason));
      const status = await statusOf(ctx, 'deposits', d.id);
      assert.equal((await notifiedStatuses(ctx, 'deposit', d.id)).length, 1);
      assert.equal(suspenseBefore - (await suspense()), status === DepositStatus.Succeeded ? units('2', 6) : 0n);
    }
    await assertLedgerClean(world.store);
  });

  test('the KYT loop runs only while this process holds the "kyt" lease', async () => {
    const d = await held(DepositStatus.AwaitingKyt, '4');
    // This process's lease from the ticks above runs out; another process takes it.
    world.clock.ms += 61_000;
    assert.equal(await holdLease(ctx.store, kytLeaseName, world.clock.nowMs(), 60_000, 'another-process'), true);
    assert.equal(await kytTick(ctx, never), false);
    assert.equal(await statusOf(ctx, 'deposits', d.id), DepositStatus.AwaitingKyt);
    world.clock.ms += 61_000;
    await kytTick(ctx, never);
    assert.equal(await statusOf(ctx, 'deposits', d.id), DepositStatus.Succeeded, 'an expired lease is taken over');
  });

  test('a screening service that is down: deposits wait at 4 with the reason, retried with back-off, then credited', async () => {
    let down = true;
    let requests = 0;
    const server: Server = createServer((req, res) => {
      requests++;
      req.resume();
      req.on('end', () => {
        res.writeHead(down ? 503 : 200, { 'content-type': 'application/json' });
        res.end(down ? '' : '{"result":"pass"}');
      });
    });
    server.keepAliveTimeout = 1;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    world.onClose(() => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))));
    const httpCtx = withKyt(world.ctx, { provider: 'http', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, timeoutMs: 2_000, retryMinMs: 5_000, retryMaxMs: 20_000 });
    // Leave earlier tests' waiting deposits out of this one.
    await ctx.store.db.updateTable('deposits').set({ status: DepositStatus.KytManualReview }).where('status', '=', DepositStatus.AwaitingKyt).execute();
    const first = await held(DepositStatus.AwaitingKyt, '12');
    const second = await held(DepositStatus.AwaitingKyt, '13');

    await kytTick(httpCtx, never);
    assert.equal(requests, 1, 'an unreachable provider stops the round after one try');
    const waiting = await ctx.store.db.selectFrom('deposits').selectAll().where('id', '=', first.id).executeTakeFirstOrThrow();
    assert.equal(waiting.status, DepositStatus.AwaitingKyt);
    assert.match(waiting.review_reason, /screening service: answered HTTP 503/);
    assert.deepEqual(await notifiedStatuses(ctx, 'deposit', first.id), [], 'no status change, no notification');

    await kytTick(httpCtx, never);
    assert.equal(requests, 2, 'the first deposit waits (back-off); the second is tried');
    await kytTick(httpCtx, never);
    assert.equal(requests, 2, 'both in back-off');

    down = false;
    world.clock.ms += 5_000;
    await kytTick(httpCtx, never);
    assert.equal(requests, 4);
    assert.equal(await statusOf(ctx, 'deposits', first.id), DepositStatus.Succeeded);
    assert.equal(await statusOf(ctx, 'deposits', second.id), DepositStatus.Succeeded);
    assert.deepEqual(await notifiedStatuses(ctx, 'deposit', second.id), ['1']);
    await assertLedgerClean(world.store);
  });
});
