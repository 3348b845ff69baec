import { findCoinBySymbol, type CoinRecord } from '../coins/index.js';
import { feeAccount, userAccount } from '../ledger/index.js';
import type { Posting } from '../ledger/index.js';
import { chainAccount, treasuryAccount } from '../chain-sends/index.js';
import type { WithdrawalRecord } from './repository.js';
import type { Db } from '../../store/tx.js';

/** The coin a withdrawal of `coin` pays its fee in. */
export async function feeCoinOf(db: Db, coin: CoinRecord): Promise<CoinRecord> {
  if (coin.withdraw_fee_symbol === coin.symbol) return coin;
  const feeCoin = await findCoinBySymbol(db, coin.withdraw_fee_symbol);
  // upsertCoin refuses a fee coin that does not exist: a miss is a configuration bug.
  if (!feeCoin) throw new Error(`coin ${coin.symbol}: fee coin ${coin.withdraw_fee_symbol} is not configured`);
  return feeCoin;
}

async function feeCoinIdOf(db: Db, w: WithdrawalRecord): Promise<number> {
  const feeCoin = await findCoinBySymbol(db, w.withdraw_fee_symbol);
  if (!feeCoin) throw new Error(`withdrawal ${w.id}: fee coin ${w.withdraw_fee_symbol} is not configured`);
  return Number(feeCoin.id);
}

/** Journal lines moving a withdrawal's funds between the user's normal and lock buckets. */
export function lockPostings(w: WithdrawalRecord, feeCoinId: number, direction: 'lock' | 'unlock'): Posting[] {
  const merchantId = Number(w.merchant_id);
  const uid = Number(w.uid);
  const sign = direction === 'lock' ? 1n : -1n;
  const move = (coinId: number, units: bigint): Posting[] => [
    { account: userAccount(merchantId, uid, coinId), bucket: 'normal', delta: -sign * units },
    { account: userAccount(merchantId, uid, coinId), bucket: 'lock', delta: sign * units },
  ];
  const amount = w.amount;
  const fee = w.withdraw_fee;
  // Same-coin fee: the amount already includes it. Another coin: the fee is locked beside it.
  if (feeCoinId === Number(w.coin_id)) return move(feeCoinId, amount);
  return [...move(Number(w.coin_id), amount), ...move(feeCoinId, fee)];
}

/** Journal lines returning a withdrawal's locked funds (amount, and a fee in another coin) to the user's normal balance. */
export async function unlockPostings(db: Db, w: WithdrawalRecord): Promise<Posting[]> {
  return lockPostings(w, await feeCoinIdOf(db, w), 'unlock');
}

/** What leaves the hot wallet: amount − fee when the fee is charged in the same coin, else the amount. */
export function sentAmount(w: Pick<WithdrawalRecord, 'amount' | 'withdraw_fee' | 'withdraw_fee_symbol' | 'symbol'>): bigint {
  return w.withdraw_fee_symbol === w.symbol ? w.amount - w.withdraw_fee : w.amount;
}

/** Journal lines returning a failed on-chain withdrawal's locked funds (amount, and a fee in another coin) to the user. */
export function chainUnlockPostings(w: WithdrawalRecord, coinId: number, feeCoinId: number): Posting[] {
  const merchantId = Number(w.merchant_id);
  const uid = Number(w.uid);
  const back = (id: number, units: bigint): Posting[] => [
    { account: userAccount(merchantId, uid, id), bucket: 'lock', delta: -units },
    { account: userAccount(merchantId, uid, id), bucket: 'normal', delta: units },
  ];
  return feeCoinId === coinId ? back(coinId, w.amount) : [...back(coinId, w.amount), ...back(feeCoinId, w.withdraw_fee)];
}

/** Journal lines of a paid withdrawal: the lock leaves, the fee goes to the merchant, the payout to the chain. */
export function paidPostings(w: WithdrawalRecord, coinId: number, feeCoinId: number): Posting[] {
  const merchantId = Number(w.merchant_id);
  const uid = Number(w.uid);
  const amount = w.amount;
  const fee = w.withdraw_fee;
  const postings: Posting[] = [
    { account: userAccount(merchantId, uid, coinId), bucket: 'lock', delta: -amount },
    { account: chainAccount(coinId), bucket: 'normal', delta: sentAmount(w) },
  ];
  if (feeCoinId === coinId) {
    postings.push({ account: feeAccount(merchantId, coinId), bucket: 'normal', delta: fee });
  } else {
    postings.push(
      { account: userAccount(merchantId, uid, feeCoinId), bucket: 'lock', delta: -fee },
      { account: feeAccount(merchantId, feeCoinId), bucket: 'normal', delta: fee },
    );
  }
  return postings;
}

/** Gas paid by the hot wallet: the operator's treasury pays it to the outside world. */
export function gasPostings(nativeCoinId: number, gas: bigint): Posting[] {
  return [
    { account: treasuryAccount(nativeCoinId), bucket: 'normal', delta: -gas },
    { account: chainAccount(nativeCoinId), bucket: 'normal', delta: gas },
  ];
}
