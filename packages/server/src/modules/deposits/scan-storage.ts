/**
 * The scanner's storage (its step is scan-step.ts, its loop workers/scanner.ts): the cursor, the
 * hashes of scanned blocks, and the two writes a scanner step makes — a batch of scanned
 * blocks, or the undoing of blocks a reorg replaced — each in one transaction that starts by
 * moving the cursor by compare-and-set, so a second scanner (lease handed over mid-tick) rolls
 * its write back (CursorMoved) instead of writing it twice.
 */
import type { Logger } from 'pino';
import type { Store } from '../../store/db.js';
import { inTransaction, type Db, type Tx } from '../../store/tx.js';
import type { ChainCoins } from './chain-coins.js';
import type { ScanStorageDeps } from './deps.js';
import { CursorMoved } from './errors.js';
import * as repo from './repository.js';
import { candidateKey, depositsAbove, depositsInBlocks, orphanDeposits, recordDeposits, type DepositCandidate } from './scanned-deposits.js';
import { receiptCandidateKey, receiptsAbove, receiptsInBlocks, recordTreasuryReceipts, reverseTreasuryReceipts, type ReceiptCandidate } from './treasury-receipts.js';

/** A scanned block's identity. */
export interface BlockHeaderRef {
  number: number;
  hash: string;
  parentHash: string;
}

/**
 * The chain's cursor (the highest scanned block); created on first start at `startBlock` − 1
 * (just below the head without one).
 */
export async function readOrCreateCursor(ctx: ScanStorageDeps, input: { chain: string; head: number; startBlock?: number | undefined }): Promise<number> {
  const db = ctx.store.db;
  const row = await repo.readCursor(db, input.chain);
  if (row) return row.scannedHeight;
  const start = input.startBlock ?? input.head;
  await repo.insertCursorIfAbsent(db, { chain: input.chain, scannedHeight: start - 1, headHeight: input.head, nowMs: ctx.clock.nowMs() });
  const created = await repo.readCursor(db, input.chain);
  if (!created) throw new Error(`${input.chain}: the scanner's cursor was not created`);
  ctx.log.info({ chain: input.chain, from: created.scannedHeight + 1 }, 'scanner: first start');
  return created.scannedHeight;
}

/** The chain's cursor and the head seen with it, if the scanner ever ran. */
export function readScanCursor(db: Db, chain: string): Promise<{ scannedHeight: number; headHeight: number } | undefined> {
  return repo.readCursor(db, chain);
}

/** The stored hash of block `number`. */
export function storedBlockHash(db: Db, chain: string, number: number): Promise<string | undefined> {
  return repo.readBlockHash(db, { chain, number });
}

/** Stored block hashes at or below `atOrBelow`, highest first (the walk back to a fork point). */
export function storedBlockHashesDown(db: Db, chain: string, atOrBelow: number): Promise<Array<{ number: number; hash: string }>> {
  return repo.listBlockHashesDown(db, { chain, atOrBelow });
}

/** Moves the cursor from `from` to `to` or throws CursorMoved; first statement of a write, so it also serialises scanners. */
async function moveCursor(tx: Tx, input: { chain: string; from: number; to: number; head: number; nowMs: number }): Promise<void> {
  if (!(await repo.compareAndSetCursor(tx, input))) throw new CursorMoved(`${input.chain}: the cursor moved from ${input.from} meanwhile`);
}

/**
 * Writes one scanned batch in one transaction: the cursor moves from `cursor` to the last
 * block; deposits and receipts stored for these heights under other hashes are treated as
 * reorganised away (a backfill over a branch replaced while nobody looked); the batch's
 * deposits and receipts are recorded; the blocks' hashes replace the stored ones and hashes
 * older than `keepBlocks` are forgotten.
 * @throws CursorMoved when another scanner moved the cursor meanwhile (nothing is written).
 */
export async function writeScannedBatch(
  store: Store,
  input: {
    chain: string;
    coins: ChainCoins;
    blocks: readonly BlockHeaderRef[];
    cursor: number;
    head: number;
    deposits: readonly DepositCandidate[];
    receipts: readonly ReceiptCandidate[];
    keepBlocks: number;
    nowMs: number;
    log: Logger;
  },
): Promise<{ inserted: number; notifications: number }> {
  const { chain, coins, blocks, cursor, head, nowMs, log } = input;
  const from = blocks[0]!.number;
  const last = blocks[blocks.length - 1]!.number;
  const hashes = new Map(blocks.map((b) => [b.number, b.hash]));
  return inTransaction(store, async (tx) => {
    await moveCursor(tx, { chain, from: cursor, to: last, head, nowMs });
    const staleDeposits = (await depositsInBlocks(tx, coins.ids, from, last)).filter((d) => d.block_hash !== hashes.get(Number(d.block_number)));
    const orphaned = await orphanDeposits(tx, { rows: staleDeposits, keep: new Set(input.deposits.map(candidateKey)), chain, nowMs, log });
    const staleReceipts = (await receiptsInBlocks(tx, chain, from, last)).filter((r) => r.block_hash !== hashes.get(Number(r.block_number)));
    await reverseTreasuryReceipts(tx, { rows: staleReceipts, keep: new Set(input.receipts.map(receiptCandidateKey)), nowMs });

    const recorded = await recordDeposits(tx, { candidates: input.deposits, head, nowMs, log });
    await recordTreasuryReceipts(tx, { chain, candidates: input.receipts, nowMs });

    await repo.replaceBlockHashes(tx, { chain, from, to: last, blocks });
    await repo.deleteBlockHashesUpTo(tx, { chain, atOrBelow: last - input.keepBlocks });
    return { inserted: recorded.inserted, notifications: recorded.notifications + orphaned.notifications };
  });
}

/**
 * Undoes the blocks above the fork point in one transaction: the cursor moves from `cursor`
 * to `fork`, unconfirmed deposits above it fail (settled ones are alerted), treasury receipts
 * are reversed and the hashes above it forgotten.
 * @throws CursorMoved when another scanner moved the cursor meanwhile (nothing is written).
 */
export function undoBlocksAbove(
  store: Store,
  input: { chain: string; coins: ChainCoins; cursor: number; fork: number; head: number; nowMs: number; log: Logger },
): Promise<{ deposits: { failed: number; alerts: number; notifications: number }; receipts: number }> {
  const { chain, coins, cursor, fork, head, nowMs, log } = input;
  return inTransaction(store, async (tx) => {
    await moveCursor(tx, { chain, from: cursor, to: fork, head, nowMs });
    const deposits = await orphanDeposits(tx, { rows: await depositsAbove(tx, coins.ids, fork), chain, nowMs, log });
    const receipts = await reverseTreasuryReceipts(tx, { rows: await receiptsAbove(tx, chain, fork), nowMs });
    await repo.deleteBlockHashesAbove(tx, { chain, above: fork });
    return { deposits, receipts };
  });
}

/**
 * Sets the cursor to `from` − 1 (a backfill). Moving it forward would skip blocks nobody
 * scanned: refused, with the cursor's current height. One conditional UPDATE (no read first):
 * a scanner writing a batch meanwhile sees its compare-and-set fail and rescans from here.
 */
export async function rewindCursor(db: Db, input: { chain: string; from: number; nowMs: number }): Promise<{ rewound: true } | { rewound: false; current: number }> {
  const { chain, nowMs } = input;
  const target = input.from - 1;
  if (await repo.lowerCursor(db, { chain, target, includeEqual: true, nowMs })) return { rewound: true };
  const row = await repo.readCursor(db, chain);
  if (row) return { rewound: false, current: row.scannedHeight };
  // The scanner never ran on this chain: the backfill sets where it starts.
  await repo.insertCursorIfAbsent(db, { chain, scannedHeight: target, headHeight: 0, nowMs });
  // A scanner that created its cursor at that very moment: move it back too.
  await repo.lowerCursor(db, { chain, target, includeEqual: false, nowMs });
  return { rewound: true };
}
