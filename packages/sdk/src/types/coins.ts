import type { DecimalString } from './common.js';

/**
 * #4 `/user/getCoinList` record: a coin enabled for the merchant. Every field is a string but
 * `margin_symbol`, a boolean (as the vendor's newer SDKs decode it). docs/fields.md says what
 * each field of the newer SDKs means here.
 */
export interface CoinInfo {
  /** Symbol used in every other call, e.g. "USDT". */
  symbol: string;
  icon: string;
  /** Symbol of the asset itself (several `symbol`s may share one `real_symbol`). */
  real_symbol: string;
  /** Decimal places of the coin. */
  decimals: string;
  name: string;
  /** The chain's native coin, e.g. "ETH" for an ERC-20 token. */
  base_symbol: string;
  /** Token contract; "" for a native coin. */
  contract_address: string;
  /** Confirmations before a deposit is credited. */
  deposit_confirmation: string;
  /** Transaction-link template of the coin's block explorer: `{txid}` stands for the hash ("" when not configured). */
  explorer: string;
  /** Regular expression a valid address matches. */
  address_regex: string;
  /** Regular expression a valid memo/tag matches ("" when none). */
  address_tag_regex: string;
  /** "1" when addresses carry a memo. */
  support_memo: string;
  /** "1" when the chain supports tokens. */
  support_token: string;
  /** Smallest deposit credited, in the coin's units (smaller ones are recorded but not credited; "0" = any). */
  min_deposit: DecimalString;
  /** Confirmations a withdrawal's transaction needs before it counts as succeeded. */
  withdraw_confirmation: string;
  /** Transaction-link template of the block explorer, `{txid}` standing for the hash (same as `explorer`). */
  txid_link: string;
  /** Address-link template of the block explorer, `{address}` standing for the address ("" when not configured). */
  address_link: string;
  /** The network the coin lives on: the chain id, e.g. "evm:1". */
  coin_net: string;
  /** The coin's display alias: its symbol (no separate alias is configured). */
  symbol_alias: string;
  /** True for the chain's native coin, whose balance pays the miner fees of every coin on the chain; false for a token. */
  margin_symbol: boolean;
  /** The coin whose deposit address this coin shares: the chain's native coin (its own symbol for the native coin). */
  merge_address_symbol: string;
}
