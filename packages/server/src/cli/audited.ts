/**
 * Operator commands that change something record one entry in the operator audit trail, as
 * the operator API's routes do (operator/audit-trail.ts): the command's actor, the command as
 * the action ("coin set"), the record it touched, done or refused with the error code. The
 * entry is appended right after the command's work, on the same database, before its output;
 * a manual credit or debit appends it inside its own transaction.
 */
import type { ServiceContext } from '../context.js';
import { recordOperatorEvent, type OperatorEvent } from '../modules/operator-audit/index.js';
import { cliActor } from '../operator/actor-of.js';
import type { AuditNote } from '../operator/audit-trail.js';
import type { Db } from '../store/tx.js';
import { asAdminError } from '../operator/errors.js';
import { CommandFailed, type Io } from './args.js';
import { withContext } from './context.js';

function outcomeOf(error: unknown): Pick<OperatorEvent, 'outcome' | 'errorCode'> {
  // The command's own refusals (a sweep not failed, an alert not open) answer exit 1 with a message.
  if (error instanceof CommandFailed) return { outcome: 'refused', errorCode: 'conflict' };
  const known = asAdminError(error);
  if (known) return { outcome: known.status >= 500 ? 'failed' : 'refused', errorCode: known.code };
  return { outcome: 'failed', errorCode: 'internal' };
}

/**
 * Runs `fn` like withContext and records its outcome. `fn` may add the record before and after
 * (or a target only it knows) with `note`. A refusal is recorded and then thrown on, so the
 * command still answers it as before.
 */
export async function withAuditedContext<T>(
  io: Io,
  entry: { action: string; target: string },
  fn: (ctx: ServiceContext, note: (n: AuditNote) => void, recordIn: (tx: Db, after: unknown) => Promise<void>) => Promise<T>,
): Promise<T> {
  return withContext(io, async (ctx) => {
    let noted: AuditNote = {};
    let recorded = false;
    const note = (n: AuditNote) => (noted = { ...noted, ...n });
    const event = () => ({ actor: cliActor(), action: entry.action, target: noted.target ?? entry.target, nowMs: ctx.clock.nowMs() });
    const done = async (db: Db) => {
      recorded = true;
      await recordOperatorEvent(db, {
        ...event(),
        outcome: 'done',
        ...('before' in noted ? { before: noted.before } : {}),
        ...('after' in noted ? { after: noted.after } : {}),
      });
    };
    // For operations that take a step inside their transaction (manual adjustments): the entry commits with the change.
    const recordIn = async (tx: Db, after: unknown) => {
      note({ after });
      await done(tx);
    };
    let result: T;
    try {
      result = await fn(ctx, note, recordIn);
    } catch (error) {
      if (!recorded) await recordOperatorEvent(ctx.store.db, { ...event(), ...outcomeOf(error) });
      throw error;
    }
    if (!recorded) await done(ctx.store.db);
    return result;
  });
}
