import type { AlertResolveDeps, ChainSendDeps } from './deps.js';
import { raiseAlert, resolveAlert } from '../alerts/index.js';
import { RemoteSignerError } from '../../keys/remote-signer.js';
import { alertRepeatMs } from '../../limits.js';
import type { Db } from '../../store/tx.js';
import { RecordClaimLostError } from './stored-txs.js';

/** Raises an alert unless this process raised the same message within alertRepeatMs; logs a warning when it does. */
export class AlertThrottle {
  readonly #last = new Map<string, { message: string; atMs: number }>();

  /** `db`: the caller's open transaction, if any (SQLite has one connection: never wait for another). */
  async raise(ctx: ChainSendDeps, input: { kind: string; key: string; message: string }, db: Db = ctx.store.db): Promise<void> {
    const nowMs = ctx.clock.nowMs();
    const last = this.#last.get(input.key);
    if (last && last.message === input.message && nowMs - last.atMs < alertRepeatMs) return;
    this.#last.set(input.key, { message: input.message, atMs: nowMs });
    ctx.log.warn({ alert: input.kind, key: input.key }, input.message);
    await raiseAlert(db, { ...input, nowMs });
  }

  async resolve(ctx: AlertResolveDeps, key: string, db: Db = ctx.store.db): Promise<void> {
    this.#last.delete(key);
    await resolveAlert(db, key, ctx.clock.nowMs());
  }
}

const alerts = new AlertThrottle();

/** Alert key of "the signer of `address` on `chain` fails or refuses". */
export const signerFailingKey = (chain: string, address: string) => `signer-failing:${chain}:${address}`;

/**
 * Runs a transaction that signs and stores an outgoing transaction from `address`. Its record
 * taken meanwhile (RecordClaimLostError) or an external signer that fails, refuses or signs
 * something else (RemoteSignerError) roll it back, sequence included, and yield undefined: the
 * record waits for the next tick, and the signer's failure is an operator alert until a
 * signature succeeds again.
 */
export async function storeSigned<T>(ctx: ChainSendDeps, input: { chain: string; address: string; what: string }, store: () => Promise<T>): Promise<T | undefined> {
  const key = signerFailingKey(input.chain, input.address);
  try {
    const row = await store();
    await alerts.resolve(ctx, key);
    return row;
  } catch (error) {
    if (error instanceof RecordClaimLostError) return undefined;
    if (error instanceof RemoteSignerError) {
      await alerts.raise(ctx, { kind: 'signer-failing', key, message: `the signer of ${input.address} on ${input.chain} did not sign ${input.what}: ${error.message}; it waits and is tried again` });
      return undefined;
    }
    throw error;
  }
}
