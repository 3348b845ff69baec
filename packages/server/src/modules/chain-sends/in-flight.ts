import type { ChainTxPurpose } from '../../store/schema.js';
import type { Db } from '../../store/tx.js';
import { countUnsettledTxs, listChainTxsInStates, type ChainTxRecord } from './repository.js';
import { activeTxStates } from './stored-txs.js';

/**
 * Transactions of `chain` signed or sent but not in a block yet (optionally only of `purpose`
 * or from `from`): what they will spend is not in any balance the node reports yet.
 */
export function listUnminedTxs(db: Db, filter: { chain: string; purpose?: ChainTxPurpose; from?: string }): Promise<ChainTxRecord[]> {
  return listChainTxsInStates(db, { ...filter, states: ['signed', 'broadcast'] });
}

/** How many transactions of `chain` are not final yet or were mined after `block` (balances read at `block` do not show them). */
export function countTxsNotFinalAt(db: Db, filter: { chain: string; block: number }): Promise<number> {
  return countUnsettledTxs(db, { chain: filter.chain, states: activeTxStates, afterBlock: filter.block });
}

/** The most a stored transaction can take from its sender in the native coin: its native amount and the most its fees can cost. */
export function maxNativeSpend(row: Pick<ChainTxRecord, 'token' | 'value' | 'fee_max'>): bigint {
  return (row.token === '' ? row.value : 0n) + row.fee_max;
}
