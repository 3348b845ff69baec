import { chainListPageSizeDefault, chainListPageSizeMax } from '../../limits.js';
import type { ChainTxPurpose, ChainTxState } from '../../store/schema.js';
import type { Db } from '../../store/tx.js';
import { listChainTxPage, type ChainTxRecord } from './repository.js';

/** Stored transactions, newest first, for operators. */
export function listChainTxs(db: Db, filter: { chain?: string; purpose?: ChainTxPurpose; refId?: number; state?: ChainTxState; beforeId?: number; limit?: number } = {}): Promise<ChainTxRecord[]> {
  return listChainTxPage(db, { ...filter, limit: Math.min(Math.max(1, filter.limit ?? chainListPageSizeDefault), chainListPageSizeMax) });
}

/** A row's family terms (a JSON object of strings, chains/adapter.ts PaymentQuote.terms) as operators and logs read them. */
export function termsOf(terms: string): Record<string, string> {
  return JSON.parse(terms) as Record<string, string>;
}

/**
 * A stored transaction as operators see it (no raw bytes; amounts as decimal strings of base
 * units); `terms` are the family's (EVM: the gas limit, both fees per gas and, once mined, the
 * gas used) and `sequence` its sequence (EVM: the nonce).
 */
export function chainTxView(row: ChainTxRecord) {
  return {
    id: row.id,
    chain: row.chain,
    purpose: row.purpose,
    ref_id: row.ref_id,
    from: row.from_address,
    to: row.to_address,
    token: row.token,
    sequence: row.sequence,
    value: row.value.toString(),
    hash: row.hash,
    state: row.state,
    replaces_id: row.replaces_id,
    block_number: row.block_number,
    fee_max: row.fee_max.toString(),
    terms: termsOf(row.terms),
    fee: row.fee.toString(),
    broadcasts: row.broadcasts,
    last_error: row.last_error,
    broadcast_at: Number(row.broadcast_at),
    created_at: Number(row.created_at),
    updated_at: Number(row.updated_at),
  };
}
