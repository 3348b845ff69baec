import { formatAmount } from '../../money/amount.js';
import type { ChainHandle } from '../../chains/registry.js';
import type { ChainAuditDeps } from './deps.js';
import { readBalance } from '../ledger/index.js';
import { auditBalanceReadsInFlightMax, auditProgressAddressCountMin, auditProgressBatchCount } from '../../limits.js';
import type { Db } from '../../store/tx.js';
import { listChainAddresses } from '../addresses/index.js';
import { chainAccount, countTxsNotFinalAt } from '../chain-sends/index.js';
import { listCoinsOfChain, type CoinRecord } from '../coins/index.js';
import { findScannedHeight, listConfirmingDepositAmounts } from '../deposits/index.js';
import { addressCodec } from '../../chains/address-codec.js';

/** One asset's comparison of the ledger with the chain (its coin, and any other coin naming the same asset). */
export interface ChainAuditLine {
  chain: string;
  symbol: string;
  /** Other coins configured for the same asset (compared together with `symbol`). */
  alsoSymbols?: string[];
  /** The block the balances were read at (the scanner's cursor: everything up to it is in the ledger). */
  block: number;
  /** Deposit addresses read, plus the hot and fee wallets. */
  addresses: number;
  /** The coin's decimals: holdings and expected are base units, shown in coin units at the edges. */
  decimals: number;
  /** What our addresses hold on chain (base units). */
  holdings: bigint;
  /** What the ledger says they should hold: −chain(coin) + deposits seen but not yet confirmed. */
  expected: bigint;
  /**
   * ok; mismatch (a finding); in-flight (outgoing transactions not final: not comparable now);
   * unscanned (the scanner has not started); unreadable (no token contract answers, and the
   * ledger holds nothing of it).
   */
  status: 'ok' | 'mismatch' | 'in-flight' | 'unscanned' | 'unreadable';
  /** Why balances could not be read. */
  detail?: string;
}

export interface ChainAuditReport {
  lines: ChainAuditLine[];
  findings: Array<{ kind: 'chain-mismatch'; detail: string }>;
}

/**
 * Compares, for every coin of every configured chain, the ledger's chain mirror with the real
 * balances of all deposit addresses and the hot and fee wallets (docs/chains.md). Read at the
 * scanner's cursor, so deposits the scanner has not reached yet are not counted on either side.
 */
export async function auditChainBalances(ctx: ChainAuditDeps, onProgress?: (line: string) => void): Promise<ChainAuditReport> {
  const report: ChainAuditReport = { lines: [], findings: [] };
  for (const chain of ctx.chains.values()) {
    const lines = await auditChain(ctx, chain, onProgress);
    report.lines.push(...lines);
    for (const l of lines) {
      if (l.status === 'mismatch') {
        const units = (amount: bigint) => `${formatAmount(amount, l.decimals)} ${l.symbol}`;
        report.findings.push({ kind: 'chain-mismatch', detail: l.detail !== undefined ? `${l.chain} ${l.symbol}: balances unreadable (${l.detail}) while the ledger expects ${units(l.expected)}` : `${l.chain} ${l.symbol} at block ${l.block}: addresses hold ${units(l.holdings)}, ledger expects ${units(l.expected)} (difference ${units(l.holdings - l.expected)})` });
      }
    }
  }
  return report;
}

/**
 * The chain's assets (its native coin, each token contract) with the coins configured for them.
 * Several coins can name one asset (a disabled duplicate of the native coin, a token listed
 * twice): its balances are read once and compared with the sum of their ledgers. The primary
 * coin is the one the scanner credits (enabled first, then the oldest).
 */
function assetsOf(coins: readonly CoinRecord[]): Array<{ primary: CoinRecord; others: CoinRecord[] }> {
  const byAsset = new Map<string, CoinRecord[]>();
  for (const coin of [...coins].sort((a, b) => b.enabled - a.enabled || Number(a.id) - Number(b.id))) {
    const key = addressCodec(coin.chain).canonical(coin.contract_address);
    byAsset.set(key, [...(byAsset.get(key) ?? []), coin]);
  }
  return [...byAsset.values()].map(([primary, ...others]) => ({ primary: primary!, others }));
}

/** What the ledger says our addresses hold of a coin at `block`: −chain mirror + deposits seen up to it but not yet confirmed. */
async function ledgerHoldings(db: Db, coinId: number, block: number): Promise<bigint> {
  const mirror = await readBalance(db, chainAccount(coinId));
  const pending = await listConfirmingDepositAmounts(db, { coinId, block });
  return -mirror.normal + pending.reduce((sum, amount) => sum + amount, 0n);
}

async function auditChain(ctx: Pick<ChainAuditDeps, 'store'>, chain: ChainHandle, onProgress?: (line: string) => void): Promise<ChainAuditLine[]> {
  const db = ctx.store.db;
  const coins = await listCoinsOfChain(db, chain.id);
  const block = (await findScannedHeight(db, chain.id)) ?? -1;
  const inFlight = (await countTxsNotFinalAt(db, { chain: chain.id, block })) > 0;

  const deposits = await listChainAddresses(db, chain.id);
  const addresses = [...new Set([...deposits, chain.hotAddress, chain.feeAddress])];
  const lines: ChainAuditLine[] = [];
  for (const asset of assetsOf(coins)) {
    const coin = asset.primary;
    const base = { chain: chain.id, symbol: coin.symbol, ...(asset.others.length > 0 ? { alsoSymbols: asset.others.map((c) => c.symbol) } : {}), block, addresses: addresses.length, decimals: coin.decimals };
    if (block < 0) {
      lines.push({ ...base, holdings: 0n, expected: 0n, status: 'unscanned' });
      continue;
    }
    let holdings = 0n;
    let unreadable: string | undefined;
    try {
      for (let i = 0; i < addresses.length; i += auditBalanceReadsInFlightMax) {
        const slice = addresses.slice(i, i + auditBalanceReadsInFlightMax);
        const balances = await Promise.all(slice.map((a) => chain.reader.balance(a, coin.contract_address, block)));
        for (const b of balances) holdings += b;
        if (onProgress && addresses.length > auditProgressAddressCountMin && (i / auditBalanceReadsInFlightMax) % auditProgressBatchCount === 0) onProgress(`${chain.id} ${coin.symbol}: ${i + slice.length}/${addresses.length} addresses read`);
      }
    } catch (error) {
      // A token configured before (or without) its contract on this chain has no balances to read.
      unreadable = (error as Error).message.split('\n')[0] ?? 'balance read failed';
    }
    let expected = 0n;
    for (const c of [coin, ...asset.others]) expected += await ledgerHoldings(db, Number(c.id), block);
    if (unreadable !== undefined) {
      // Nothing in the ledger for it: nothing to compare. Something in the ledger: a finding.
      lines.push({ ...base, holdings: 0n, expected, status: expected === 0n ? 'unreadable' : 'mismatch', detail: unreadable });
      continue;
    }
    lines.push({ ...base, holdings, expected, status: inFlight ? 'in-flight' : holdings === expected ? 'ok' : 'mismatch' });
  }
  return lines;
}
