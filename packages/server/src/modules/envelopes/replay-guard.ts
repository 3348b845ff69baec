/**
 * The replay guard. A request envelope is "private encrypted" with PKCS#1 v1.5 type 1 padding,
 * which is deterministic and carries no nonce: a captured `data` stays valid for the whole time
 * window, and nothing in it names the endpoint. Every accepted envelope is therefore recorded
 * here, per merchant, by the sha256 of its decoded ciphertext with the endpoint it was first
 * accepted on. The same envelope on the same endpoint is a retry (the endpoint's own idempotency
 * answers it); on any other endpoint it is refused.
 *
 * The database is the truth, so every API process on one database agrees: the first insert wins
 * (`on conflict do nothing`, atomic on SQLite and PostgreSQL) and everyone reads its endpoint.
 * The digest is taken over the decoded bytes, not the text: the decoder tolerates padding,
 * whitespace, both base64 alphabets and stray trailing bits, so one ciphertext has many
 * spellings but one byte string (and RSA refuses a block ≥ the modulus, so one byte string
 * per plaintext and segmentation).
 *
 * Bound: a row lives until `now + 2 × window + replayClockMarginMs` of the process that accepted
 * it (an envelope's `time` is at most one window ahead of that process's clock, and stays
 * acceptable one window after its `time`). So the table holds at most the envelopes accepted
 * in the last 2 × window + margin (11 minutes with the default 5-minute window). Expired rows
 * are deleted by the API processes themselves, in batches, while they take requests.
 */
import { createHash } from 'node:crypto';
import { replayClockMarginMs, replayPruneBatchMax, replayPruneIntervalMs } from '../../limits.js';
import type { Db } from '../../store/tx.js';
import type { ReplayGuardDeps } from './deps.js';
import { insertSeenEnvelope, pruneSeenEnvelopes, seenEnvelopeEndpoint } from './repository.js';

export { replayClockMarginMs, replayPruneBatchMax, replayPruneIntervalMs };

/** What the guard says about an envelope that opened and whose `time` is in the window. */
export type EnvelopeSighting =
  /** Not seen before: recorded for this endpoint. */
  | { kind: 'first' }
  /** Seen on this same endpoint: a retry. */
  | { kind: 'retry' }
  /** Seen on another endpoint: a replay. */
  | { kind: 'replayed'; firstEndpoint: string };

export interface RecordEnvelopeInput {
  merchantId: number;
  /** sha256 (hex) of the decoded ciphertext, see envelopeDigest. */
  digest: string;
  endpoint: string;
  nowMs: number;
  expiresAtMs: number;
}

/** The digest the guard keys envelopes by: sha256 (hex) of the decoded ciphertext bytes. */
export function envelopeDigest(ciphertext: Uint8Array): string {
  return createHash('sha256').update(ciphertext).digest('hex');
}

/** Records an envelope, or finds who recorded it first. Atomic across processes on one database. */
export async function recordEnvelope(db: Db, input: RecordEnvelopeInput): Promise<EnvelopeSighting> {
  if (await insertSeenEnvelope(db, input)) return { kind: 'first' };
  const endpoint = await seenEnvelopeEndpoint(db, { merchantId: input.merchantId, digest: input.digest });
  // Gone between the two statements: only a prune of an expired row does that, and an expired
  // envelope never gets this far (its `time` is out of the window). Refuse rather than guess.
  if (endpoint === undefined) return { kind: 'replayed', firstEndpoint: '(expired)' };
  return endpoint === input.endpoint ? { kind: 'retry' } : { kind: 'replayed', firstEndpoint: endpoint };
}

/**
 * One process's view of the guard: records each accepted envelope and, every
 * replayPruneIntervalMs (or at once while there is a backlog), deletes one batch of expired rows.
 */
export class ReplayGuard {
  #nextPruneAtMs = 0;

  constructor(private readonly deps: ReplayGuardDeps) {}

  /** Records `ciphertext` (the decoded `data`) as accepted by `endpoint` for merchant `merchantId`. */
  async sight(input: { merchantId: number; ciphertext: Uint8Array; endpoint: string }): Promise<EnvelopeSighting> {
    const nowMs = this.deps.clock.nowMs();
    const sighting = await recordEnvelope(this.deps.store.db, {
      merchantId: input.merchantId,
      digest: envelopeDigest(input.ciphertext),
      endpoint: input.endpoint,
      nowMs,
      expiresAtMs: nowMs + 2 * this.deps.windowMs + replayClockMarginMs,
    });
    if (nowMs >= this.#nextPruneAtMs) await this.#prune(nowMs);
    return sighting;
  }

  async #prune(nowMs: number): Promise<void> {
    // Claimed before the await: concurrent calls of this process do not prune side by side.
    this.#nextPruneAtMs = nowMs + replayPruneIntervalMs;
    try {
      const deleted = await pruneSeenEnvelopes(this.deps.store.db, { nowMs, batchSizeMax: replayPruneBatchMax });
      // A full batch means a backlog: the next call takes another batch.
      if (deleted >= replayPruneBatchMax) this.#nextPruneAtMs = nowMs;
    } catch (error) {
      // Expired rows only cost space; the guard itself stands. Try again next interval.
      this.deps.log.warn({ err: error }, 'cannot prune expired envelope records');
    }
  }
}
