/**
 * The delivery attempt log (notification_attempts) through the operator API on its own
 * listener, on both databases: a merchant that fails twice and then answers SUCCESS leaves
 * three attempts with their statuses and answers; a resend appends to the same log; an
 * unreachable URL leaves attempts without a status and with the error; a long answer is kept
 * as a bounded excerpt.
 */
import { strict as assert } from 'node:assert';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, before, it } from 'node:test';
import { updateMerchant } from '../src/modules/merchants/index.js';
import { notifyAnswerExcerptBytesMax, notifyAttemptsKeptMax } from '../src/limits.js';
import { logDeliveryAttempt } from '../src/modules/notifications/index.js';
import { enqueueDeposits, notificationRow, startMerchantServer, waitFor } from './ops-helpers.js';
import { cliRunners } from './support/cli.js';
import { operatorCall } from './support/operators.js';
import { eachDatabase, startTestService, type TestService } from './support/service.js';

/** A local port nothing listens on: bound once, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

eachDatabase('notification delivery attempts', (kind) => {
  let t: TestService;
  before(async () => {
    t = await startTestService({ kind, config: { operatorApi: true, workers: true, notifyScheduleMs: [50, 50, 50], notifyTimeoutMs: 3_000 } });
  });
  after(() => t.close());

  const detail = async (id: number) => {
    const res = await operatorCall(t, 'GET', `/notifications/${id}`);
    assert.equal(res.status, 200, res.text);
    return res.json;
  };

  it('a merchant failing twice and then answering SUCCESS leaves three attempts; a resend appends a fourth', async () => {
    const m = await t.addMerchant({ name: 'recovers' });
    const answers: Array<[number, string]> = [
      [503, 'busy, try later'],
      [200, 'FAILURE'],
    ];
    let arrivals = 0;
    const server = await startMerchantServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const [status, body] = answers[arrivals] ?? [200, 'SUCCESS'];
        arrivals += 1;
        res.statusCode = status;
        res.end(body);
      });
    });
    try {
      await updateMerchant(t.ctx.store.db, m.appId, { notifyUrl: server.url });
      const [id] = await enqueueDeposits(t.ctx, Number(m.merchant.id), 1);
      t.ctx.notifier.wake();
      await waitFor('delivery', async () => (await notificationRow(t.ctx, id!)).state === 'delivered');

      const shown = await detail(id!);
      assert.equal(shown.state, 'delivered');
      assert.equal(shown.attempts, 3);
      const log = shown.attempts_log as Array<Record<string, unknown>>;
      assert.deepEqual(
        log.map((a) => [a.attempt, a.http_status, a.answer_excerpt]),
        [
          [1, 503, 'busy, try later'],
          [2, 200, 'FAILURE'],
          [3, 200, 'SUCCESS'],
        ],
      );
      assert.equal(log[0]!.error, 'HTTP 503');
      assert.match(String(log[1]!.error), /not SUCCESS/);
      assert.equal(log[2]!.error, '');
      for (const a of log) {
        assert.equal(typeof a.at_ms, 'number');
        assert.ok(Number.isInteger(a.duration_ms) && (a.duration_ms as number) >= 0);
      }
      assert.ok((log[0]!.at_ms as number) <= (log[1]!.at_ms as number) && (log[1]!.at_ms as number) <= (log[2]!.at_ms as number), 'oldest first');

      // A resend goes out again and appends to the same log, numbering on.
      const resent = await operatorCall(t, 'POST', `/notifications/${id}/resend`);
      assert.equal(resent.status, 200, resent.text);
      await waitFor('the resent delivery logged', async () => (await detail(id!)).attempts_log.length === 4);
      const again = await detail(id!);
      assert.equal(again.state, 'delivered');
      assert.deepEqual(again.attempts_log.map((a: { attempt: number }) => a.attempt), [1, 2, 3, 4]);
      assert.equal(again.attempts_log[3].http_status, 200);
      assert.equal(again.attempts_log[3].answer_excerpt, 'SUCCESS');
      assert.equal(arrivals, 4);

      // The CLI prints the same view.
      const { cliHere } = cliRunners(() => ({ DATABASE_URL: t.database.url, OPENWAAS_INSECURE_DEV_KEYS: '1', LOG_LEVEL: 'silent', OPENWAAS_OPERATOR_TOKEN: t.operatorToken }), () => process.cwd());
      const shownByCli = await cliHere(['notifications', 'show', String(id), '--json']);
      assert.equal(shownByCli.code, 0, shownByCli.stderr);
      assert.deepEqual(JSON.parse(shownByCli.stdout), await detail(id!));
      const human = await cliHere(['notifications', 'show', String(id)]);
      assert.equal(human.code, 0, human.stderr);
      assert.match(human.stdout, /attempts\n.*attempt.*http_status[^\n]*\n1 .*503.*busy, try later/s);
    } finally {
      await server.close();
    }
  });

  it('an unreachable URL leaves attempts without an HTTP status and with the error, until the row fails', async () => {
    const m = await t.addMerchant({ name: 'unreachable' });
    await updateMerchant(t.ctx.store.db, m.appId, { notifyUrl: `http://127.0.0.1:${await closedPort()}/notify` });
    const [id] = await enqueueDeposits(t.ctx, Number(m.merchant.id), 1);
    t.ctx.notifier.wake();
    await waitFor('the schedule exhausted', async () => (await notificationRow(t.ctx, id!)).state === 'failed');
    const shown = await detail(id!);
    assert.equal(shown.attempts, 4);
    assert.equal(shown.attempts_log.length, 4, 'one logged attempt per attempt made');
    for (const a of shown.attempts_log) {
      assert.equal(a.http_status, null);
      assert.equal(a.answer_excerpt, '');
      assert.match(a.error, /fetch failed|ECONNREFUSED/);
    }
    assert.equal(shown.last_error, shown.attempts_log[3].error, "the row's last error is the last attempt's");
  });

  it(`keeps at most ${notifyAnswerExcerptBytesMax} bytes of an answer, cut on a character boundary`, async () => {
    const m = await t.addMerchant({ name: 'talkative' });
    // Three-byte characters after two single bytes (one a NUL, which no text column holds): a cut
    // at the byte bound falls inside a character.
    const body = 'x\u0000' + '€'.repeat(5_000);
    let arrivals = 0;
    const server = await startMerchantServer((req, res) => {
      req.resume();
      req.on('end', () => {
        arrivals += 1;
        res.statusCode = 200;
        res.end(arrivals === 1 ? body : 'SUCCESS');
      });
    });
    try {
      await updateMerchant(t.ctx.store.db, m.appId, { notifyUrl: server.url });
      const [id] = await enqueueDeposits(t.ctx, Number(m.merchant.id), 1);
      t.ctx.notifier.wake();
      await waitFor('delivery', async () => (await notificationRow(t.ctx, id!)).state === 'delivered');
      const [first] = (await detail(id!)).attempts_log;
      const excerpt = first.answer_excerpt as string;
      assert.ok(Buffer.byteLength(excerpt, 'utf8') <= notifyAnswerExcerptBytesMax, `excerpt of ${Buffer.byteLength(excerpt)} bytes`);
      assert.ok(Buffer.byteLength(excerpt, 'utf8') > notifyAnswerExcerptBytesMax - 3, 'as much as fits');
      assert.ok(body.replace('\u0000', '\uFFFD').startsWith(excerpt), 'a prefix of the answer (NUL shown as U+FFFD), no broken character');
      assert.ok(excerpt.startsWith('x\uFFFD€'));
      assert.match(first.error, /not SUCCESS/);
    } finally {
      await server.close();
    }
  });

  it(`keeps the newest ${notifyAttemptsKeptMax} attempts of a notification resent again and again`, async () => {
    const m = await t.addMerchant({ name: 'resent-forever' });
    const [id] = await enqueueDeposits(t.ctx, Number(m.merchant.id), 1);
    const total = notifyAttemptsKeptMax + 2;
    for (let i = 1; i <= total; i++) {
      await logDeliveryAttempt(t.ctx.store.db, id!, { atMs: i, httpStatus: 500, answer: `answer ${i}`, error: 'HTTP 500', durationMs: 1 });
    }
    const log = (await detail(id!)).attempts_log as Array<{ attempt: number; answer_excerpt: string }>;
    assert.equal(log.length, notifyAttemptsKeptMax);
    assert.equal(log[0]!.attempt, 3);
    assert.equal(log.at(-1)!.attempt, total);
    assert.equal(log.at(-1)!.answer_excerpt, `answer ${total}`);
  });
});
