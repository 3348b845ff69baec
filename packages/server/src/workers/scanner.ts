/**
 * The deposit scanner loop of one chain: a tick runs one scanner step (modules/deposits) while
 * this process holds the chain's scanner lease (single leader per chain).
 */
import type { ChainHandle } from '../chains/registry.js';
import { scannerLeaseName, scannerLeaseTtlMs, scanStep, type ScanContext } from '../modules/deposits/index.js';
import { holdLease } from './lease.js';

/** The loop's tick: runs a step while this process holds the chain's scanner lease. */
export async function scanTick(ctx: ScanContext, chain: ChainHandle, signal: AbortSignal): Promise<boolean> {
  if (!(await holdLease(ctx.store, scannerLeaseName(chain.id), ctx.clock.nowMs(), scannerLeaseTtlMs(chain)))) return false;
  return (await scanStep(ctx, chain, { signal })).more;
}
