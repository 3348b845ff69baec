import type { ChainHandle } from '../chains/registry.js';
import type { ServiceContext } from '../context.js';

// PLACEHOLDER: replaced by the real broadcaster in this change.
export async function broadcastTick(_ctx: ServiceContext, _chain: ChainHandle, _signal: AbortSignal): Promise<boolean> {
  return false;
}
