import { addressCodec } from '../../chains/address-codec.js';
import { kytReasonLengthMax } from '../../limits.js';
import type { CoinRecord } from '../coins/index.js';
import type { WithdrawalRecord } from '../withdrawals/index.js';
import type { DepositRecord } from '../deposits/index.js';
import { checkDepositBreaker } from './circuit-breaker.js';
import type { DepositScreeningContext, KytProviderDeps, WithdrawalScreeningContext, WithdrawalSubjectDeps } from './deps.js';
import type { KytSubject, KytVerdict } from './provider.js';

export interface ScreenOptions {
  /** Aborts a slow provider call (service shutdown); the verdict is then 'pending'. */
  signal?: AbortSignal;
}

/** What a provider is told about a deposit: the sender is the counterparty. */
export function depositSubject(deposit: DepositRecord, coin: CoinRecord): KytSubject {
  return {
    side: 'deposit',
    recordId: Number(deposit.id),
    merchantId: Number(deposit.merchant_id),
    uid: Number(deposit.uid),
    chain: coin.chain,
    symbol: coin.symbol,
    contractAddress: coin.contract_address,
    amount: deposit.amount,
    decimals: coin.decimals,
    address: addressCodec(coin.chain).canonical(deposit.address_from),
    ownAddress: addressCodec(coin.chain).canonical(deposit.address_to),
    txid: deposit.txid,
  };
}

/** What a provider is told about a withdrawal: the recipient is the counterparty, the hot wallet pays. */
export function withdrawalSubject(ctx: WithdrawalSubjectDeps, withdrawal: WithdrawalRecord, coin: CoinRecord): KytSubject {
  return {
    side: 'withdraw',
    recordId: Number(withdrawal.id),
    merchantId: Number(withdrawal.merchant_id),
    uid: Number(withdrawal.uid),
    chain: coin.chain,
    symbol: coin.symbol,
    contractAddress: coin.contract_address,
    amount: withdrawal.amount,
    decimals: coin.decimals,
    address: addressCodec(coin.chain).canonical(withdrawal.address_to),
    ownAddress: addressCodec(coin.chain).canonical(ctx.chains.get(coin.chain)?.hotAddress ?? ''),
    txid: withdrawal.txid,
  };
}

/** The provider's verdict; a provider that throws (a bug) leaves the record waiting, never passed. */
async function askProvider(ctx: KytProviderDeps, subject: KytSubject, options: ScreenOptions): Promise<KytVerdict> {
  try {
    return await ctx.kyt!.screen(subject, options.signal);
  } catch (err) {
    ctx.log.error({ err, side: subject.side, recordId: subject.recordId, provider: ctx.kyt!.name }, 'KYT provider failed');
    return { outcome: 'pending', reason: `KYT provider ${ctx.kyt!.name} failed: ${(err as Error)?.message ?? String(err)}`.slice(0, kytReasonLengthMax), unavailable: true };
  }
}

/**
 * Screens a deposit that reached its confirmations (called outside any database transaction:
 * providers may be slow). Without a provider every deposit passes. The circuit breaker
 * (`kyt.breaker`) is checked first, then the provider's rules.
 * Verdicts map to deposit statuses: pass → 1, review → 5, breaker → 6, pending → 4.
 */
export async function screenDeposit(ctx: DepositScreeningContext, deposit: DepositRecord, coin: CoinRecord, options: ScreenOptions = {}): Promise<KytVerdict> {
  if (!ctx.kyt) return { outcome: 'pass' };
  const breaker = ctx.config.kyt.breaker;
  if (breaker) {
    const tripped = await checkDepositBreaker(ctx.store.db, breaker, deposit, coin);
    if (tripped) return tripped;
  }
  return askProvider(ctx, depositSubject(deposit, coin), options);
}

/**
 * Screens an approved on-chain withdrawal before it is paid (outside any database
 * transaction). Without a provider every withdrawal passes. Verdicts map to withdrawal
 * statuses: pass → 1, review → 8, pending → stays 7. The breaker is for deposits only.
 */
export async function screenWithdrawal(ctx: WithdrawalScreeningContext, withdrawal: WithdrawalRecord, coin: CoinRecord, options: ScreenOptions = {}): Promise<KytVerdict> {
  if (!ctx.kyt) return { outcome: 'pass' };
  const verdict = await askProvider(ctx, withdrawalSubject(ctx, withdrawal, coin), options);
  // A provider has no business tripping the deposit breaker on a withdrawal: treat it as a review.
  return verdict.outcome === 'breaker' ? { outcome: 'review', reason: verdict.reason } : verdict;
}
