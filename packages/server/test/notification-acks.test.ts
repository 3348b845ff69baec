/**
 * What acknowledges a notification (API.md §3), through the real notifier against a real local
 * HTTP endpoint on both databases: `SUCCESS` in any case with surrounding whitespace, and a
 * JSON object whose `code` is 0 or "0" (the vendor's PHP example answers
 * `{"code":0,"msg":"Success"}`), each delivered on its first attempt; every other answer is a
 * failed delivery, retried on the schedule and then failed, each attempt keeping the answer's
 * excerpt and why it was refused.
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, test } from 'node:test';
import { startNotifier } from '../src/workers/notifier.js';
import { listNotificationAttempts } from '../src/modules/notifications/index.js';
import { updateMerchant } from '../src/modules/merchants/index.js';
import { databaseKinds } from './support/databases.js';
import { addMerchant, enqueueDeposits, notificationRow, openOpsContext, startMerchantServer, waitFor, type OpsContext } from './ops-helpers.js';

const schedule = [50];

/** Answers that acknowledge (HTTP 200). */
const accepted = [
  'SUCCESS',
  'success',
  'Success',
  '  SUCCESS\r\n',
  '\tsuccess \n',
  '{"code":0,"msg":"Success"}',
  '{"code":"0","msg":"ok"}',
  ' {"code":0} \n',
  '{"msg":"Success","code":0,"data":null}',
];

/** Answers that do not: [HTTP status, body, the error the attempt records]. */
const refused: Array<[number, string, RegExp]> = [
  [200, 'FAILURE', /answered "FAILURE", not SUCCESS/],
  [200, '', /answered "", not SUCCESS/],
  [200, 'SUCCESSFUL', /not SUCCESS/],
  [200, 'SUCCESS\nSUCCESS', /not SUCCESS/],
  [200, 'OK', /not SUCCESS/],
  [200, '"SUCCESS"', /not SUCCESS/],
  [200, '{"code":1,"msg":"fail"}', /not SUCCESS or a JSON code 0/],
  [200, '{"code":"1"}', /not SUCCESS/],
  [200, '{"code":"00"}', /not SUCCESS/],
  [200, '{"code":" 0"}', /not SUCCESS/],
  [200, '{"code":false}', /not SUCCESS/],
  [200, '{"code":null}', /not SUCCESS/],
  [200, '{"msg":"Success"}', /not SUCCESS/],
  [200, '[{"code":0}]', /not SUCCESS/],
  [200, '{"code":0', /not SUCCESS/],
  [200, '0', /not SUCCESS/],
  [500, 'SUCCESS', /^HTTP 500$/],
  [503, '{"code":0,"msg":"Success"}', /^HTTP 503$/],
];

for (const kind of await databaseKinds()) {
  describe(`notification acknowledgements (${kind})`, () => {
    let env: OpsContext;
    before(async () => {
      env = await openOpsContext(kind, { notifyScheduleMs: schedule, notifyTimeoutMs: 3_000 });
    });
    after(() => env.close());

    test('SUCCESS in any case with whitespace and a JSON code 0 or "0" are delivered; anything else fails with its excerpt on every attempt', async () => {
      const { ctx } = env;
      const answers: Array<[number, string]> = [...accepted.map((body) => [200, body] as [number, string]), ...refused.map(([status, body]) => [status, body] as [number, string])];
      // One merchant per answer, each with its own path on one local server.
      const server = await startMerchantServer((req, res) => {
        req.resume();
        req.on('end', () => {
          const [status, body] = answers[Number(req.url!.split('/').at(-1))]!;
          res.statusCode = status;
          res.end(body);
        });
      });
      const notifier = startNotifier(ctx, { pollIntervalMs: 50 });
      try {
        const ids: number[] = [];
        for (const [i] of answers.entries()) {
          const merchant = await addMerchant(ctx, { name: `ack-${i}` });
          await updateMerchant(ctx.store.db, merchant.app_id, { notifyUrl: `${server.url}/${i}` });
          ids.push((await enqueueDeposits(ctx, Number(merchant.id), 1))[0]!);
        }
        notifier.wake();
        await waitFor('every notification settled', async () => {
          for (const id of ids) if ((await notificationRow(ctx, id)).state === 'pending') return false;
          return true;
        });

        for (const [i, body] of accepted.entries()) {
          const row = await notificationRow(ctx, ids[i]!);
          assert.equal(row.state, 'delivered', `${JSON.stringify(body)} acknowledges`);
          assert.equal(row.attempts, 1);
          const log = await listNotificationAttempts(ctx.store.db, ids[i]!);
          assert.deepEqual(log.map((a) => [a.http_status, a.answer_excerpt, a.error]), [[200, body, '']]);
        }
        for (const [j, [status, body, why]] of refused.entries()) {
          const id = ids[accepted.length + j]!;
          const row = await notificationRow(ctx, id);
          assert.equal(row.state, 'failed', `${status} ${JSON.stringify(body)} is no acknowledgement`);
          assert.equal(row.attempts, schedule.length + 1, 'retried on the schedule, then failed');
          assert.match(row.last_error, why);
          const log = await listNotificationAttempts(ctx.store.db, id);
          assert.equal(log.length, schedule.length + 1);
          for (const a of log) {
            assert.equal(a.http_status, status);
            assert.equal(a.answer_excerpt, body, 'the answer is kept on the attempt');
            assert.match(a.error, why);
          }
        }
      } finally {
        await notifier.stop();
        await server.close();
      }
    });
  });
}
