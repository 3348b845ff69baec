import { parseAbiItem, type Hex } from 'viem';
import { ScanError, type IncomingTransfer, type ScannedBlock, type WatchSet } from '../adapter.js';
import type { EvmPublicClient } from './client.js';
import { nodeErrorText } from './node-errors.js';
import { nodeReadAttemptsMax, nodeReadBackoffMs } from '../../limits.js';

/** debug: debug_traceBlockByNumber with the call tracer (geth, anvil, reth); trace: trace_block (erigon, nethermind, anvil); none: top-level transfers only. */
export type TracingMode = 'debug' | 'trace' | 'none';

const transferEvent = parseAbiItem('event Transfer(address indexed from, address indexed to, uint256 value)');

/** A call-tracer frame (debug_traceBlockByNumber). */
interface CallFrame {
  type: string;
  from: string;
  to?: string;
  value?: string;
  error?: string;
  calls?: CallFrame[];
}

/** One entry of debug_traceBlockByNumber: a result, or (anvil after --load-state, geth when tracing fails) an error and no result. */
interface DebugTraceEntry {
  txHash?: string;
  result?: CallFrame;
  error?: string;
}

/** A parity-style trace (trace_block). */
interface ParityTrace {
  type: string;
  action: { from?: string; to?: string; value?: string; callType?: string; address?: string; refundAddress?: string; balance?: string };
  traceAddress: number[];
  transactionHash: string | null;
  error?: string;
}

interface FullTransaction {
  hash: string;
  from: string;
  to: string | null;
  value: bigint;
}

const lower = (s: string) => s.toLowerCase();
const big = (hex: string | undefined) => (hex ? BigInt(hex) : 0n);

/** A read that failed after its retries: the block it was for and the node's words. */
class NodeReadFailed extends Error {
  override name = 'NodeReadFailed';
  constructor(
    readonly block: number,
    readonly nodeError: string,
  ) {
    super(`block ${block}: ${nodeError}`);
  }
}

/** Runs `read` up to nodeReadAttemptsMax times with doubling back-off; then NodeReadFailed naming `block`. */
async function retried<T>(block: number, what: string, read: () => Promise<T>): Promise<T> {
  let last: unknown;
  for (let attempt = 0; attempt < nodeReadAttemptsMax; attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, nodeReadBackoffMs * 2 ** (attempt - 1)));
    try {
      return await read();
    } catch (error) {
      last = error;
    }
  }
  throw new NodeReadFailed(block, `${what}: ${nodeErrorText(last)}`);
}

/**
 * Reads blocks from..to with every transfer to a watched address. All requests for the range
 * go out together (the client batches them); a failed frame (or a frame under a failed one)
 * moved nothing and is skipped, as is a reverted top-level transaction.
 *
 * Every transaction of a block is accounted for: those the configured tracing method cannot
 * trace (an error entry, an error answer) are traced with the other method, and those neither
 * can trace are read from their receipts (top-level value of a successful transaction) and
 * reported in `untraced`. A read that keeps failing (error answer, missing block or receipt,
 * HTTP failure) throws ScanError for the lowest such block, with the complete blocks before it.
 */
export async function readBlocks(client: EvmPublicClient, input: { from: number; to: number; watch: WatchSet; tracing: TracingMode }): Promise<ScannedBlock[]> {
  const { from, to, watch, tracing } = input;
  const numbers = Array.from({ length: to - from + 1 }, (_, i) => from + i);
  const [logsRead, blocksRead] = await Promise.all([
    watch.tokens.length === 0
      ? Promise.resolve({ ok: true as const, logs: [] as Awaited<ReturnType<typeof readLogs>> })
      : readLogs(client, { from, to, tokens: watch.tokens }).then(
          (logs) => ({ ok: true as const, logs }),
          (error: unknown) => ({ ok: false as const, error }),
        ),
    Promise.allSettled(numbers.map((n) => readBlock(client, { n, watch, tracing }))),
  ]);
  // Token transfers of the whole range come from one read: without it no block is complete.
  if (!logsRead.ok) throw asScanError(logsRead.error, from, []);

  const out: ScannedBlock[] = [];
  let failure: unknown;
  for (const read of blocksRead) {
    if (read.status === 'rejected') {
      failure = read.reason;
      break;
    }
    out.push(read.value);
  }
  const byNumber = new Map(out.map((s) => [s.header.number, s]));
  for (const log of logsRead.logs) {
    if (log.removed || log.blockNumber === null || log.transactionHash === null || log.logIndex === null) continue;
    const { from: sender, to: recipient, value } = log.args;
    if (!recipient || value === undefined || value === 0n || !watch.has(lower(recipient))) continue;
    const scanned = byNumber.get(Number(log.blockNumber));
    // A log from a block the node replaced between the two reads: the next step sees the reorg.
    if (!scanned || lower(log.blockHash!) !== scanned.header.hash) continue;
    scanned.transfers.push(transfer(scanned, log.transactionHash, `log:${log.logIndex}`, sender ?? '', recipient, lower(log.address), value));
  }
  if (failure !== undefined) throw asScanError(failure, from + out.length, out);
  return out;
}

function asScanError(error: unknown, block: number, scanned: ScannedBlock[]): ScanError {
  if (error instanceof NodeReadFailed) return new ScanError(error.block, error.nodeError, scanned);
  return new ScanError(block, nodeErrorText(error), scanned);
}

function readLogs(client: EvmPublicClient, input: { from: number; to: number; tokens: readonly string[] }) {
  return retried(input.from, `token transfer logs of blocks ${input.from}..${input.to}`, () =>
    client.getLogs({ address: input.tokens as Hex[], event: transferEvent, fromBlock: BigInt(input.from), toBlock: BigInt(input.to) }),
  );
}

/** One block with its native transfers to watched addresses (token logs are added by the caller). */
async function readBlock(client: EvmPublicClient, input: { n: number; watch: WatchSet; tracing: TracingMode }): Promise<ScannedBlock> {
  const { n, watch, tracing } = input;
  const full = tracing === 'none';
  const blockRead = retried(n, 'block', () => client.getBlock({ blockNumber: BigInt(n), includeTransactions: full }));
  // The trace goes out with the block (same batched request); it needs the block's hashes only to read its answer.
  const blockHashes = blockRead.then((block) => (block.transactions as unknown as string[]).map(lower));
  const primaryTraces = full ? undefined : traceBlock(client, n, blockHashes, tracing);
  // A failed block read is thrown below; these only follow it and must not count as unhandled.
  blockHashes.catch(() => undefined);
  primaryTraces?.catch(() => undefined);
  const b = await blockRead;
  if (!b.hash) throw new NodeReadFailed(n, 'block: the node answered a pending block without a hash');
  const scanned: ScannedBlock = {
    header: { number: Number(b.number), hash: lower(b.hash), parentHash: lower(b.parentHash), timestamp: Number(b.timestamp) },
    transfers: [],
  };
  if (full) {
    const txs = b.transactions as unknown as FullTransaction[];
    for (const m of await receiptMoves(client, { n, txs, watch })) scanned.transfers.push(transfer(scanned, m.txid, m.index, m.from, m.to, '', m.value));
    return scanned;
  }

  const hashes = (b.transactions as unknown as string[]).map(lower);
  const primary = await primaryTraces!;
  const moves = [...primary.moves];
  let untraced = primary.untraced;
  const reasons = [primary.reason];
  if (untraced.size > 0) {
    const other = await traceBlock(client, n, Promise.resolve(hashes), tracing === 'debug' ? 'trace' : 'debug');
    moves.push(...other.moves.filter((m) => untraced.has(m.txid)));
    untraced = new Set([...untraced].filter((h) => other.untraced.has(h)));
    reasons.push(other.reason);
  }
  if (untraced.size > 0) {
    // Neither method traces them: their top-level value from the block and the receipts.
    const withTxs = await retried(n, 'block with transactions', () => client.getBlock({ blockNumber: BigInt(n), includeTransactions: true }));
    if (lower(withTxs.hash ?? '') !== scanned.header.hash) throw new NodeReadFailed(n, 'block: the node replaced the block while it was read');
    const txs = (withTxs.transactions as unknown as FullTransaction[]).filter((tx) => untraced.has(lower(tx.hash)));
    moves.push(...(await receiptMoves(client, { n, txs, watch })));
    scanned.untraced = { txids: [...untraced], reason: reasons.filter(Boolean).join('; ') };
  }
  for (const m of moves) if (watch.has(lower(m.to))) scanned.transfers.push(transfer(scanned, m.txid, m.index, m.from, m.to, '', m.value));
  return scanned;
}

/** Top-level value of `txs` to watched addresses, kept only when the receipt says the transaction succeeded. */
async function receiptMoves(client: EvmPublicClient, input: { n: number; txs: FullTransaction[]; watch: WatchSet }): Promise<NativeMove[]> {
  const candidates = input.txs.filter((tx) => tx.to && tx.value > 0n && input.watch.has(lower(tx.to)));
  const receipts = await Promise.all(candidates.map((tx) => retried(input.n, `receipt of ${lower(tx.hash)}`, () => client.getTransactionReceipt({ hash: tx.hash as Hex }))));
  const out: NativeMove[] = [];
  for (const [k, tx] of candidates.entries()) {
    if (receipts[k]!.status !== 'success') continue;
    out.push({ txid: lower(tx.hash), index: 'tx', from: tx.from, to: tx.to!, value: tx.value });
  }
  return out;
}

function transfer(block: ScannedBlock, txid: string, index: string, from: string, to: string, token: string, amount: bigint): IncomingTransfer {
  return { txid: lower(txid), index, from: lower(from), to: lower(to), token, amount, blockNumber: block.header.number, blockHash: block.header.hash };
}

/** Native value moved by one call frame, before its block is known. */
interface NativeMove {
  txid: string;
  index: string;
  from: string;
  to: string;
  value: bigint;
}

/** What one tracing method made of a block: the moves of the transactions it traced, those it could not, and why. */
interface BlockTraces {
  moves: NativeMove[];
  untraced: Set<string>;
  reason: string;
}

/**
 * Native value moved in block `n` (transactions `hashes`), top level and inside contract calls.
 * An error answer is retried; a method that still fails, or leaves transactions untraced,
 * reports them in `untraced` instead of throwing.
 */
async function traceBlock(client: EvmPublicClient, n: number, hashes: Promise<string[]>, mode: 'debug' | 'trace'): Promise<BlockTraces> {
  const method = mode === 'debug' ? 'debug_traceBlockByNumber' : 'trace_block';
  let answer: unknown;
  try {
    answer = await retried(n, method, () => client.request({ method, params: mode === 'debug' ? [`0x${n.toString(16)}`, { tracer: 'callTracer' }] : [`0x${n.toString(16)}`] } as never));
    if (!Array.isArray(answer)) throw new NodeReadFailed(n, `${method}: answered ${JSON.stringify(answer)}`);
  } catch (error) {
    return { moves: [], untraced: new Set(await hashes), reason: (error as Error).message.replace(/^block \d+: /, '') };
  }
  return mode === 'debug' ? debugMoves(answer as DebugTraceEntry[], await hashes) : parityMoves(answer as ParityTrace[], await hashes);
}

function debugMoves(result: DebugTraceEntry[], hashes: string[]): BlockTraces {
  const out: NativeMove[] = [];
  const traced = new Set<string>();
  const errors = new Set<string>();
  for (const [position, item] of result.entries()) {
    // Entries come in transaction order; older nodes leave txHash out.
    const txid = lower(item.txHash ?? hashes[position] ?? '');
    if (!txid) continue;
    if (!item.result) {
      errors.add(item.error ?? 'no result');
      continue;
    }
    const walk = (frame: CallFrame, path: number[]) => {
      if (frame.error) return; // a failed frame and everything under it moved nothing
      const value = big(frame.value);
      const kind = frame.type.toUpperCase();
      if (value > 0n && frame.to && (kind === 'CALL' || kind === 'SELFDESTRUCT' || kind === 'CREATE' || kind === 'CREATE2')) {
        const index = path.length === 0 ? 'tx' : `trace:${path.join('.')}`;
        out.push({ txid, index, from: frame.from, to: frame.to, value });
      }
      frame.calls?.forEach((child, i) => walk(child, [...path, i]));
    };
    walk(item.result, []);
    traced.add(txid);
  }
  const untraced = new Set(hashes.filter((h) => !traced.has(h)));
  return { moves: out, untraced, reason: untraced.size > 0 ? `debug_traceBlockByNumber: ${[...errors].join(', ') || 'transactions missing from the answer'}` : '' };
}

function parityMoves(traces: ParityTrace[], hashes: string[]): BlockTraces {
  // A trace under a failed one (same transaction, its traceAddress a prefix) moved nothing either.
  const failed = new Map<string, string[]>();
  for (const t of traces) if (t.error && t.transactionHash) (failed.get(t.transactionHash) ?? failed.set(t.transactionHash, []).get(t.transactionHash)!).push(t.traceAddress.join('.'));
  const out: NativeMove[] = [];
  const traced = new Set<string>();
  for (const t of traces) {
    const txid = t.transactionHash;
    if (!txid) continue;
    traced.add(lower(txid));
    if (t.error) continue;
    const path = t.traceAddress.join('.');
    const prefixes = failed.get(txid) ?? [];
    if (prefixes.some((p) => p === '' || path === p || path.startsWith(p + '.'))) continue;
    let from: string | undefined;
    let to: string | undefined;
    let value = 0n;
    if (t.type === 'call' && (t.action.callType === 'call' || t.action.callType === undefined)) {
      ({ from, to } = t.action);
      value = big(t.action.value);
    } else if (t.type === 'suicide') {
      from = t.action.address;
      to = t.action.refundAddress;
      value = big(t.action.balance);
    }
    if (!from || !to || value === 0n) continue;
    const index = path === '' ? 'tx' : `trace:${path}`;
    out.push({ txid: lower(txid), index, from, to, value });
  }
  const untraced = new Set(hashes.filter((h) => !traced.has(h)));
  return { moves: out, untraced, reason: untraced.size > 0 ? 'trace_block: transactions missing from the answer' : '' };
}
