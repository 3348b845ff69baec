/** The merchant-facing shapes of withdrawal, deposit and miner-fee records (lists and notifications). */
import type { WithdrawalRecord } from '../withdrawals/index.js';
import type { DepositRecord } from '../deposits/index.js';
import type { MinerFeeRecord } from '../sweeps/index.js';
import type { CoinLookup } from '../coins/index.js';
import { formatAmount } from '../../money/amount.js';
import { findUserById, findUserEmails } from '../merchants/index.js';
import { TxidType, WithdrawType } from '@openwaas/sdk';

/** `txid_type` as the wire carries it: "0" on-chain, "1" internal (alliance). */
const txidTypeOf = (internal: boolean): `${TxidType}` => (internal ? TxidType.Internal : TxidType.OnChain);

/** The users' emails, cached for the life of a request's coin lookup (a list names few users). */
const emailCaches = new WeakMap<CoinLookup, Map<number, string>>();

/**
 * Reads the emails of a list's users in one query into the request's cache, so formatting a
 * 100-record page does not ask the database once per record.
 */
export async function primeEmails(coins: CoinLookup, uids: readonly number[]): Promise<void> {
  let cache = emailCaches.get(coins);
  if (!cache) emailCaches.set(coins, (cache = new Map()));
  const missing = [...new Set(uids)].filter((uid) => !cache.has(uid));
  if (missing.length === 0) return;
  const found = await findUserEmails(coins.db, missing);
  for (const uid of missing) cache.set(uid, found.get(uid) ?? '');
}

/** The user's email ("" when registered by phone), as the vendor's newer record types carry it. */
async function emailOf(uid: number, coins: CoinLookup): Promise<string> {
  let cache = emailCaches.get(coins);
  if (!cache) emailCaches.set(coins, (cache = new Map()));
  let email = cache.get(uid);
  if (email === undefined) {
    email = (await findUserById(coins.db, uid))?.email ?? '';
    cache.set(uid, email);
  }
  return email;
}

/** A withdrawal as the list endpoints return it (seed shape: ms numbers, decimal strings). */
export async function withdrawRecord(w: WithdrawalRecord, coins: CoinLookup) {
  const coin = await coins.byIdOrThrow(Number(w.coin_id));
  const feeCoin = await coins.bySymbolOrThrow(w.withdraw_fee_symbol);
  const baseCoin = await coins.bySymbolOrThrow(w.fee_symbol).catch(() => coin);
  const withdrawFee = formatAmount(w.withdraw_fee, feeCoin.decimals);
  return {
    id: Number(w.id),
    request_id: w.request_id,
    uid: Number(w.uid),
    symbol: w.symbol,
    amount: formatAmount(w.amount, coin.decimals),
    withdraw_fee_symbol: w.withdraw_fee_symbol,
    withdraw_fee: withdrawFee,
    fee_symbol: w.fee_symbol,
    real_fee: formatAmount(w.real_fee, baseCoin.decimals),
    address_from: w.address_from,
    address_to: w.address_to,
    txid: w.txid,
    confirmations: w.confirmations,
    saas_status: w.saas_status,
    company_status: w.company_status,
    status: w.status,
    withdraw_type: w.withdraw_type,
    created_at: Number(w.created_at),
    updated_at: Number(w.updated_at),
    // The fields of the vendor's newer record types (docs/fields.md).
    base_symbol: coin.base_symbol,
    contract_address: coin.contract_address,
    email: await emailOf(Number(w.uid), coins),
    fee: withdrawFee,
    txid_type: txidTypeOf(w.withdraw_type === WithdrawType.Internal),
  };
}

/** A deposit as the list endpoints return it. */
export async function depositRecord(d: DepositRecord, coins: CoinLookup) {
  const coin = await coins.byIdOrThrow(Number(d.coin_id));
  return {
    id: Number(d.id),
    uid: Number(d.uid),
    symbol: d.symbol,
    amount: formatAmount(d.amount, coin.decimals),
    address_from: d.address_from,
    address_to: d.address_to,
    txid: d.txid,
    confirmations: d.confirmations,
    status: d.status,
    created_at: Number(d.created_at),
    updated_at: Number(d.updated_at),
    // The fields of the vendor's newer record types (docs/fields.md).
    base_symbol: coin.base_symbol,
    contract_address: coin.contract_address,
    email: await emailOf(Number(d.uid), coins),
    txid_type: txidTypeOf(d.withdrawal_id !== null),
    is_mining: 0 as const,
  };
}

/** A collection miner-fee record as the list endpoints return it. */
export async function minerFeeRecord(m: MinerFeeRecord, coins: CoinLookup) {
  const coin = await coins.byIdOrThrow(Number(m.coin_id));
  const base = await coins.bySymbolOrThrow(m.base_symbol).catch(() => coin);
  return {
    id: Number(m.id),
    symbol: m.symbol,
    amount: formatAmount(m.amount, coin.decimals),
    fee: formatAmount(m.fee, base.decimals),
    address_from: m.address_from,
    address_to: m.address_to,
    txid: m.txid,
    txid_type: m.txid_type,
    confirmations: m.confirmations,
    status: m.status,
    base_symbol: m.base_symbol,
    contract_address: m.contract_address,
    email: m.email,
    created_at: Number(m.created_at),
    updated_at: Number(m.updated_at),
  };
}

/** Notifications carry every field as a string (seeds). */
function stringify(record: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(record)) out[k] = v === null || v === undefined ? '' : String(v);
  return out;
}

/** The outbox payload of a withdrawal status change. */
export async function withdrawNotificationPayload(w: WithdrawalRecord, coins: CoinLookup): Promise<Record<string, string>> {
  return stringify(await withdrawRecord(w, coins));
}

/** The outbox payload of a deposit status change. */
export async function depositNotificationPayload(d: DepositRecord, coins: CoinLookup): Promise<Record<string, string>> {
  return stringify(await depositRecord(d, coins));
}
