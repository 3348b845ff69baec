/**
 * What `serve` prints once at start-up, so an operator sees at a glance which database,
 * chains, keys and listeners this process runs with. Never holds a secret: the database URL
 * is redacted (password hidden), node URLs are shown by origin only.
 */
import type { ServiceContext } from './context.js';
import { listCoins } from './modules/coins/index.js';
import { summaryNodeTimeoutMs } from './limits.js';

export interface ChainSummary {
  id: string;
  /** The node's origin (scheme, host, port): paths and credentials in the URL are left out. */
  node: string;
  reachable: boolean;
  /** The node's newest block, when reachable. */
  head: number | null;
  /** Why the node could not be read, when not reachable. */
  error: string | null;
  hotAddress: string;
  feeAddress: string;
  /** Confirmations each coin of this chain waits for before crediting, by symbol. */
  confirmations: Record<string, number>;
}

export interface StartupSummary {
  /** The database URL with its password hidden. */
  database: string;
  migrations: { appliedNow: string[]; current: string };
  chains: ChainSummary[];
  /** Where the seed and hot/fee keys come from (e.g. "keystore", "mnemonic"). */
  keySource: string;
  /** The remote signer's origin when it signs for the hot and fee wallets. */
  remoteSigner: string | null;
  listeners: { merchant: string | null; operator: string | null };
  workers: boolean;
}

function origin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(invalid URL)';
  }
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Asks every configured node for its head (in parallel, bounded by summaryNodeTimeoutMs). */
export async function summarizeChains(ctx: Pick<ServiceContext, 'chains' | 'store'>): Promise<ChainSummary[]> {
  const coins = await listCoins(ctx.store.db);
  return Promise.all(
    [...ctx.chains.values()].map(async (chain): Promise<ChainSummary> => {
      const confirmations: Record<string, number> = {};
      for (const coin of coins) if (coin.chain === chain.id) confirmations[coin.symbol] = coin.confirmations;
      const base = { id: chain.id, node: origin(chain.config.rpcUrl), hotAddress: chain.hotAddress, feeAddress: chain.feeAddress, confirmations };
      try {
        const head = await withTimeout(chain.reader.headNumber(), summaryNodeTimeoutMs);
        return { ...base, reachable: true, head, error: null };
      } catch (error) {
        // The first line only: node errors can be long and carry request bodies.
        const message = ((error as Error).message ?? String(error)).split('\n')[0]!.slice(0, 200);
        return { ...base, reachable: false, head: null, error: message };
      }
    }),
  );
}
