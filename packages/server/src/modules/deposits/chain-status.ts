import { redactedUrl } from '../../http/redacted-url.js';
import { DepositStatus } from '@openwaas/sdk';
import { NodeError } from '../../chains/adapter.js';
import { countOpenAlerts } from '../alerts/index.js';
import { countChainTxsInFlight } from '../chain-sends/index.js';
import { listCoinsOfChain } from '../coins/index.js';
import { countSweepsInFlight } from '../sweeps/index.js';
import type { ChainStatusDeps } from './deps.js';
import * as repo from './repository.js';
import { readScannerFault } from './scanner-health.js';
import { readWalletStatuses, type WalletStatus } from './wallet-levels.js';

/** What an operator watches per chain: scanner progress, wallets, work in flight. */
export interface ChainStatus {
  chain: string;
  /** The node's URL with user info, query and long path segments (keys) replaced by "***". */
  rpc_url: string;
  head: number | null;
  /** Highest block scanned (-1 before the first). */
  scanned: number;
  /** The lag: head − scanned (null when the node did not answer). */
  behind: number | null;
  /** Set when the node did not answer this status request. */
  node_error?: string;
  /** What keeps the scanner from reading a block: the block and the node's error, since when (ms) and last seen (ms). */
  scanner_error?: { block: number; error: string; since: number; at: number };
  /** Balances per coin, each with its low threshold (hotWalletLow) and `low`. */
  hot_wallet: WalletStatus;
  /** Balances per coin; its base coin's carries the feeWalletLow threshold. */
  fee_wallet: WalletStatus;
  deposits_confirming: number;
  transactions_in_flight: number;
  sweeps_in_flight: number;
  open_alerts: number;
}

/** Status of every configured chain (balances read from the node now). */
export async function chainStatuses(ctx: ChainStatusDeps): Promise<ChainStatus[]> {
  const db = ctx.store.db;
  const out: ChainStatus[] = [];
  for (const chain of ctx.chains.values()) {
    const coins = await listCoinsOfChain(db, chain.id);
    const cursor = await repo.readCursor(db, chain.id);
    const scanned = cursor ? cursor.scannedHeight : -1;
    const fault = await readScannerFault(db, chain.id);
    const status: ChainStatus = {
      chain: chain.id,
      rpc_url: redactedUrl(chain.config.rpcUrl),
      head: null,
      scanned,
      behind: null,
      hot_wallet: { address: chain.hotAddress, balances: {}, levels: {}, low: false },
      fee_wallet: { address: chain.feeAddress, balances: {}, levels: {}, low: false },
      deposits_confirming: await repo.countDepositsByStatus(db, { coinIds: coins.map((c) => Number(c.id)), status: DepositStatus.Confirming }),
      transactions_in_flight: await countChainTxsInFlight(db, chain.id),
      sweeps_in_flight: await countSweepsInFlight(db, chain.id),
      open_alerts: await countOpenAlerts(db),
      ...(fault ? { scanner_error: { block: fault.block, error: fault.error, since: fault.sinceMs, at: fault.atMs } } : {}),
    };
    try {
      status.head = await chain.reader.headNumber();
      status.behind = Math.max(0, status.head - scanned);
      const wallets = await readWalletStatuses(chain, coins);
      status.hot_wallet = wallets.hot;
      status.fee_wallet = wallets.fee;
    } catch (error) {
      status.node_error = error instanceof NodeError ? error.nodeError : ((error as Error).message.split('\n')[0] ?? 'node error');
    }
    out.push(status);
  }
  return out;
}
