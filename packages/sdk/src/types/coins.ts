/** #4 `/user/getCoinList` record: a coin enabled for the merchant. Every field is a string. */
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
  /** Block explorer URL template. */
  explorer: string;
  /** Regular expression a valid address matches. */
  address_regex: string;
  /** Regular expression a valid memo/tag matches ("" when none). */
  address_tag_regex: string;
  /** "1" when addresses carry a memo. */
  support_memo: string;
  /** "1" when the chain supports tokens. */
  support_token: string;
}
