import { chainFamily } from '../../chains/chain-id.js';
import { addressCodec } from '../../chains/address-codec.js';
import { listMerchantCoins, type CoinRecord } from '../../modules/coins/index.js';
import type { Handler } from '../handler.js';
import type { CoinInfo } from '@openwaas/sdk';
import { formatAmount } from '../../money/amount.js';

/** Chain families whose coins include tokens (contract-based assets). */
const tokenFamilies = new Set(['evm']);

function coinInfo(c: CoinRecord): CoinInfo {
  const family = chainFamily(c.chain);
  return {
    symbol: c.symbol,
    icon: c.icon,
    // The coin table has no separate asset symbol: each configured symbol is its own asset.
    real_symbol: c.symbol,
    decimals: String(c.decimals),
    name: c.name,
    base_symbol: c.base_symbol,
    contract_address: c.contract_address,
    deposit_confirmation: String(c.confirmations),
    explorer: c.explorer,
    address_regex: addressCodec(c.chain).pattern?.source ?? '',
    address_tag_regex: '',
    support_memo: '0',
    support_token: tokenFamilies.has(family) ? '1' : '0',
    // The fields of the vendor's newer SDKs (docs/fields.md).
    min_deposit: formatAmount(c.min_deposit, c.decimals),
    // A withdrawal's transaction is final at the coin's confirmations, as a deposit is.
    withdraw_confirmation: String(c.confirmations),
    txid_link: c.explorer,
    address_link: c.address_explorer,
    coin_net: c.chain,
    symbol_alias: c.symbol,
    margin_symbol: c.contract_address === '',
    // Every coin of a chain is received at the user's one address of the chain family.
    merge_address_symbol: c.base_symbol,
  };
}

/** #4 The coins enabled for this merchant; every field a string. */
export const getCoinList: Handler<'getCoinList'> = async (ctx, { merchant }) => {
  const coins = await listMerchantCoins(ctx.store.db, Number(merchant.id));
  return coins.map(coinInfo);
};
