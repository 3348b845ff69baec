/** The coins module: coin configuration and which merchant may use which coin. */
export { upsertCoin, setCoinEnabled, SymbolCaseConflictError, type CoinInput } from './coin-config.js';
export { CoinLookup } from './coin-lookup.js';
export { setMerchantCoin } from './merchant-coins.js';
export { findCoinById, findCoinBySymbol, findMerchantCoin, listCoins, listMerchantCoins, type CoinRecord } from './repository.js';
export { listCoinsOfChain, findNativeCoin } from './repository.js';
