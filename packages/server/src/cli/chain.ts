import { redactedUrl } from '../http/redacted-url.js';
import { resolve, join } from 'node:path';
import { demoDirDefault } from './demo.js';
import { runningSandbox } from './sandbox-lock.js';
import { requireChain, type ChainHandle } from '../chains/registry.js';
import type { ServiceContext } from '../context.js';
import { chainStatuses, readScanCursor, readScannerFault, rewindCursor, scannerLeaseName, scannerLeaseTtlMs, scanStep, type ScanStepResult } from '../modules/deposits/index.js';
import { createKytProvider } from '../modules/kyt/index.js';
import { holdLease, releaseLease } from '../workers/lease.js';
import { CommandFailed, exitCode, group, leaf, need, print, str, table, whole, type Io } from './args.js';
import { withChainContext } from './chain-context.js';
import { backfillAttemptsMax, backfillBackoffMaxMs, backfillBackoffMs, backfillProgressEveryMs } from '../limits.js';

const statusCommand = leaf({
  name: 'chain status',
  role: 'viewer',
  summary: 'per chain: scanned height, node head, blocks behind, deposits awaiting confirmations',
  help: `chain status

For every configured chain (OPENWAAS_CHAINS): the scanner's cursor, the node's head, how many
blocks the scanner is behind (the lag, head − scanned), deposits awaiting confirmations, stored
transactions and sweeps in flight, open operator alerts, and the hot and fee wallet balances
(with --json each with its low threshold, hotWalletLow / feeWalletLow, and low; the table lists
the balances below their thresholds as low_balances). The node URL is shown without its user
info, query and long path segments (keys). scanner_error is what keeps the scanner from reading its next block (the block, the node's
error, for how long); node_error, a node that did not answer this command. Neither is fatal.
Needs the keys for the wallet addresses (OPENWAAS_KEY_PASSPHRASE).`,
  async run(p, io) {
    const statuses = await withChainContext(io, (ctx) => chainStatuses(ctx));
    print(io, p, statuses, () => {
      if (statuses.length === 0) return `no chains configured (settings: chains / OPENWAAS_CHAINS)${sandboxSettingsHint(io)}\n`;
      const nowMs = Date.now();
      const rows = statuses.map((s) => ({
        ...s,
        head: s.head ?? 'unreachable',
        behind: s.behind ?? '?',
        node_error: s.node_error ?? '',
        low_balances: (['hot', 'fee'] as const)
          .flatMap((role) =>
            Object.entries((role === 'hot' ? s.hot_wallet : s.fee_wallet).levels)
              .filter(([, l]) => l.low)
              .map(([symbol, l]) => `${role} ${l.balance} ${symbol} < ${l.threshold}`),
          )
          .join('; '),
        scanner_error: s.scanner_error ? `block ${s.scanner_error.block} for ${Math.max(0, Math.round((nowMs - s.scanner_error.since) / 1_000))} s: ${s.scanner_error.error}` : '',
      }));
      return table(rows, ['chain', 'head', 'scanned', 'behind', 'deposits_confirming', 'transactions_in_flight', 'sweeps_in_flight', 'open_alerts', 'low_balances', 'scanner_error', 'node_error']);
    });
    return exitCode.ok;
  },
});

const backfillCommand = leaf({
  name: 'chain backfill',
  role: 'admin',
  summary: 'rescan a range of blocks (missed deposits, a deep reorg), with progress',
  help: `chain backfill --chain ID --from N [--to M]

Moves the scanner of chain ID (e.g. evm:1) back to block N and scans forward to block M (default:
the node's head), printing progress (blocks/s, ETA) to stderr. Rescanning is harmless: a deposit
or wallet refill already recorded is recognised by its transaction and index and never recorded
or credited twice; deposits found for the first time get their notifications as usual.
Refused when N is above the scanner's position (that would skip blocks) or above the head.

If a service is running on the same database, its scanner holds the chain and does the scanning;
this command then follows its progress. Otherwise it scans in this process (settling confirmed
deposits, with KYT screening when configured). Needs the keys (OPENWAAS_KEY_PASSPHRASE).

A node that fails (error answers, missing blocks or receipts, HTTP errors) is retried: each
failure is printed with its block, and after ${backfillAttemptsMax} failed steps in a row the command stops with
exit code 1, naming the block and the node's error; when following the service, it stops once
the service's scanner has been stuck at one block for the chain's stallAlertAfterMs. Either way
it says which --from to run again with.

  --chain ID   the chain, as configured
  --from N     first block to scan again
  --to M       last block (default: follow the head)`,
  options: { chain: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' } },
  async run(p, io) {
    const chainId = need(p, 'chain', 'chain backfill');
    const from = whole(need(p, 'from', 'chain backfill'), '--from', 'chain backfill');
    const toText = str(p, 'to');
    const to = toText === undefined ? undefined : whole(toText, '--to', 'chain backfill');
    if (to !== undefined && to < from) throw new CommandFailed(`--to ${to} is below --from ${from}`);
    const summary = await withChainContext(io, async (ctx) => {
      let chain: ChainHandle;
      try {
        chain = requireChain(ctx.chains, chainId);
      } catch (error) {
        throw new CommandFailed((error as Error).message);
      }
      // Deposits this command settles are screened like the service's.
      return backfill({ ...ctx, kyt: createKytProvider(ctx.config.kyt) }, chain, { from, ...(to === undefined ? {} : { to }) }, io);
    });
    print(io, p, summary, () => `${summary.chain}: scanned blocks ${summary.from}..${summary.scanned_to} in ${summary.seconds} s (${summary.blocks_per_second} blocks/s); ${summary.deposits_found} new deposit(s)${summary.scanned_by === 'service' ? ' (scanned by the running service)' : ''}\n`);
    return exitCode.ok;
  },
});

export const chain = group('chain', 'chain scanners: status, and backfill of a block range', { status: statusCommand, backfill: backfillCommand });

export interface BackfillSummary {
  chain: string;
  from: number;
  scanned_to: number;
  seconds: number;
  blocks_per_second: number;
  deposits_found: number;
  /** this process, or the running service's scanner (this process followed it). */
  scanned_by: 'this process' | 'service';
}

/**
 * Moves the cursor back to from − 1 and scans (or follows the service scanning) to `to` or the
 * head. Exported for tests and the bench.
 */
export async function backfill(ctx: ServiceContext, chain: ChainHandle, range: { from: number; to?: number }, io: Pick<Io, 'stderr'>): Promise<BackfillSummary> {
  let head: number;
  try {
    head = await chain.reader.headNumber();
  } catch (error) {
    throw new CommandFailed(`the node of ${chain.id} (${redactedUrl(chain.config.rpcUrl)}) does not answer: ${(error as Error).message.split('\n')[0]}`);
  }
  if (range.from > head) throw new CommandFailed(`--from ${range.from} is above the head of ${chain.id} (${head})`);
  await moveCursorBack(ctx, chain, range.from);

  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  const started = Date.now();
  let scannedTo = range.from - 1;
  let deposits = 0;
  let scannedBy: BackfillSummary['scanned_by'] = 'this process';
  let held = false;
  let lastLine = 0;
  /** Steps in a row that failed or moved nothing, and the last failure's text. */
  let failures = 0;
  let lastFailure = '';
  const scannedSoFar = () => (scannedTo >= range.from ? `Blocks ${range.from}..${scannedTo} are scanned` : 'No block scanned yet');
  const again = (what: string) => `run the command again with --from ${scannedTo + 1} once ${what}`;
  try {
    for (;;) {
      if (abort.signal.aborted) throw new CommandFailed(`interrupted at block ${scannedTo}; run the command again with --from ${scannedTo + 1} to go on`);
      held = await holdLease(ctx.store, scannerLeaseName(chain.id), ctx.clock.nowMs(), scannerLeaseTtlMs(chain));
      let more: boolean;
      let stuck: string | undefined;
      if (held) {
        let step: ScanStepResult;
        try {
          step = await scanStep(ctx, chain, { signal: abort.signal, ...(range.to === undefined ? {} : { toBlock: range.to }) });
        } catch (error) {
          // The step recorded the failure (chain status, alerts); here: print it, wait, try again, up to a bound.
          failures++;
          const fault = await readScannerFault(ctx.store.db, chain.id).catch(() => undefined);
          lastFailure = fault ? `block ${fault.block}: ${fault.error}` : String((error as Error)?.message ?? error).split('\n')[0]!;
          io.stderr.write(`${chain.id}: ${lastFailure} (attempt ${failures}/${backfillAttemptsMax})\n`);
          if (failures >= backfillAttemptsMax) {
            throw new CommandFailed(`${chain.id}: stopped after ${failures} failed attempts at ${lastFailure}. ${scannedSoFar()}; ${again('the node answers')}`);
          }
          await new Promise((r) => setTimeout(r, backoffMs(chain, failures)));
          continue;
        }
        if (step.stopped) throw new CommandFailed(`${chain.id}: the scanner stopped (${step.stopped}) at block ${step.scannedHeight}; see 'openwaas alerts list'`);
        if (step.scannedHeight > scannedTo || step.more) failures = 0;
        scannedTo = step.scannedHeight;
        head = step.head;
        deposits += step.deposits;
        more = step.more;
      } else {
        // The running service holds the scanner: it rescans from the moved cursor; follow it.
        scannedBy = 'service';
        await new Promise((r) => setTimeout(r, chain.config.pollIntervalMs));
        const row = await readScanCursor(ctx.store.db, chain.id);
        // moveCursorBack made the row: it exists while the service scans.
        if (!row) throw new Error(`${chain.id}: the scanner's cursor is missing`);
        scannedTo = row.scannedHeight;
        head = Math.max(head, row.headHeight);
        more = scannedTo < (range.to ?? head);
        const fault = await readScannerFault(ctx.store.db, chain.id);
        if (fault) {
          const text = `block ${fault.block}: ${fault.error}`;
          if (text !== lastFailure) io.stderr.write(`${chain.id}: the service's scanner fails at ${text}\n`);
          lastFailure = text;
          const stuckMs = ctx.clock.nowMs() - fault.sinceMs;
          if (stuckMs >= chain.config.stallAlertAfterMs) stuck = `the running service's scanner is stuck at ${text} (for ${Math.round(stuckMs / 1_000)} s, see 'openwaas alerts list')`;
        } else lastFailure = '';
      }
      const goal = Math.min(range.to ?? head, head);
      const now = Date.now();
      if (now - lastLine >= backfillProgressEveryMs || !more || stuck) {
        lastLine = now;
        io.stderr.write(progressLine(chain.id, { from: range.from, at: scannedTo, goal, elapsedMs: now - started }) + '\n');
      }
      if (stuck) throw new CommandFailed(`${chain.id}: ${stuck}. ${scannedSoFar()}; ${again('the node answers')}`);
      if (!more) {
        if (scannedTo >= goal) break;
        if (held) {
          // Scanning here, but the node gave nothing usable (blocks that do not form one chain): bounded too.
          failures++;
          io.stderr.write(`${chain.id}: no usable block after ${scannedTo} (attempt ${failures}/${backfillAttemptsMax})\n`);
          if (failures >= backfillAttemptsMax) {
            throw new CommandFailed(`${chain.id}: stopped at block ${scannedTo}: the node gave no usable block after ${scannedTo} in ${failures} attempts. ${again('the node is in step')}`);
          }
          await new Promise((r) => setTimeout(r, backoffMs(chain, failures)));
        }
      }
    }
  } finally {
    process.off('SIGINT', onSignal);
    if (held) await releaseLease(ctx.store, scannerLeaseName(chain.id)).catch(() => undefined);
  }
  const seconds = (Date.now() - started) / 1_000;
  const blocks = Math.max(0, scannedTo - range.from + 1);
  return {
    chain: chain.id,
    from: range.from,
    scanned_to: scannedTo,
    seconds: Math.round(seconds * 10) / 10,
    blocks_per_second: seconds > 0 ? Math.round(blocks / seconds) : blocks,
    deposits_found: deposits,
    scanned_by: scannedBy,
  };
}

/** Wait before the next try after `failures` failed steps: doubling from backfillBackoffMs, at least a poll interval, at most backfillBackoffMaxMs. */
function backoffMs(chain: ChainHandle, failures: number): number {
  return Math.min(backfillBackoffMaxMs, Math.max(chain.config.pollIntervalMs, backfillBackoffMs * 2 ** (failures - 1)));
}

/** "evm:1: block 1200/5000 (24 %), 310 blocks/s, ETA 12 s". */
function progressLine(chain: string, p: { from: number; at: number; goal: number; elapsedMs: number }): string {
  const done = Math.max(0, p.at - p.from + 1);
  const total = Math.max(1, p.goal - p.from + 1);
  const rate = p.elapsedMs > 0 ? (done * 1_000) / p.elapsedMs : 0;
  const left = Math.max(0, p.goal - p.at);
  const eta = rate > 0 ? `${Math.ceil(left / rate)} s` : '?';
  return `${chain}: block ${p.at}/${p.goal} (${Math.min(100, Math.floor((done * 100) / total))} %), ${rate.toFixed(0)} blocks/s, ETA ${eta}`;
}

/** Sets the cursor to from − 1; moving it forward would skip blocks nobody scanned: refused. */
async function moveCursorBack(ctx: ServiceContext, chain: ChainHandle, from: number): Promise<void> {
  const result = await rewindCursor(ctx.store.db, { chain: chain.id, from, nowMs: ctx.clock.nowMs() });
  if (result.rewound) return;
  const { current } = result;
  throw new CommandFailed(`${chain.id}: the scanner is at block ${current}; --from ${from} would skip blocks ${current + 1}..${from - 1} (use --from ${current + 1} or lower)`);
}

/**
 * For a command that found no chains: when a sandbox runs in the default demo folder below the
 * working directory, where its settings are (its chain is not in this shell's environment
 * until DIR/env is sourced); '' otherwise.
 */
export function sandboxSettingsHint(io: { cwd: string }): string {
  const dir = resolve(io.cwd, demoDirDefault);
  if (!runningSandbox(dir)) return '';
  return `; a sandbox is running in ${dir}: its settings are in ${join(dir, 'env')} — run '. ${join(dir, 'env')}' in this shell and try again`;
}
