/**
 * The replay guard's own cost per API call (bench/api.ts runs it on each database after the HTTP
 * scenarios, with the server stopped, on the same database: its seen_envelopes table holds the
 * rows the scenarios left, as in production). Every accepted call pays one sighting: an insert
 * for a new envelope, an insert that does nothing plus a select for a retry or a replay; one
 * call in a while also pays a prune of up to one batch of expired rows.
 */
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { systemClock } from '../src/clock.js';
import { countSeenEnvelopes, envelopeDigest, pruneSeenEnvelopes, recordEnvelope, replayPruneBatchMax, ReplayGuard } from '../src/modules/envelopes/index.js';
import { findMerchantByAppId } from '../src/modules/merchants/index.js';
import { openStore } from '../src/store/db.js';

/** Sightings timed one after another, per kind. */
const sequentialCalls = 1_000;
/** Sightings in flight at once for the throughput figure (the HTTP scenarios run 32 calls in flight). */
const concurrentInFlight = 32;
const concurrentMs = 2_000;
/** A two-block envelope, as small requests are. */
const envelopeBytes = 512;
/** The window the bench server runs with (the default). */
const windowMs = 300_000;

export interface ReplayGuardFigures {
  rowsAtStart: number;
  firstP50Us: number;
  firstP99Us: number;
  retryP50Us: number;
  retryP99Us: number;
  replayP50Us: number;
  concurrentPerS: number;
  pruneBatchMs: number;
}

function percentile(samples: number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return (performance.now() - started) * 1000;
}

export async function benchReplayGuard(databaseUrl: string, appId: string): Promise<ReplayGuardFigures> {
  const store = openStore(databaseUrl);
  try {
    const merchant = await findMerchantByAppId(store.db, appId);
    if (!merchant) throw new Error(`no merchant ${appId} to bench the replay guard with`);
    const merchantId = Number(merchant.id);
    const guard = new ReplayGuard({ store, clock: systemClock, log: pino({ level: 'silent' }), windowMs });
    const rowsAtStart = await countSeenEnvelopes(store.db);
    const envelopes = Array.from({ length: sequentialCalls }, () => randomBytes(envelopeBytes));

    const first: number[] = [];
    for (const ciphertext of envelopes) first.push(await timed(() => guard.sight({ merchantId, ciphertext, endpoint: 'getByUidAndSymbol' })));
    const retry: number[] = [];
    for (const ciphertext of envelopes) retry.push(await timed(() => guard.sight({ merchantId, ciphertext, endpoint: 'getByUidAndSymbol' })));
    const replay: number[] = [];
    for (const ciphertext of envelopes) replay.push(await timed(() => guard.sight({ merchantId, ciphertext, endpoint: 'registerEmail' })));

    let done = 0;
    const until = performance.now() + concurrentMs;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrentInFlight }, async () => {
        while (performance.now() < until) {
          await guard.sight({ merchantId, ciphertext: randomBytes(envelopeBytes), endpoint: 'getByUidAndSymbol' });
          done++;
        }
      }),
    );
    const concurrentPerS = done / ((performance.now() - started) / 1000);

    // One full batch of expired rows, as a prune after a burst finds it.
    const expiredMs = Date.now() - 1;
    for (let i = 0; i < replayPruneBatchMax; i++) {
      await recordEnvelope(store.db, { merchantId, digest: envelopeDigest(randomBytes(envelopeBytes)), endpoint: 'getByUidAndSymbol', nowMs: expiredMs, expiresAtMs: expiredMs });
    }
    const pruneBatchMs = (await timed(() => pruneSeenEnvelopes(store.db, { nowMs: Date.now(), batchSizeMax: replayPruneBatchMax }))) / 1000;

    return {
      rowsAtStart,
      firstP50Us: percentile(first, 0.5),
      firstP99Us: percentile(first, 0.99),
      retryP50Us: percentile(retry, 0.5),
      retryP99Us: percentile(retry, 0.99),
      replayP50Us: percentile(replay, 0.5),
      concurrentPerS,
      pruneBatchMs,
    };
  } finally {
    await store.close();
  }
}
