import { chainTxView, listChainTxs } from '../modules/chain-sends/index.js';
import { listSweeps, retrySweep, SweepStateError, sweepView } from '../modules/sweeps/index.js';
import { chainTxPurposes as txPurposes, chainTxStates as txStates, sweepStates } from '../contracts/operator.js';
import { CommandFailed, describe, exitCode, group, leaf, print, str, table, UsageError, whole } from './args.js';
import { withAuditedContext } from './audited.js';
import { withContext } from './context.js';

/** The value of `--name` when it is one of `allowed` (usage error otherwise). */
function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], name: string, command: string): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')}, not "${value}"`, command);
  return value as T;
}

const listCommand = leaf({
  name: 'sweeps list',
  role: 'viewer',
  summary: 'collection sweeps, newest first',
  help: `sweeps list [--chain ID] [--state STATE] [--limit N]

Sweeps moving deposits from deposit addresses to the hot wallet: state (topup, topup_pending,
sweep_pending, done, failed), amount in base units, attempts and the last error.

  --chain ID      only this chain (e.g. evm:1)
  --state STATE   only sweeps in this state
  --limit N       at most N rows (default 100)`,
  options: { chain: { type: 'string' }, state: { type: 'string' }, limit: { type: 'string' } },
  async run(p, io) {
    const state = oneOf(str(p, 'state'), sweepStates, 'state', 'sweeps list');
    const limit = str(p, 'limit');
    const chain = str(p, 'chain');
    const rows = await withContext(io, async (ctx) =>
      (await listSweeps(ctx.store.db, { ...(chain ? { chain } : {}), ...(state ? { state } : {}), ...(limit ? { limit: whole(limit, '--limit', 'sweeps list', { min: 1, max: 1_000 }) } : {}) })).map(sweepView),
    );
    print(io, p, rows, () => table(rows, ['id', 'chain', 'address', 'coin_id', 'amount', 'state', 'attempts', 'last_error']));
    return exitCode.ok;
  },
});

const txsCommand = leaf({
  name: 'sweeps txs',
  role: 'viewer',
  summary: 'stored outgoing transactions (withdrawals, sweeps, gas top-ups), newest first',
  help: `sweeps txs [--chain ID] [--purpose PURPOSE] [--ref ID] [--state STATE] [--limit N]

Every transaction the service signed, as stored before its broadcast: purpose and the withdrawal
or sweep it pays (ref_id), sender, sequence, hash, state (signed, broadcast, mined, confirmed,
reverted, replaced, dropped), fees, broadcasts and the last broadcast error.

  --chain ID          only this chain
  --purpose PURPOSE   withdrawal, sweep or topup
  --ref ID            only the transactions of this withdrawal or sweep (with --purpose)
  --state STATE       only transactions in this state
  --limit N           at most N rows (default 100)`,
  options: { chain: { type: 'string' }, purpose: { type: 'string' }, ref: { type: 'string' }, state: { type: 'string' }, limit: { type: 'string' } },
  async run(p, io) {
    const purpose = oneOf(str(p, 'purpose'), txPurposes, 'purpose', 'sweeps txs');
    const state = oneOf(str(p, 'state'), txStates, 'state', 'sweeps txs');
    const ref = str(p, 'ref');
    const limit = str(p, 'limit');
    const chain = str(p, 'chain');
    const rows = await withContext(io, async (ctx) =>
      (
        await listChainTxs(ctx.store.db, {
          ...(chain ? { chain } : {}),
          ...(purpose ? { purpose } : {}),
          ...(state ? { state } : {}),
          ...(ref ? { refId: whole(ref, '--ref', 'sweeps txs', { min: 1, max: Number.MAX_SAFE_INTEGER }) } : {}),
          ...(limit ? { limit: whole(limit, '--limit', 'sweeps txs', { min: 1, max: 1_000 }) } : {}),
        })
      ).map(chainTxView),
    );
    print(io, p, rows, () => table(rows, ['id', 'purpose', 'ref_id', 'from', 'sequence', 'hash', 'state', 'broadcasts', 'last_error']));
    return exitCode.ok;
  },
});

const retryCommand = leaf({
  name: 'sweeps retry',
  role: 'treasurer',
  summary: 'start a failed sweep again',
  help: `sweeps retry <id>

A sweep stops (state failed, with an operator alert) after repeated failed transactions. Once
the cause is fixed (e.g. the fee wallet refilled), this starts it again from its token or coin
transfer; a running service signs it within a poll interval (a gas top-up first when needed).`,
  positionals: { min: 1, max: 1 },
  async run(p, io) {
    const id = whole(p.positionals[0]!, '<id>', 'sweeps retry', { min: 1, max: Number.MAX_SAFE_INTEGER });
    const sweep = await withAuditedContext(io, { action: 'sweeps retry', target: `/sweeps/${id}` }, async (ctx, note) => {
      try {
        const after = sweepView(await retrySweep(ctx, id));
        note({ after });
        return after;
      } catch (error) {
        if (error instanceof SweepStateError) throw new CommandFailed(error.message);
        throw error;
      }
    });
    print(io, p, sweep, () => describe(sweep));
    return exitCode.ok;
  },
});

export const sweeps = group('sweeps', 'collection sweeps and the stored transactions behind withdrawals and sweeps', { list: listCommand, txs: txsCommand, retry: retryCommand });
