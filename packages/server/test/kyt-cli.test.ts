/**
 * `openwaas kyt …` on SQLite and PostgreSQL. The commands run in this process through runCli
 * (what the program's main does), each on its own database connection like the real CLI;
 * ops-cli.test.ts covers the program itself in child processes.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { DepositStatus, WithdrawStatus } from '@openwaas/sdk';
import { suspenseAccount } from '../src/modules/chain-sends/index.js';
import { requestWithdrawal } from '../src/modules/withdrawals/index.js';
import { userAccount } from '../src/modules/ledger/index.js';
import type { ServiceContext } from '../src/context.js';
import { runCli } from '../src/cli/run.js';
import { kytTick } from '../src/workers/kyt-worker.js';
import { addUser, assertLedgerClean, balance, createMoneyWorld, fund, units, type MoneyWorld } from './money-fixtures.js';
import { eachDatabase } from './support/service.js';
import { insertHeldDeposit, notifiedStatuses, statusOf, withKyt } from './support/kyt.js';

const denied = '0x' + 'ee'.repeat(20);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

eachDatabase('openwaas kyt (CLI)', (kind) => {
  let world: MoneyWorld;
  let ctx: ServiceContext;
  let uid: number;

  /** Runs one command line as the program would, with only DATABASE_URL set. */
  async function cli(...args: string[]): Promise<Run> {
    const out = { stdout: '', stderr: '' };
    const sink = (key: keyof typeof out) =>
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          out[key] += chunk.toString('utf8');
          done();
        },
      });
    const code = await runCli(args, { stdout: sink('stdout'), stderr: sink('stderr'), env: { DATABASE_URL: world.db.url, OPENWAAS_INSECURE_DEV_KEYS: '1', LOG_LEVEL: 'silent' }, cwd: process.cwd() });
    return { code, ...out };
  }
  /**
   * Runs command lines one after another: two SQLite connections in one thread would wait on
   * each other's write lock (separate CLI processes just queue).
   */
  async function inOrder<const T extends ReadonlyArray<readonly string[]>>(lines: T): Promise<{ -readonly [K in keyof T]: Run }> {
    const runs: Run[] = [];
    for (const line of lines) runs.push(await cli(...line));
    return runs as { -readonly [K in keyof T]: Run };
  }
  const json = (r: Run) => {
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout);
  };

  before(async () => {
    world = await createMoneyWorld(kind);
    ctx = withKyt(world.ctx, { provider: 'builtin', denyAddresses: [denied] });
    uid = await addUser(world, world.merchant, 'cli@example.com');
  });
  after(() => world?.close());

  test('kyt list shows held records; release and reject move them once; bad command lines exit 2', async () => {
    const coinId = Number(world.eth.id);
    await fund(world, userAccount(Number(world.merchant.id), uid, coinId), units('5', 18));
    const request = (requestId: string) => requestWithdrawal(ctx, world.merchant, { requestId, fromUid: uid, toAddress: denied, amount: '1', symbol: 'ETH' });
    const [held, kept] = [await request('cli-1'), await request('cli-2')];
    assert.equal(held.status, WithdrawStatus.AwaitingKyt);
    await kytTick(ctx, new AbortController().signal);
    const now = world.clock.nowMs();
    const deposit = await insertHeldDeposit(ctx, { merchant: world.merchant, uid, coin: world.eth, amount: units('2', 18), createdAt: now, status: DepositStatus.KytManualReview, reason: 'deposit from denied address' });
    const breaker = await insertHeldDeposit(ctx, { merchant: world.merchant, uid, coin: world.eth, amount: units('3', 18), createdAt: now, status: DepositStatus.CircuitBreakerReview });

    const [listed, text, help] = await inOrder([['kyt', 'list', '--json'], ['kyt', 'list', 'withdrawal'], ['kyt', 'reject', '--help']]);
    const all = json(listed);
    assert.deepEqual(all.deposits.map((d: { id: number }) => d.id), [deposit.id, breaker.id]);
    assert.deepEqual(all.withdrawals.map((w: { id: number; status: number }) => [w.id, w.status]), [[held.id, 8], [kept.id, 8]]);
    assert.match(all.withdrawals[0].kyt_reason, /denied address/);
    assert.match(text.stdout, /^Withdrawals\n/);
    assert.doesNotMatch(text.stdout, /Deposits/);
    assert.match(help.stdout, /stay in the suspense account/);

    const [released, rejected, rejectedDeposit, noReason, unknown, badSide, notHeld] = await inOrder([
      ['kyt', 'release', 'deposit', String(deposit.id), '--json'],
      ['kyt', 'reject', 'withdrawal', String(held.id), '--reason', 'sanctioned', '--json'],
      ['kyt', 'reject', 'deposit', String(breaker.id), '--reason', 'returned to sender'],
      ['kyt', 'reject', 'withdrawal', String(kept.id)],
      ['kyt', 'release', 'withdrawal', '999999'],
      ['kyt', 'release', 'thing', '1'],
      ['kyt', 'release', 'deposit', String(deposit.id + breaker.id + 100)],
    ]);
    assert.equal(json(released).status, DepositStatus.Succeeded);
    assert.equal(json(rejected).status, WithdrawStatus.Rejected);
    assert.equal(rejectedDeposit.code, 0, rejectedDeposit.stderr);
    assert.match(rejectedDeposit.stdout, /review_reason\s+.*rejected by cli: returned to sender/);
    assert.equal(noReason.code, 2);
    assert.match(noReason.stderr, /--reason is required/);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /not_found/);
    assert.equal(badSide.code, 2);
    assert.equal(notHeld.code, 1);

    const twice = await cli('kyt', 'release', 'deposit', String(deposit.id));
    assert.equal(twice.code, 1);
    assert.match(twice.stderr, /conflict.*not held/);

    assert.equal(await statusOf(ctx, 'withdrawals', kept.id), WithdrawStatus.KytManualReview);
    assert.deepEqual(await notifiedStatuses(ctx, 'withdraw', held.id), ['7', '8', '2']);
    assert.deepEqual(await notifiedStatuses(ctx, 'deposit', deposit.id), ['1']);
    // 5 credited − 1 − 1 locked + 1 back (rejected) + 2 (released deposit); 1 still locked.
    assert.deepEqual(await balance(world, userAccount(Number(world.merchant.id), uid, coinId)), { normal: units('6', 18), lock: units('1', 18) });
    assert.equal((await balance(world, suspenseAccount(coinId))).normal, units('3', 18), 'the rejected deposit stays in suspense');
    await assertLedgerClean(world.store);
  });
});
