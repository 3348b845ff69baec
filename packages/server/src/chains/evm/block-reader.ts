import { parseAbiItem, type Hex } from 'viem';
import type { IncomingTransfer, ScannedBlock, WatchSet } from '../adapter.js';
import type { EvmPublicClient } from './client.js';

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

/** A parity-style trace (trace_block). */
interface ParityTrace {
  type: string;
  action: { from?: string; to?: string; value?: string; callType?: string; address?: string; refundAddress?: string; balance?: string };
  traceAddress: number[];
  transactionHash: string | null;
  error?: string;
}

const lower = (s: string) => s.toLowerCase();
const big = (hex: string | undefined) => (hex ? BigInt(hex) : 0n);

/**
 * Reads blocks from..to with every transfer to a watched address. All requests for the range
 * go out together (the client batches them); a failed frame (or a frame under a failed one)
 * moved nothing and is skipped, as is a reverted top-level transaction.
 */
export async function readBlocks(client: EvmPublicClient, input: { from: number; to: number; watch: WatchSet; tracing: TracingMode }): Promise<ScannedBlock[]> {
  const { from, to, watch, tracing } = input;
  const numbers = Array.from({ length: to - from + 1 }, (_, i) => from + i);
  const [blocks, traces, logs] = await Promise.all([
    Promise.all(numbers.map((n) => client.getBlock({ blockNumber: BigInt(n), includeTransactions: tracing === 'none' }))),
    tracing === 'none' ? Promise.resolve(undefined) : Promise.all(numbers.map((n) => traceBlock(client, n, tracing))),
    watch.tokens.length === 0
      ? Promise.resolve([])
      : client.getLogs({ address: watch.tokens as Hex[], event: transferEvent, fromBlock: BigInt(from), toBlock: BigInt(to) }),
  ]);

  const out: ScannedBlock[] = blocks.map((b) => ({
    header: { number: Number(b.number), hash: lower(b.hash!), parentHash: lower(b.parentHash), timestamp: Number(b.timestamp) },
    transfers: [],
  }));
  const byNumber = new Map(out.map((s) => [s.header.number, s]));

  if (traces === undefined) {
    // No tracing: value on top-level transactions, kept only when the receipt says it succeeded.
    for (const [i, b] of blocks.entries()) {
      const scanned = out[i]!;
      const candidates = (b.transactions as Array<{ hash: string; from: string; to: string | null; value: bigint }>).filter((tx) => tx.to && tx.value > 0n && watch.has(lower(tx.to)));
      const receipts = await Promise.all(candidates.map((tx) => client.getTransactionReceipt({ hash: tx.hash as Hex })));
      for (const [k, tx] of candidates.entries()) {
        if (receipts[k]!.status !== 'success') continue;
        scanned.transfers.push(transfer(scanned, tx.hash, 'tx', tx.from, tx.to!, '', tx.value));
      }
    }
  } else {
    for (const [i, blockTraces] of traces.entries()) {
      const scanned = out[i]!;
      for (const m of blockTraces) if (watch.has(lower(m.to))) scanned.transfers.push(transfer(scanned, m.txid, m.index, m.from, m.to, '', m.value));
    }
  }

  for (const log of logs) {
    if (log.removed || log.blockNumber === null || log.transactionHash === null || log.logIndex === null) continue;
    const { from: sender, to: recipient, value } = log.args;
    if (!recipient || value === undefined || value === 0n || !watch.has(lower(recipient))) continue;
    const scanned = byNumber.get(Number(log.blockNumber));
    // A log from a block the node replaced between the two reads: the next step sees the reorg.
    if (!scanned || lower(log.blockHash!) !== scanned.header.hash) continue;
    scanned.transfers.push(transfer(scanned, log.transactionHash, `log:${log.logIndex}`, sender ?? '', recipient, lower(log.address), value));
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

/** Native value moved in block `n`, top level and inside contract calls. */
function traceBlock(client: EvmPublicClient, n: number, mode: 'debug' | 'trace'): Promise<NativeMove[]> {
  return mode === 'debug' ? debugTrace(client, n) : parityTrace(client, n);
}

async function debugTrace(client: EvmPublicClient, n: number): Promise<NativeMove[]> {
  const result = (await client.request({
    method: 'debug_traceBlockByNumber',
    params: [`0x${n.toString(16)}`, { tracer: 'callTracer' }],
  } as never)) as Array<{ txHash?: string; result: CallFrame }>;
  const out: NativeMove[] = [];
  for (const item of result) {
    const txid = item.txHash;
    if (!txid) continue;
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
  }
  return out;
}

async function parityTrace(client: EvmPublicClient, n: number): Promise<NativeMove[]> {
  const traces = (await client.request({ method: 'trace_block', params: [`0x${n.toString(16)}`] } as never)) as ParityTrace[];
  // A trace under a failed one (same transaction, its traceAddress a prefix) moved nothing either.
  const failed = new Map<string, string[]>();
  for (const t of traces) if (t.error && t.transactionHash) (failed.get(t.transactionHash) ?? failed.set(t.transactionHash, []).get(t.transactionHash)!).push(t.traceAddress.join('.'));
  const out: NativeMove[] = [];
  for (const t of traces) {
    const txid = t.transactionHash;
    if (!txid || t.error) continue;
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
    out.push({ txid, index, from, to, value });
  }
  return out;
}
