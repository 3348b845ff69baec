/**
 * CLI commands of sensitive changes (operator/four-eyes.ts): the command's input, shaped as
 * the operator route's request, is applied at once or, once two admins exist, stored as a
 * change request that another admin decides with `openwaas change approve|reject`. Either way
 * the command's audit entry holds the record before and the outcome, and it exits 0.
 */
import type { ServiceContext } from '../context.js';
import type { OperatorResponse } from '../contracts/operator.js';
import type { ChangeRequestView } from '../modules/change-requests/index.js';
import { cliActor } from '../operator/actor-of.js';
import { parseSensitiveInput, runSensitive, type SensitiveOutcome, type SensitiveRoute } from '../operator/four-eyes.js';
import { describe, print, type Io, type Parsed } from './args.js';
import { withAuditedContext } from './audited.js';

/** The text of a change request waiting for a second admin. */
export function describePending(r: ChangeRequestView): string {
  return `change request ${r.id} waits for another admin's approval (openwaas change approve ${r.id}):\n` + describe({ kind: r.kind, target: r.target, requested_by: r.requested_by.name, change: JSON.stringify(r.change), before: JSON.stringify(r.before) });
}

/**
 * Runs command `command` as route `key` with `raw` ({params, query, body} in the route's wire
 * names). Applied: `printApplied` says what to print (JSON and text); pending: the change request is printed
 * (JSON with --json). `check` runs first, in the context (the command's own refusals).
 */
export async function runSensitiveCommand<R extends SensitiveRoute>(
  io: Io,
  p: Parsed,
  spec: { command: string; key: R; target: string; raw: unknown; check?: (ctx: ServiceContext) => Promise<void>; printApplied: (applied: OperatorResponse<R>) => { json: unknown; text: string } },
): Promise<SensitiveOutcome<R>> {
  const money = spec.key === 'POST /balances/credit' || spec.key === 'POST /balances/debit';
  const out = await withAuditedContext(io, { action: spec.command, target: spec.target }, async (ctx, note, recordIn) => {
    await spec.check?.(ctx);
    const input = parseSensitiveInput(spec.key, spec.raw);
    const outcome = await runSensitive(ctx, spec.key, input, cliActor(), money ? recordIn : undefined);
    if ('pending' in outcome) note({ before: outcome.before, after: { change_request: outcome.pending.id, state: outcome.pending.state, change: outcome.pending.change } });
    else if (!money) note({ before: outcome.before, ...(outcome.applied !== undefined ? { after: outcome.applied } : {}) });
    return outcome;
  });
  if ('pending' in out) print(io, p, out.pending, () => describePending(out.pending));
  else {
    const shown = spec.printApplied(out.applied);
    print(io, p, shown.json, () => shown.text);
  }
  return out;
}
