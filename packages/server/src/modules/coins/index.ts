/** The coins module: coin configuration and which merchant may use which coin. */
export { addressPattern, chainAddressPatterns } from './address-patterns.js';
export { upsertCoin, setCoinEnabled, type CoinInput } from './coin-config.js';
export { CoinLookup } from './coin-lookup.js';
export { setMerchantCoin } from './merchant-coins.js';
export { findCoinById, findCoinBySymbol, findMerchantCoin, listCoins, listMerchantCoins } from './repository.js';
export { listCoinsOfChain, findNativeCoin } from './repository.js';
