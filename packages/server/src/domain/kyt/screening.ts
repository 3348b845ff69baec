import type { ServiceContext } from '../../context.js';
import type { Coin, Deposit } from '../../store/schema.js';
import type { KytVerdict } from './provider.js';

/**
 * Screens a deposit that reached its confirmations (called outside any database transaction:
 * providers may be slow). Without a provider every deposit passes.
 */
export async function screenDeposit(ctx: ServiceContext, _deposit: Deposit, _coin: Coin): Promise<KytVerdict> {
  if (!ctx.kyt) return { outcome: 'pass' };
  return { outcome: 'pending', reason: 'screening not wired yet' };
}
