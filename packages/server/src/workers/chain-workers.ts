import type { ServiceContext } from '../context.js';
import { kytPollIntervalMs } from '../limits.js';
import { startLoop, type Loop } from './loop.js';
import { scanTick } from './scanner.js';
import { broadcastTick, type BroadcastTickDeps } from './broadcaster.js';
import { sweepTick } from './sweeper.js';
import { kytLeaseName, kytTick, type KytTickDeps } from './kyt-worker.js';
import type { ScanContext } from '../modules/deposits/index.js';
import type { SweepPlanDeps } from '../modules/sweeps/index.js';
import { releaseLease } from './lease.js';
import { hasWalletThresholds } from '../modules/deposits/index.js';
import { walletWatchLeaseName, walletWatchTick } from './wallet-watch.js';

/** What the chain workers read: every loop's needs, and the chains to run them on. */
export type ChainWorkersDeps = Pick<ServiceContext, 'chains'> & ScanContext & BroadcastTickDeps & SweepPlanDeps & KytTickDeps;

export interface ChainWorkers {
  wake(chain?: string): void;
  stop(): Promise<void>;
}

/**
 * Starts, for every configured chain, the scanner (deposits), the broadcaster (withdrawals)
 * and the sweeper (collection), and the wallet watch (low-balance thresholds) on chains with a
 * threshold set; plus the KYT loop when a provider is configured. Each loop
 * takes a lease per chain so several service processes never run the same one twice.
 */
export function startChainWorkers(ctx: ChainWorkersDeps): ChainWorkers {
  const loops = new Map<string, Loop[]>();
  const all: Loop[] = [];
  for (const chain of ctx.chains.values()) {
    const interval = chain.config.pollIntervalMs;
    const perChain = [
      startLoop({ name: `scanner ${chain.id}`, intervalMs: interval, log: ctx.log, tick: (signal) => scanTick(ctx, chain, signal) }),
      startLoop({ name: `broadcaster ${chain.id}`, intervalMs: interval, log: ctx.log, tick: (signal) => broadcastTick(ctx, chain, signal) }),
      startLoop({ name: `sweeper ${chain.id}`, intervalMs: interval, log: ctx.log, tick: (signal) => sweepTick(ctx, chain, signal) }),
    ];
    if (hasWalletThresholds(chain)) {
      perChain.push(startLoop({ name: `wallets ${chain.id}`, intervalMs: chain.config.walletCheckIntervalMs, log: ctx.log, tick: () => walletWatchTick(ctx, chain) }));
    }
    loops.set(chain.id, perChain);
    all.push(...perChain);
  }
  if (ctx.kyt) all.push(startLoop({ name: 'kyt', intervalMs: kytPollIntervalMs, log: ctx.log, tick: (signal) => kytTick(ctx, signal) }));
  return {
    wake(chain) {
      for (const [id, perChain] of loops) if (chain === undefined || chain === id) perChain.forEach((l) => l.wake());
    },
    async stop() {
      await Promise.all(all.map((l) => l.stop()));
      // Hand the leases over at once instead of after they expire.
      const names = [...ctx.chains.values()]
        .flatMap((chain) => [`scanner:${chain.id}`, `broadcaster:${chain.id}`, `sweeper:${chain.id}`, ...(hasWalletThresholds(chain) ? [walletWatchLeaseName(chain.id)] : [])])
        .concat(ctx.kyt ? [kytLeaseName] : []);
      await Promise.all(names.map((n) => releaseLease(ctx.store, n).catch(() => undefined)));
    },
  };
}
