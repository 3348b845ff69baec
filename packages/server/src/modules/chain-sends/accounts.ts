import type { AccountRef } from '../ledger/index.js';

/**
 * Accounts of the on-chain money model (docs/chains.md):
 * - chain: the mirror of our chain addresses. Every value arriving at a deposit, hot or fee
 *   address from outside debits it; every value leaving to the outside (withdrawal payouts,
 *   gas) credits it. So −chain(coin) is what our addresses should hold, and the on-chain
 *   audit checks exactly that.
 * - treasury: the operator's own funds (hot/fee wallet refills); withdrawal gas is paid from it.
 * - suspense: arrived and confirmed but owed to nobody yet (KYT hold, below the minimum).
 */
export function chainAccount(coinId: number): AccountRef {
  return { kind: 'chain', merchantId: null, uid: null, coinId };
}

export function treasuryAccount(coinId: number): AccountRef {
  return { kind: 'treasury', merchantId: null, uid: null, coinId };
}

export function suspenseAccount(coinId: number): AccountRef {
  return { kind: 'suspense', merchantId: null, uid: null, coinId };
}
