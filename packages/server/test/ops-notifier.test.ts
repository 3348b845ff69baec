import { strict as assert } from 'node:assert';
import { after, before, describe, test } from 'node:test';
import { createNotificationHandler, toNodeHttpHandler, type Notification } from '@openwaas/sdk';
import { startNotifier } from '../src/workers/notifier.js';
import { listNotifications, resendNotification } from '../src/modules/notifications/index.js';
import { updateMerchant } from '../src/modules/merchants/index.js';
import { databaseKinds } from './support/databases.js';
import { addMerchant, enqueueDeposits, notificationRow, openOpsContext, startMerchantServer, waitFor, type OpsContext } from './ops-helpers.js';

const schedule = [50, 100, 200];

for (const kind of await databaseKinds()) {
  describe(`notifier (${kind})`, () => {
    let env: OpsContext;
    before(async () => {
      env = await openOpsContext(kind, { notifyScheduleMs: schedule, notifyTimeoutMs: 3_000 });
    });
    after(() => env.close());

    test('a merchant that fails and recovers gets retries on the schedule and processes each notify_id once', async () => {
      const { ctx } = env;
      const merchant = await addMerchant(ctx, { name: 'recovering' });
      const processed = new Map<string, number>();
      let arrivals = 0;
      let calls = 0;
      const handler = createNotificationHandler({
        walletPublicKey: merchant.wallet_public_key,
        onDeposit: (n) => {
          calls += 1;
          // Two failures in the merchant's own processing: the handler answers FAILURE.
          if (calls <= 2) throw new Error('database down');
          processed.set(n.notify_id!, (processed.get(n.notify_id!) ?? 0) + 1);
        },
      });
      const node = toNodeHttpHandler(handler);
      let lostAcks = 0;
      const server = await startMerchantServer((req, res) => {
        arrivals += 1;
        // After the first successful processing the acknowledgement is "lost" once (HTTP 502):
        // the service retries and the handler's notify_id dedupe must not process it again.
        const end = res.end.bind(res);
        res.end = ((...args: unknown[]) => {
          if (processed.size === 1 && lostAcks === 0) {
            lostAcks = 1;
            res.statusCode = 502;
          }
          return end(...(args as []));
        }) as typeof res.end;
        node(req, res);
      });
      await updateMerchant(ctx.store.db, merchant.app_id, { notifyUrl: server.url });
      const [id] = await enqueueDeposits(ctx, Number(merchant.id), 1);
      // The notifier's clock moves only when the test moves it: each retry is due exactly when the schedule says.
      let nowMs = Date.now();
      const notifier = startNotifier({ ...ctx, clock: { nowMs: () => nowMs } });
      try {
        for (const [i, delayMs] of schedule.entries()) {
          await waitFor(`failed attempt ${i + 1} recorded`, async () => (await notificationRow(ctx, id!)).attempts === i + 1);
          const row = await notificationRow(ctx, id!);
          assert.equal(row.state, 'pending');
          assert.equal(Number(row.next_attempt_at), nowMs + delayMs, `retry ${i + 1} is due ${delayMs} ms after attempt ${i + 1}`);
          assert.equal(arrivals, i + 1, 'one request per attempt');
          nowMs += delayMs;
          notifier.wake();
        }
        await waitFor('delivery', async () => (await notificationRow(ctx, id!)).state === 'delivered');
      } finally {
        await notifier.stop();
        await server.close();
      }
      const row = await notificationRow(ctx, id!);
      // Attempt 1 and 2 answered FAILURE, 3 was processed but its ack lost, 4 deduped → SUCCESS.
      assert.equal(row.attempts, 4);
      assert.equal(arrivals, 4);
      assert.deepEqual([...processed.entries()], [[String(id), 1]]);
    });

    test('an exhausted schedule leaves the row failed and listed; resend delivers it', async () => {
      const { ctx } = env;
      const merchant = await addMerchant(ctx, { name: 'down' });
      let healthy = false;
      const seen: Notification[] = [];
      const handler = createNotificationHandler({
        walletPublicKey: merchant.wallet_public_key,
        onNotification: (n) => {
          if (!healthy) throw new Error('still down');
          seen.push(n);
        },
      });
      const server = await startMerchantServer(toNodeHttpHandler(handler));
      await updateMerchant(ctx.store.db, merchant.app_id, { notifyUrl: server.url });
      const [id] = await enqueueDeposits(ctx, Number(merchant.id), 1, 100);
      const notifier = startNotifier(ctx);
      try {
        await waitFor('failure', async () => (await notificationRow(ctx, id!)).state === 'failed');
        const row = await notificationRow(ctx, id!);
        assert.equal(row.attempts, schedule.length + 1);
        assert.match(row.last_error, /FAILURE/);
        const failed = await listNotifications(ctx.store.db, { state: 'failed', merchantId: Number(merchant.id) });
        assert.deepEqual(failed.map((n) => n.id), [id]);

        healthy = true;
        const resent = await resendNotification({ ...ctx, notifier }, id!);
        assert.equal(resent.state, 'pending');
        assert.equal(resent.attempts, 0);
        await waitFor('resend delivery', async () => (await notificationRow(ctx, id!)).state === 'delivered');
      } finally {
        await notifier.stop();
        await server.close();
      }
      assert.equal(seen.length, 1);
      assert.equal(seen[0]!.notify_id, String(id));
      assert.equal(seen[0]!.side, 'deposit');
      assert.equal(seen[0]!.id, '100');
      assert.equal(seen[0]!.charset, 'utf-8');
      assert.equal(seen[0]!.version, 'v2');
      assert.match(seen[0]!.notify_time!, /^\d{13}$/);
      assert.equal((await notificationRow(ctx, id!)).attempts, 1);
    });

    test("a slow merchant does not delay another merchant's deliveries", async () => {
      const { ctx } = env;
      const slow = await addMerchant(ctx, { name: 'slow' });
      const fast = await addMerchant(ctx, { name: 'fast' });
      // The slow endpoint answers nothing until the test lets it: no race between two timers.
      const slowWaiting: Array<() => void> = [];
      let slowAnswered = 0;
      let slowOpen = true;
      const slowServer = await startMerchantServer((req, res) => {
        req.resume();
        const answer = () => {
          slowAnswered += 1;
          res.end('SUCCESS');
        };
        if (slowOpen) slowWaiting.push(answer);
        else answer();
      });
      const fastServer = await startMerchantServer((req, res) => {
        req.resume();
        req.on('end', () => res.end('SUCCESS\n'));
      });
      await updateMerchant(ctx.store.db, slow.app_id, { notifyUrl: slowServer.url });
      await updateMerchant(ctx.store.db, fast.app_id, { notifyUrl: fastServer.url });
      // The slow merchant's backlog is older, so it is first in line.
      const slowIds = await enqueueDeposits(ctx, Number(slow.id), 8, 1_000);
      const fastIds = await enqueueDeposits(ctx, Number(fast.id), 6, 2_000);
      // A timeout far beyond the test: the slow deliveries stay in flight until released.
      const notifier = startNotifier({ ...ctx, config: { ...ctx.config, notifyTimeoutMs: 120_000 } });
      try {
        await waitFor('the slow merchant holding deliveries', () => slowWaiting.length > 0);
        await waitFor('fast deliveries', async () => {
          const rows = await listNotifications(ctx.store.db, { merchantId: Number(fast.id), state: 'delivered' });
          return rows.length === fastIds.length;
        });
        // Every fast delivery finished while the slow endpoint had not answered once.
        assert.equal(slowAnswered, 0, 'the fast merchant waited for the slow one');
        slowOpen = false;
        for (const answer of slowWaiting.splice(0)) answer();
        await waitFor('slow deliveries', async () => {
          const rows = await listNotifications(ctx.store.db, { merchantId: Number(slow.id), state: 'delivered' });
          return rows.length === slowIds.length;
        }, 15_000);
      } finally {
        await notifier.stop();
        await slowServer.close();
        await fastServer.close();
      }
      assert.equal(slowAnswered, slowIds.length);
    });

    test('deliveries survive a worker restart and a crashed worker’s lease', async () => {
      const { ctx } = env;
      const merchant = await addMerchant(ctx, { name: 'restart' });
      let hang = true;
      const received = new Map<string, number>();
      const handler = createNotificationHandler({ walletPublicKey: merchant.wallet_public_key, onNotification: (n) => void received.set(n.notify_id!, (received.get(n.notify_id!) ?? 0) + 1) });
      const node = toNodeHttpHandler(handler);
      let arrivals = 0;
      const server = await startMerchantServer((req, res) => {
        arrivals += 1;
        if (hang) return void req.resume(); // never answers while "hanging"
        node(req, res);
      });
      await updateMerchant(ctx.store.db, merchant.app_id, { notifyUrl: server.url });
      const [first] = await enqueueDeposits(ctx, Number(merchant.id), 1, 3_000);
      const first1 = startNotifier(ctx);
      await waitFor('first attempt in flight', () => arrivals === 1);
      await first1.stop();
      // Stopping mid-delivery gives the row back: pending, no attempt spent, no lease.
      let row = await notificationRow(ctx, first!);
      assert.equal(row.state, 'pending');
      assert.equal(row.attempts, 0);
      assert.equal(Number(row.lease_until), 0);

      // A worker that crashed while holding a lease: the row is taken over once the lease passes.
      const [crashed] = await enqueueDeposits(ctx, Number(merchant.id), 1, 3_001);
      const leaseUntil = Date.now() + 400;
      await ctx.store.db.updateTable('notifications').set({ lease_until: leaseUntil }).where('id', '=', crashed!).execute();

      hang = false;
      const second = startNotifier(ctx);
      try {
        await waitFor('both delivered', async () => (await notificationRow(ctx, first!)).state === 'delivered' && (await notificationRow(ctx, crashed!)).state === 'delivered');
      } finally {
        await second.stop();
        await server.close();
      }
      row = await notificationRow(ctx, crashed!);
      assert.ok(Number(row.delivered_at) >= leaseUntil, 'a live lease was taken over');
      assert.equal(received.get(String(first)), 1);
      assert.equal(received.get(String(crashed)), 1);
    });

    test('two workers on one database deliver each row exactly once', async () => {
      const { ctx } = env;
      const merchants = [await addMerchant(ctx, { name: 'a' }), await addMerchant(ctx, { name: 'b' })];
      const hits = new Map<string, number>();
      for (const m of merchants) {
        const handler = createNotificationHandler({ walletPublicKey: m.wallet_public_key, dedupe: false, onNotification: (n) => void hits.set(n.notify_id!, (hits.get(n.notify_id!) ?? 0) + 1) });
        const server = await startMerchantServer(toNodeHttpHandler(handler));
        await updateMerchant(ctx.store.db, m.app_id, { notifyUrl: server.url });
        after(() => server.close());
      }
      const ids = [...(await enqueueDeposits(ctx, Number(merchants[0]!.id), 15, 4_000)), ...(await enqueueDeposits(ctx, Number(merchants[1]!.id), 15, 5_000))];
      const workers = [startNotifier(ctx), startNotifier(ctx)];
      try {
        await waitFor('all delivered', async () => {
          const rows = await ctx.store.db.selectFrom('notifications').select('state').where('id', 'in', ids).execute();
          return rows.every((r) => r.state === 'delivered');
        });
      } finally {
        await Promise.all(workers.map((w) => w.stop()));
      }
      assert.equal(hits.size, ids.length);
      assert.ok([...hits.values()].every((n) => n === 1), 'a row was delivered twice');
    });

    test('rows of a merchant without notify_url wait, then go out once a URL is set', async () => {
      const { ctx } = env;
      const merchant = await addMerchant(ctx, { name: 'no-url' });
      const [id] = await enqueueDeposits(ctx, Number(merchant.id), 1, 6_000);
      const server = await startMerchantServer((req, res) => {
        req.resume();
        res.end('SUCCESS');
      });
      // A younger row of a merchant with a URL: once it is delivered, the claim passes have looked at ours.
      const other = await addMerchant(ctx, { name: 'has-url' });
      await updateMerchant(ctx.store.db, other.app_id, { notifyUrl: server.url });
      const [younger] = await enqueueDeposits(ctx, Number(other.id), 1, 6_001);
      const notifier = startNotifier(ctx);
      try {
        await waitFor('the younger row delivered', async () => (await notificationRow(ctx, younger!)).state === 'delivered');
        const row = await notificationRow(ctx, id!);
        assert.equal(row.state, 'pending');
        assert.equal(row.attempts, 0);
        const [listed] = await listNotifications(ctx.store.db, { merchantId: Number(merchant.id) });
        assert.match(listed!.waiting, /no notify_url/);
        await updateMerchant(ctx.store.db, merchant.app_id, { notifyUrl: server.url });
        notifier.wake();
        await waitFor('delivery', async () => (await notificationRow(ctx, id!)).state === 'delivered');
      } finally {
        await notifier.stop();
        await server.close();
      }
    });
  });
}
