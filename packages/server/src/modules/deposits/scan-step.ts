/**
 * One step of the deposit scanner of a chain (the loop and its lease are workers/scanner.ts;
 * `chain backfill` runs steps too). Each step (single leader per chain: lease `scanner:<chain>`):
 *  1. refreshes the watch set (new deposit addresses, the chain's tokens);
 *  2. checks that the last scanned block is still on the chain (its stored hash, or the parent
 *     hash of the next block) — if not, walks back to the fork point and undoes what was above
 *     it (unconfirmed deposits → failed, treasury receipts reversed, credited deposits alerted);
 *  3. reads up to `batchBlocks` blocks and writes, in ONE transaction, the deposits and
 *     treasury receipts they hold, their notifications, the blocks' hashes and the cursor;
 *  4. updates confirmations and settles deposits that reached their coin's count.
 * The cursor moves by compare-and-set, so a second scanner (lease handed over mid-tick) rolls
 * its batch back instead of writing it twice; the unique (coin, txid, index) makes re-scans
 * after a crash harmless. What is stored (cursor, block hashes, the batch and reorg writes) is
 * in scan-storage.ts; this file reads the node and decides what to write.
 * A node that fails (after the reader's retries) fails the step: the error and the block are
 * recorded on the cursor row, the complete blocks before that block are written, and one block
 * failing for the chain's `stallAlertAfterMs` raises `scanner-stalled`; the next step that
 * succeeds clears both. A block the node has not, below its head, is a node fault, never a reorg.
 */
import { NodeError, ScanError, type ScannedBlock } from '../../chains/adapter.js';
import type { ChainHandle } from '../../chains/registry.js';
import { ChainWatchSet } from '../../chains/watch-set.js';
import { raiseAlert, resolveAlert } from '../alerts/index.js';
import { extraBlocksKeptCount, scannerErrorLengthMax, chainLeaseTtlMs } from '../../limits.js';
import { addressOwners } from '../addresses/index.js';
import { coinOfTransfer, loadChainCoins, type ChainCoins } from './chain-coins.js';
import { CursorMoved } from './errors.js';
import type { DepositCandidate } from './scanned-deposits.js';
import type { ScanContext, ScanStorageDeps, ScanWriteDeps } from './deps.js';
import { updateConfirmations } from './scanned-deposits.js';
import { clearScannerFault, raiseScannerStalled, raiseScannerUntraced, recordScannerFault } from './scanner-health.js';
import { readOrCreateCursor, storedBlockHash, storedBlockHashesDown, undoBlocksAbove, writeScannedBatch } from './scan-storage.js';
import { settleDueDeposits } from './settle.js';
import type { ReceiptCandidate } from './treasury-receipts.js';

/** The lease a chain's scanner holds (the loop, or a backfill scanning in its own process). */
export const scannerLeaseName = (chain: string) => `scanner:${chain}`;

/** A few poll intervals: a crashed leader is replaced quickly; a slow tick is covered by the cursor's compare-and-set. */
export function scannerLeaseTtlMs(chain: ChainHandle): number {
  return chainLeaseTtlMs(chain.config.pollIntervalMs);
}

/** Alert raised when a reorg goes below every stored hash: the scanner stops until an operator acts. */
export const reorgTooDeepKey = (chain: string) => `reorg-too-deep:${chain}`;

/** What one step did (progress lines of `chain backfill`). */
export interface ScanStepResult {
  head: number;
  /** The cursor after the step. */
  scannedHeight: number;
  blocks: number;
  deposits: number;
  settled: number;
  /** More to do at once (blocks behind, deposits due, a reorg just undone). */
  more: boolean;
  /** Set when the scanner refuses to advance (a reorg deeper than the stored hashes). */
  stopped?: string;
}

/** Per chain handle: the in-memory watch set (two services in one process keep theirs apart). */
interface ScannerState {
  watch: ChainWatchSet;
  /** A 'reorg-too-deep' alert may be open: resolved by the next batch that scans normally. */
  tooDeepAlertMayBeOpen: boolean;
  /** The cursor at which this process last reported a too-deep reorg (alerted and logged once, not every tick). */
  stoppedAt?: number;
  /** A node fault may be recorded (or its alert open): cleared by the next step that succeeds. */
  faultMayBeOpen: boolean;
  /**
   * The last read failed: read one block at a time until one succeeds, so a failure that takes
   * a whole batched request down (HTTP 500) stops only at the block that causes it.
   */
  narrow: boolean;
  /** Since when the scanner fails without a cursor row to record it on. */
  uncountedSinceMs?: number;
}
const states = new WeakMap<ChainHandle, ScannerState>();

function stateOf(chain: ChainHandle): ScannerState {
  let s = states.get(chain);
  if (!s) states.set(chain, (s = { watch: new ChainWatchSet(chain.id, chain), tooDeepAlertMayBeOpen: true, faultMayBeOpen: true, narrow: false }));
  return s;
}

/**
 * One scanner step (the caller holds the lease). `toBlock` stops the scan there (backfill to a
 * given height); the default is the node's head. A failure is recorded on the chain's cursor
 * (and alerted once it lasts) before it is thrown; success clears it.
 */
export async function scanStep(ctx: ScanContext, chain: ChainHandle, options: { signal?: AbortSignal; toBlock?: number } = {}): Promise<ScanStepResult> {
  const state = stateOf(chain);
  let result: ScanStepResult;
  try {
    result = await readAndWrite(ctx, chain, options);
  } catch (error) {
    await noteFault(ctx, chain, error);
    throw error;
  }
  if (state.faultMayBeOpen) {
    await clearScannerFault(ctx.store.db, { chain: chain.id, nowMs: ctx.clock.nowMs() });
    state.faultMayBeOpen = false;
    delete state.uncountedSinceMs;
  }
  return result;
}

/** Records a failed step on the cursor row; raises `scanner-stalled` once the same block has failed for stallAlertAfterMs. */
async function noteFault(ctx: ScanStorageDeps, chain: ChainHandle, error: unknown): Promise<void> {
  const state = stateOf(chain);
  const text = error instanceof NodeError ? error.nodeError : `${(error as Error)?.name ?? 'Error'}: ${String((error as Error)?.message ?? error).split('\n')[0]}`.slice(0, scannerErrorLengthMax);
  const nowMs = ctx.clock.nowMs();
  try {
    const recorded = await recordScannerFault(ctx.store.db, { chain: chain.id, ...(error instanceof ScanError ? { block: error.block } : {}), error: text, nowMs });
    // No cursor yet (the node failed from the start): the stall is timed in memory.
    if (recorded) delete state.uncountedSinceMs;
    else state.uncountedSinceMs ??= nowMs;
    const fault = recorded ?? { block: undefined, error: text, sinceMs: state.uncountedSinceMs!, atMs: nowMs };
    state.faultMayBeOpen = true;
    if (nowMs - fault.sinceMs >= chain.config.stallAlertAfterMs) {
      await raiseScannerStalled(ctx.store.db, { chain: chain.id, fault, nowMs });
      ctx.log.error({ chain: chain.id, block: fault.block, error: fault.error, sinceMs: fault.sinceMs }, 'scanner: stalled');
    }
  } catch (recordError) {
    // The database itself fails: the loop logs the step's error and retries.
    ctx.log.error({ err: recordError, chain: chain.id }, 'scanner: could not record the failure');
  }
}

async function readAndWrite(ctx: ScanContext, chain: ChainHandle, options: { signal?: AbortSignal; toBlock?: number }): Promise<ScanStepResult> {
  const { signal } = options;
  const db = ctx.store.db;
  const state = stateOf(chain);
  const coins = await loadChainCoins(db, chain.id);
  await state.watch.refresh(db, coins.all);

  const head = await chain.reader.headNumber();
  const cursor = await readOrCreateCursor(ctx, { chain: chain.id, head, startBlock: chain.config.startBlock });
  const target = Math.min(head, options.toBlock ?? head);
  const result: ScanStepResult = { head, scannedHeight: cursor, blocks: 0, deposits: 0, settled: 0, more: false };
  if (signal?.aborted) return result;

  const storedTip = cursor >= 0 ? await storedBlockHash(db, chain.id, cursor) : undefined;
  if (cursor >= target) {
    // Nothing new to read: make sure the last scanned block is still there (a shorter or replaced chain).
    if (storedTip !== undefined) {
      const header = cursor <= head ? await chain.reader.header(cursor) : undefined;
      if (cursor <= head && header === undefined) throw missingBlock(cursor, head);
      if (header?.hash !== storedTip) return undoReorg(ctx, chain, { coins, cursor, head, signal });
    }
  } else {
    const from = cursor + 1;
    const to = Math.min(target, cursor + (state.narrow ? 1 : chain.config.batchBlocks));
    // The complete blocks before a failing one are written; the failure is thrown after.
    const { read, fault } = await readRange(chain, state, from, to);
    const blocks = consistentPrefix(read, from);
    if (storedTip !== undefined && blocks[0] && blocks[0].header.parentHash !== storedTip) return undoReorg(ctx, chain, { coins, cursor, head, signal });
    if (blocks.length > 0) {
      try {
        const written = await writeBatch(ctx, chain, { state, coins, blocks, cursor, head });
        Object.assign(result, { scannedHeight: written.last, blocks: blocks.length, deposits: written.deposits });
      } catch (error) {
        if (error instanceof CursorMoved) return { ...result, more: false };
        throw error;
      }
      if (state.tooDeepAlertMayBeOpen) {
        await resolveAlert(db, reorgTooDeepKey(chain.id), ctx.clock.nowMs());
        state.tooDeepAlertMayBeOpen = false;
        delete state.stoppedAt;
      }
      await reportUntraced(ctx, chain, blocks);
    }
    if (fault) throw fault;
  }

  await updateConfirmations(db, coins.ids, head);
  const settled = await settleDueDeposits(ctx, { coins, scannedHeight: result.scannedHeight, ...(signal ? { signal } : {}) });
  result.settled = settled.settled;
  // No block written although some are due (a node answering out of order): wait for the next poll.
  result.more = (result.blocks > 0 && result.scannedHeight < target) || settled.more;
  return result;
}

/**
 * Reads blocks from..to. A failure that takes the whole batched request down (HTTP 500) is
 * reported at the batch's first block although another block caused it, so the first block is
 * read alone before the failure is recorded against it.
 */
async function readRange(chain: ChainHandle, state: ScannerState, from: number, to: number): Promise<{ read: ScannedBlock[]; fault?: ScanError }> {
  try {
    const read = await chain.reader.scanBlocks(from, to, state.watch);
    state.narrow = false;
    return { read };
  } catch (error) {
    if (!(error instanceof ScanError)) throw error;
    state.narrow = true;
    if (error.scanned.length === 0 && to > from) return readRange(chain, state, from, from);
    return { read: error.scanned, fault: error };
  }
}

/** A block below the node's head that the node says it does not have: a node fault (load-balanced nodes out of step), never a reorg. */
function missingBlock(number: number, head: number): ScanError {
  return new ScanError(number, `the node has no block ${number} although its head is ${head}`);
}

/** Blocks read without traces for some transactions: logged and alerted, since value a contract forwarded there is not seen. */
async function reportUntraced(ctx: ScanStorageDeps, chain: ChainHandle, blocks: ScannedBlock[]): Promise<void> {
  const untraced = blocks.flatMap((b) => (b.untraced ? [{ number: b.header.number, ...b.untraced }] : []));
  if (untraced.length === 0) return;
  ctx.log.warn({ chain: chain.id, blocks: untraced.map((b) => b.number), reason: untraced[untraced.length - 1]!.reason }, 'scanner: transactions read without traces (top-level value only)');
  await raiseScannerUntraced(ctx.store.db, { chain: chain.id, blocks: untraced, nowMs: ctx.clock.nowMs() });
}

/** The blocks up to the first that does not extend the previous one (the node reorganised while we read: the rest waits). */
function consistentPrefix(blocks: ScannedBlock[], from: number): ScannedBlock[] {
  let n = 0;
  while (n < blocks.length && blocks[n]!.header.number === from + n && (n === 0 || blocks[n]!.header.parentHash === blocks[n - 1]!.header.hash)) n++;
  return blocks.slice(0, n);
}

/** Sorts a batch's transfers: deposits (to a deposit address) and treasury receipts (to the hot or fee wallet), both from outside. */
async function classify(ctx: Pick<ScanStorageDeps, 'store' | 'log'>, chain: ChainHandle, state: ScannerState, coins: ChainCoins, blocks: ScannedBlock[]) {
  const deposits: Array<Omit<DepositCandidate, 'owner'>> = [];
  const receipts: ReceiptCandidate[] = [];
  for (const block of blocks) {
    for (const transfer of block.transfers) {
      // Sent from one of our addresses: a gas top-up or a sweep, not money arriving.
      if (state.watch.isOwn(transfer.from)) continue;
      const coin = coinOfTransfer(coins, transfer);
      if (!coin) continue;
      if (state.watch.isDepositAddress(transfer.to)) deposits.push({ transfer, coin });
      else if (state.watch.isWallet(transfer.to)) receipts.push({ transfer, coin });
    }
  }
  const owners = await addressOwners(ctx.store.db, chain.id, deposits.map((d) => d.transfer.to));
  const withOwners: DepositCandidate[] = [];
  for (const d of deposits) {
    const owner = owners.get(d.transfer.to);
    if (owner) withOwners.push({ ...d, owner });
    else ctx.log.error({ chain: chain.id, address: d.transfer.to, txid: d.transfer.txid }, 'scanner: a watched deposit address has no owner row');
  }
  return { deposits: withOwners, receipts };
}

/** Writes one batch in one transaction; returns the new cursor and how many deposits were new. */
async function writeBatch(
  ctx: ScanWriteDeps,
  chain: ChainHandle,
  input: { state: ScannerState; coins: ChainCoins; blocks: ScannedBlock[]; cursor: number; head: number },
): Promise<{ last: number; deposits: number }> {
  const { coins, blocks, cursor, head } = input;
  const from = blocks[0]!.header.number;
  const last = blocks[blocks.length - 1]!.header.number;
  const found = await classify(ctx, chain, input.state, coins, blocks);
  // Rows stored for these heights under other hashes (a backfill over a branch that was replaced
  // while nobody looked) get the same treatment as a reorg found by the parent-hash check.
  const outcome = await writeScannedBatch(ctx.store, {
    chain: chain.id,
    coins,
    blocks: blocks.map((b) => ({ number: b.header.number, hash: b.header.hash, parentHash: b.header.parentHash })),
    cursor,
    head,
    deposits: found.deposits,
    receipts: found.receipts,
    keepBlocks: chain.config.reorgDepth + extraBlocksKeptCount,
    nowMs: ctx.clock.nowMs(),
    log: ctx.log,
  });
  if (outcome.notifications > 0) ctx.notifier.wake();
  ctx.log.debug({ chain: chain.id, from, to: last, head, deposits: outcome.inserted, receipts: found.receipts.length }, 'scanner: batch written');
  return { last, deposits: outcome.inserted };
}

/**
 * The last scanned block left the chain: finds the fork point (the highest stored block whose
 * hash the node still has) and, in one transaction, fails the unconfirmed deposits above it,
 * alerts on settled ones, reverses treasury receipts, forgets the hashes above it and moves the
 * cursor there; the next step scans the new branch. Below every stored hash: alert and stop.
 */
async function undoReorg(ctx: ScanWriteDeps, chain: ChainHandle, input: { coins: ChainCoins; cursor: number; head: number; signal: AbortSignal | undefined }): Promise<ScanStepResult> {
  const { coins, cursor, head, signal } = input;
  const db = ctx.store.db;
  const stopped: ScanStepResult = { head, scannedHeight: cursor, blocks: 0, deposits: 0, settled: 0, more: false };
  const state = stateOf(chain);
  // Already found too deep at this cursor: stay stopped without walking the node again each tick.
  if (state.stoppedAt === cursor) return { ...stopped, stopped: 'reorg-too-deep' };
  const stored = await storedBlockHashesDown(db, chain.id, cursor);
  let fork: number | undefined;
  for (const row of stored) {
    if (signal?.aborted) return stopped;
    const header = await chain.reader.header(row.number);
    // Gone below the head is the node's fault: stop here and retry rather than undo deposits.
    if (header === undefined && row.number <= head) throw missingBlock(row.number, head);
    if (header?.hash === row.hash) {
      fork = row.number;
      break;
    }
  }
  const nowMs = ctx.clock.nowMs();
  if (fork === undefined) {
    const lowest = stored.length > 0 ? stored[stored.length - 1]!.number : cursor;
    const message =
      `${chain.id}: the chain was reorganised below block ${lowest}, deeper than the ${stored.length} block hashes kept (reorgDepth ${chain.config.reorgDepth}). ` +
      `The scanner stopped at block ${cursor} and credits nothing until an operator checks the node and runs ` +
      `'openwaas chain backfill --chain ${chain.id} --from <a block below the fork>'.`;
    ctx.log.error({ chain: chain.id, cursor, lowestStored: lowest }, 'scanner: reorg deeper than the stored block hashes; stopped');
    await raiseAlert(db, { kind: 'reorg-too-deep', key: reorgTooDeepKey(chain.id), message, nowMs });
    state.tooDeepAlertMayBeOpen = true;
    state.stoppedAt = cursor;
    return { ...stopped, stopped: 'reorg-too-deep' };
  }

  try {
    const undone = await undoBlocksAbove(ctx.store, { chain: chain.id, coins, cursor, fork, head, nowMs, log: ctx.log });
    if (undone.deposits.notifications > 0) ctx.notifier.wake();
    ctx.log.warn(
      { chain: chain.id, fork, depth: cursor - fork, failed: undone.deposits.failed, settledAlerts: undone.deposits.alerts, receiptsReversed: undone.receipts },
      'scanner: chain reorganised; rescanning from the fork point',
    );
  } catch (error) {
    if (error instanceof CursorMoved) return stopped;
    throw error;
  }
  return { ...stopped, scannedHeight: fork, more: true };
}
