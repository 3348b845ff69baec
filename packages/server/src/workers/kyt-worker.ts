import type { ServiceContext } from '../context.js';

// PLACEHOLDER: replaced by the real KYT loop in this change.
export async function kytTick(_ctx: ServiceContext, _signal: AbortSignal): Promise<boolean> {
  return false;
}
