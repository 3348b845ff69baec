/**
 * Liveness and readiness, on both listeners and without authentication (load balancers and
 * orchestrators call them): `/health` answers 200 while the process serves; `/ready` answers 200
 * only when every check passes, 503 otherwise, and names each check with whether it passed. The
 * answers carry no secret and no node URL: a failed check says what failed, the logs say why.
 */
import type { ServiceContext } from '../context.js';
import { readScanCursor } from '../modules/deposits/index.js';
import { opsNodeReadTimeoutMs, readyAnswerReuseMs, readyDatabaseTimeoutMs, readyScannerLagBlocksMax } from '../limits.js';
import { pendingMigrations } from '../store/migrate.js';

/** One readiness check: its name ("database", "migrations", "keys", "node:<chain>", "scanner:<chain>"), whether it passed, and why not. */
export interface ReadyCheck {
  name: string;
  ok: boolean;
  /** What failed, or what was seen (a scanner's lag), in words without secrets. */
  detail?: string;
}

/** The /ready answer. */
export interface ReadyAnswer {
  ready: boolean;
  checks: ReadyCheck[];
  /** Names of the failed checks (empty when ready). */
  failed: string[];
}

/** What readiness reads beyond the context: whether the key ring is still unlocked (null: no HD seed, no chains). */
export interface ReadyProbe {
  ctx: Pick<ServiceContext, 'store' | 'chains' | 'log'>;
  keysUnlocked(): boolean | null;
}

/** Fails `work` after `ms` (the timer never holds the process open). */
export async function withinMs<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
    timer.unref();
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The database (reachable, schema current), the keys, and each chain's node and scanner lag. */
export async function readiness(probe: ReadyProbe): Promise<ReadyAnswer> {
  const { ctx } = probe;
  const checks: ReadyCheck[] = [];
  let databaseUp = false;
  try {
    const pending = await withinMs(pendingMigrations(ctx.store), readyDatabaseTimeoutMs, 'the database');
    databaseUp = true;
    checks.push({ name: 'database', ok: true });
    checks.push(pending.length === 0 ? { name: 'migrations', ok: true } : { name: 'migrations', ok: false, detail: `${pending.length} migration(s) not applied: run 'openwaas migrate'` });
  } catch (error) {
    ctx.log.warn({ err: (error as Error).message.split('\n')[0] }, 'readiness: the database check failed');
    checks.push({ name: 'database', ok: false, detail: 'the database did not answer' });
    checks.push({ name: 'migrations', ok: false, detail: 'not checked: the database did not answer' });
  }
  const unlocked = probe.keysUnlocked();
  checks.push(unlocked === false ? { name: 'keys', ok: false, detail: 'the key ring is locked' } : { name: 'keys', ok: true, ...(unlocked === null ? { detail: 'no HD seed (no chains)' } : {}) });

  const perChain = await Promise.all(
    [...ctx.chains.values()].map(async (chain): Promise<ReadyCheck[]> => {
      let head: number;
      try {
        head = await withinMs(chain.reader.headNumber(), opsNodeReadTimeoutMs, `the node of ${chain.id}`);
      } catch (error) {
        ctx.log.warn({ chain: chain.id, err: (error as Error).message.split('\n')[0] }, 'readiness: the node did not answer');
        return [
          { name: `node:${chain.id}`, ok: false, detail: 'the node did not answer its head' },
          { name: `scanner:${chain.id}`, ok: false, detail: 'not checked: the node did not answer' },
        ];
      }
      const node: ReadyCheck = { name: `node:${chain.id}`, ok: true, detail: `head ${head}` };
      if (!databaseUp) return [node, { name: `scanner:${chain.id}`, ok: false, detail: 'not checked: the database did not answer' }];
      try {
        const cursor = await withinMs(readScanCursor(ctx.store.db, chain.id), readyDatabaseTimeoutMs, 'the database');
        if (!cursor) return [node, { name: `scanner:${chain.id}`, ok: false, detail: 'the scanner has not started' }];
        const lag = Math.max(0, head - cursor.scannedHeight);
        const ok = lag <= readyScannerLagBlocksMax;
        return [node, { name: `scanner:${chain.id}`, ok, detail: `${lag} block(s) behind${ok ? '' : `, more than ${readyScannerLagBlocksMax}`}` }];
      } catch {
        return [node, { name: `scanner:${chain.id}`, ok: false, detail: 'the database did not answer' }];
      }
    }),
  );
  checks.push(...perChain.flat());
  const failed = checks.filter((c) => !c.ok).map((c) => c.name);
  return { ready: failed.length === 0, checks, failed };
}

/**
 * readiness() for a route: concurrent calls share one check, and an answer younger than
 * readyAnswerReuseMs is given again (the age on the monotonic clock, whatever the service's clock).
 */
export function sharedReadiness(probe: ReadyProbe): () => Promise<ReadyAnswer> {
  let running: Promise<ReadyAnswer> | undefined;
  let last: { answer: ReadyAnswer; atMs: number } | undefined;
  return () => {
    if (last && performance.now() - last.atMs < readyAnswerReuseMs) return Promise.resolve(last.answer);
    running ??= readiness(probe)
      .then((answer) => {
        last = { answer, atMs: performance.now() };
        return answer;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };
}
