/**
 * KYT screening: a provider looks at one deposit or withdrawal and says pass, review, or
 * that it cannot say yet. The service maps outcomes to statuses: deposits 4 (awaiting
 * screening: provider unavailable, retried), 5 (risk too high: manual review), 6 (circuit
 * breaker); withdrawals 7 (awaiting screening) and 8 (manual review).
 */

export interface KytSubject {
  side: 'deposit' | 'withdraw';
  /** deposit or withdrawal id. */
  recordId: number;
  merchantId: number;
  uid: number;
  chain: string;
  symbol: string;
  /** Token contract ("" for a native coin). */
  contractAddress: string;
  amount: bigint;
  decimals: number;
  /** The counterparty: the sender of a deposit, the recipient of a withdrawal (lower-case). */
  address: string;
  /** Our address: the deposit address, or the hot wallet. */
  ownAddress: string;
  txid: string;
}

export type KytVerdict =
  | { outcome: 'pass' }
  /** Risk too high: an operator decides (deposit 5, withdrawal 8). */
  | { outcome: 'review'; reason: string }
  /** Too many or too large deposits in a window (deposit 6). */
  | { outcome: 'breaker'; reason: string }
  /** No answer yet (provider down, still screening): deposit 4 / withdrawal 7, asked again later. */
  | {
      outcome: 'pending';
      reason: string;
      /** The provider could not be reached or answered nonsense (not a deliberate "still screening"). */
      unavailable?: boolean;
    };

export interface KytProvider {
  readonly name: string;
  screen(subject: KytSubject, signal?: AbortSignal): Promise<KytVerdict>;
}
