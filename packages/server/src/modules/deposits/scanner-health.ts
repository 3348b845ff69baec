/**
 * A chain scanner's health, kept on its cursor row where every process (and `chain status`)
 * reads it: the node's error that keeps it from reading a block, and since when. A stall is one
 * block failing for long enough: it raises the `scanner-stalled` alert, which the next step
 * that succeeds resolves.
 */
import { raiseAlert, resolveAlert } from '../alerts/index.js';
import { untracedBlocksShownMax } from '../../limits.js';
import type { Db } from '../../store/tx.js';
import * as repo from './repository.js';

/** Alert key of "the scanner of `chain` is stuck at one block". */
export const scannerStalledKey = (chain: string) => `scanner-stalled:${chain}`;

/** Alert key of "blocks of `chain` were read without traces" (top-level value only). */
export const scannerUntracedKey = (chain: string) => `scanner-untraced:${chain}`;

/** The fault recorded on a chain's cursor. */
export interface ScannerFault {
  block: number;
  error: string;
  /** Since when `block` fails. */
  sinceMs: number;
  /** When it last failed. */
  atMs: number;
}

/** The chain's recorded fault, if any. */
export async function readScannerFault(db: Db, chain: string): Promise<ScannerFault | undefined> {
  const row = await repo.readCursorFault(db, chain);
  if (!row || row.lastError === null || row.errorBlock === null || row.errorSinceMs === null) return undefined;
  return { block: row.errorBlock, error: row.lastError, sinceMs: row.errorSinceMs, atMs: row.errorAtMs ?? row.errorSinceMs };
}

/**
 * Records that the scanner could not read `block` (the block after the cursor when not
 * given) and returns the fault; the stall keeps its start while the same block fails.
 * Undefined when the chain has no cursor yet (the scanner never started).
 */
export async function recordScannerFault(db: Db, input: { chain: string; block?: number; error: string; nowMs: number }): Promise<ScannerFault | undefined> {
  const row = await repo.readCursorFault(db, input.chain);
  if (!row) return undefined;
  const block = input.block ?? row.scannedHeight + 1;
  const sameBlock = row.errorBlock !== null && row.errorBlock === block && row.errorSinceMs !== null;
  const sinceMs = sameBlock ? row.errorSinceMs! : input.nowMs;
  await repo.writeCursorFault(db, { chain: input.chain, error: input.error, block, sinceMs, atMs: input.nowMs });
  return { block, error: input.error, sinceMs, atMs: input.nowMs };
}

/** Raises (or refreshes) the chain's `scanner-stalled` alert for `fault` (its block undefined before the first block). */
export async function raiseScannerStalled(db: Db, input: { chain: string; fault: Omit<ScannerFault, 'block'> & { block: number | undefined }; nowMs: number }): Promise<void> {
  const { chain, fault, nowMs } = input;
  const seconds = Math.round((nowMs - fault.sinceMs) / 1_000);
  const message =
    `${chain}: the scanner is stuck ${fault.block === undefined ? 'before its first block' : `at block ${fault.block}`} for ${seconds} s; the node says: ${fault.error}. ` +
    `Deposits in and after this block wait; it keeps retrying. Check the node ('openwaas chain status').`;
  await raiseAlert(db, { kind: 'scanner-stalled', key: scannerStalledKey(chain), message, nowMs });
}

/** The scanner reads again: clears the recorded fault and resolves its alert. */
export async function clearScannerFault(db: Db, input: { chain: string; nowMs: number }): Promise<void> {
  await repo.clearCursorFault(db, input.chain);
  await resolveAlert(db, scannerStalledKey(input.chain), input.nowMs);
}

/**
 * Blocks read without traces (every tracing method failed for some of their transactions):
 * value a contract forwarded inside those transactions may be missing, so the operator checks
 * them. One open alert per chain, its message naming the latest blocks.
 */
export async function raiseScannerUntraced(db: Db, input: { chain: string; blocks: Array<{ number: number; txids: string[]; reason: string }>; nowMs: number }): Promise<void> {
  const shown = input.blocks.slice(-untracedBlocksShownMax);
  const txs = input.blocks.reduce((n, b) => n + b.txids.length, 0);
  const message =
    `${input.chain}: ${txs} transaction(s) in block(s) ${shown.map((b) => b.number).join(', ')}${input.blocks.length > shown.length ? ' (and earlier)' : ''} ` +
    `were read without traces (top-level value only); the node says: ${shown[shown.length - 1]!.reason}. Value forwarded by a contract inside them ` +
    `is not seen: check them (e.g. ${shown[shown.length - 1]!.txids[0]}) and use a node that traces them, then 'openwaas chain backfill'.`;
  await raiseAlert(db, { kind: 'scanner-untraced', key: scannerUntracedKey(input.chain), message, nowMs: input.nowMs });
}
