import { WithdrawStatus, WithdrawType } from '@openwaas/sdk';
import { PaymentRefusedError, type Payment } from '../../chains/adapter.js';
import type { ChainHandle } from '../../chains/registry.js';
import type { WithdrawalPaymentDeps } from './deps.js';
import { formatAmount } from '../../money/amount.js';
import { CoinLookup, type CoinRecord } from '../coins/index.js';
import { postJournal } from '../ledger/index.js';
import { withdrawalsPerTickMax } from '../../limits.js';
import { inTransaction, type Db, type Tx } from '../../store/tx.js';
import { listOpenAlertKeys } from '../alerts/index.js';
import { AlertThrottle, listUnminedTxs, maxNativeSpend, prepareSequence, RecordClaimLostError, sendStoredTx, storeSigned, storeSignedTx, type AlertResolveDeps, type ChainTxRecord, type OutcomeHandler, type TxOutcome } from '../chain-sends/index.js';
import { listCoinsOfChain } from '../coins/index.js';
import { nativeCoinOf } from '../sweeps/index.js';
import { notifyWithdrawal } from './notify.js';
import { chainUnlockPostings, gasPostings, paidPostings, sentAmount } from './postings.js';
import { claimWithdrawalTxid, findWithdrawalById, findWithdrawalsByIds, listUnsignedWithdrawals, lockWithdrawal, recordWithdrawalProgress, updateWithdrawalIf, type WithdrawalRecord } from './repository.js';
import { addressCodec } from '../../chains/address-codec.js';

/**
 * On-chain withdrawals (status 1) paid from the hot wallet. The broadcaster claims the oldest
 * unpaid one by storing its signed transaction and setting its txid in one database
 * transaction (`status = 1 and txid = ''`: a concurrent cancel and the claim cannot both win),
 * then broadcasts. The outcome handler settles it: confirmed → 5, reverted or dropped → 4,
 * each with its journal (docs/chains.md) and notification in one transaction.
 */

/** Alert key of "the hot wallet cannot pay `symbol` on `chain`". */
export const hotWalletLowKey = (chain: string, symbol: string) => `hot-wallet-low:${chain}:${symbol}`;
const unpayableKey = (withdrawalId: number) => `withdrawal-unpayable:${withdrawalId}`;
const broadcastFailingKey = (withdrawalId: number) => `withdrawal-broadcast:${withdrawalId}`;

const alerts = new AlertThrottle();

/** Hot-wallet funds promised to withdrawals signed but not yet in a block (balances do not show them yet). */
async function inFlightReservations(db: Db, chain: ChainHandle): Promise<{ native: bigint; tokens: Map<string, bigint> }> {
  const txs = await listUnminedTxs(db, { chain: chain.id, purpose: 'withdrawal' });
  const withdrawals = new Map((await findWithdrawalsByIds(db, [...new Set(txs.map((t) => t.ref_id))])).map((w) => [Number(w.id), w]));
  const coins = new CoinLookup(db);
  // Attempts at one withdrawal (replacements) spend once: the dearest one counts.
  const perWithdrawal = new Map<number, { native: bigint; token: string; units: bigint }>();
  for (const t of txs) {
    const w = withdrawals.get(t.ref_id);
    if (!w) continue;
    const token = (await coins.byIdOrThrow(Number(w.coin_id))).contract_address;
    const native = maxNativeSpend(t);
    const seen = perWithdrawal.get(t.ref_id);
    if (!seen || seen.native < native) perWithdrawal.set(t.ref_id, { native, token, units: token === '' ? 0n : sentAmount(w) });
  }
  const tokens = new Map<string, bigint>();
  let native = 0n;
  for (const p of perWithdrawal.values()) {
    native += p.native;
    if (p.token !== '') tokens.set(p.token, (tokens.get(p.token) ?? 0n) + p.units);
  }
  return { native, tokens };
}

/** The hot wallet's spendable funds this tick: balance − what signed, unmined withdrawals will take. */
class HotFunds {
  readonly #balances = new Map<string, bigint>();
  constructor(
    private readonly chain: ChainHandle,
    private readonly reserved: { native: bigint; tokens: Map<string, bigint> },
  ) {}

  async available(token: string): Promise<bigint> {
    let balance = this.#balances.get(token);
    if (balance === undefined) {
      balance = await this.chain.reader.balance(this.chain.hotAddress, token);
      this.#balances.set(token, balance);
    }
    return balance - (token === '' ? this.reserved.native : (this.reserved.tokens.get(token) ?? 0n));
  }

  spend(token: string, units: bigint, nativeCost: bigint): void {
    this.reserved.native += nativeCost;
    if (token !== '') this.reserved.tokens.set(token, (this.reserved.tokens.get(token) ?? 0n) + units);
  }
}

/** Why a withdrawal cannot be paid now: the hot wallet lacks `symbol`. */
interface Shortfall {
  symbol: string;
  decimals: number;
  needed: bigint;
  available: bigint;
}

/**
 * Pays waiting on-chain withdrawals of this chain, oldest first: signs, stores and claims each
 * in one transaction, then broadcasts. A hot wallet too low leaves the withdrawal at status 1
 * with an operator alert (resolved once that coin is paid again or nothing waits for it).
 * Returns true when more withdrawals may be waiting.
 */
export async function payWaitingWithdrawals(ctx: WithdrawalPaymentDeps, chain: ChainHandle, signal?: AbortSignal): Promise<boolean> {
  const db = ctx.store.db;
  const chainCoinIds = (await listCoinsOfChain(db, chain.id)).map((c) => Number(c.id));
  const waiting = await listUnsignedWithdrawals(db, { coinIds: chainCoinIds, status: WithdrawStatus.Paying, withdrawType: WithdrawType.OnChain, limit: withdrawalsPerTickMax });
  await resolveSettledShortfalls(ctx, chain, waiting);
  if (waiting.length === 0) return false;

  const coins = new CoinLookup(db);
  const native = await nativeCoinOf(db, chain.id);
  const funds = new HotFunds(chain, await inFlightReservations(db, chain));
  const short = new Set<string>();
  let paid = 0;
  for (const w of waiting) {
    if (signal?.aborted) break;
    const coin = await coins.byIdOrThrow(Number(w.coin_id));
    const outcome = await payOne(ctx, chain, { w, coin, native, funds });
    if (outcome === 'paid') {
      paid += 1;
      if (!short.has(coin.symbol)) await alerts.resolve(ctx, hotWalletLowKey(chain.id, coin.symbol));
    } else if (outcome === 'short') {
      short.add(coin.symbol);
    }
  }
  return paid > 0 && waiting.length === withdrawalsPerTickMax;
}

/** Closes hot-wallet-low alerts of coins nothing waits for any more (paid, or cancelled by an operator). */
async function resolveSettledShortfalls(ctx: AlertResolveDeps, chain: ChainHandle, waiting: WithdrawalRecord[]): Promise<void> {
  if (waiting.length === withdrawalsPerTickMax) return; // not every waiting coin is in view
  const prefix = `hot-wallet-low:${chain.id}:`;
  const open = await listOpenAlertKeys(ctx.store.db, { kind: 'hot-wallet-low', keyPrefix: prefix });
  const waitingSymbols = new Set(waiting.map((w) => w.symbol));
  for (const key of open) if (!waitingSymbols.has(key.slice(prefix.length))) await alerts.resolve(ctx, key);
}

async function payOne(
  ctx: WithdrawalPaymentDeps,
  chain: ChainHandle,
  input: { w: WithdrawalRecord; coin: CoinRecord; native: CoinRecord; funds: HotFunds },
): Promise<'paid' | 'short' | 'skipped'> {
  const { w, coin, native, funds } = input;
  const token = coin.contract_address;
  const sent = sentAmount(w);
  const hot = chain.hotAddress;
  const payment: Payment = { role: 'hot', from: hot, to: addressCodec(chain.id).canonical(w.address_to), token, amount: sent };

  const shortOf = async (s: Shortfall) => {
    await alerts.raise(ctx, {
      kind: 'hot-wallet-low',
      key: hotWalletLowKey(chain.id, coin.symbol),
      message: `hot wallet ${hot} on ${chain.id} cannot pay withdrawal ${w.id} (${formatAmount(sent, coin.decimals)} ${coin.symbol}): needs ${formatAmount(s.needed, s.decimals)} ${s.symbol}, has ${formatAmount(s.available < 0n ? 0n : s.available, s.decimals)} ${s.symbol} available`,
    });
    return 'short' as const;
  };
  if (token !== '') {
    const available = await funds.available(token);
    if (available < sent) return shortOf({ symbol: coin.symbol, decimals: coin.decimals, needed: sent, available });
  } else if ((await funds.available('')) < sent) {
    return shortOf({ symbol: native.symbol, decimals: native.decimals, needed: sent, available: await funds.available('') });
  }

  let quote;
  try {
    quote = await chain.payer.quote(payment);
  } catch (error) {
    if (!(error instanceof PaymentRefusedError)) throw error;
    // E.g. a contract recipient that refuses the payment: an operator decides (cancel is still possible: txid is empty).
    await alerts.raise(ctx, {
      kind: 'withdrawal-unpayable',
      key: unpayableKey(Number(w.id)),
      message: `withdrawal ${w.id} to ${w.address_to} on ${chain.id}: ${error.message}; it waits at status 1 until paid or cancelled`,
    });
    return 'skipped';
  }
  if (!quote) throw new Error(`the payer of ${chain.id} gave no quote without a fee budget`);
  // Funds checks use the most the fees can cost: the hot wallet must hold that beside a native amount.
  const nativeCost = (token === '' ? sent : 0n) + quote.feeMax;
  const nativeAvailable = await funds.available('');
  if (nativeAvailable < nativeCost) return shortOf({ symbol: native.symbol, decimals: native.decimals, needed: nativeCost, available: nativeAvailable });

  await prepareSequence(ctx, chain, hot);
  const stored = await storeSigned(ctx, { chain: chain.id, address: hot, what: `withdrawal ${w.id}` }, () =>
    inTransaction(ctx.store, async (tx) => {
      const row = await storeSignedTx(tx, ctx, chain, { purpose: 'withdrawal', refId: Number(w.id), payment, quote });
      const claimed = await claimWithdrawalTxid(tx, { id: Number(w.id), status: WithdrawStatus.Paying, txid: row.hash, addressFrom: hot, nowMs: ctx.clock.nowMs() });
      // Cancelled (or claimed by another process) since it was read: roll back, sequence included.
      if (!claimed) throw new RecordClaimLostError(`withdrawal ${w.id} is no longer waiting`);
      return row;
    }),
  );
  if (!stored) return 'skipped';
  funds.spend(token, sent, nativeCost);
  await alerts.resolve(ctx, unpayableKey(Number(w.id)));
  ctx.log.info({ chain: chain.id, withdrawal: Number(w.id), hash: stored.hash, sequence: stored.sequence }, 'withdrawal signed');
  await sendStoredTx(ctx, chain, stored, withdrawalOutcomeHandler(ctx));
  return 'paid';
}

/** Settles a withdrawal whose transaction is final, in the transaction that marks it final. */
async function settleWithdrawal(ctx: WithdrawalPaymentDeps, tx: Tx, row: ChainTxRecord, outcome: TxOutcome, confirmations: number, nowMs: number): Promise<void> {
  const w = await lockWithdrawal(tx, row.ref_id);
  if (!w || w.status !== WithdrawStatus.Paying) {
    // Only the broadcaster moves a claimed withdrawal on; anything else is a bug worth a loud log.
    ctx.log.error({ withdrawal: row.ref_id, status: w?.status, hash: row.hash, outcome }, 'final transaction for a withdrawal that is not paying');
    return;
  }
  const coins = new CoinLookup(tx);
  const coinId = Number(w.coin_id);
  const feeCoinId = Number((await coins.bySymbolOrThrow(w.withdraw_fee_symbol)).id);
  const nativeCoinId = Number((await nativeCoinOf(tx, row.chain)).id);
  const gas = outcome === 'dropped' ? 0n : row.fee;
  const postings =
    outcome === 'confirmed' ? [...paidPostings(w, coinId, feeCoinId), ...gasPostings(nativeCoinId, gas)] : [...chainUnlockPostings(w, coinId, feeCoinId), ...gasPostings(nativeCoinId, gas)];
  await postJournal(tx, {
    refType: 'withdrawal',
    refId: Number(w.id),
    reason: outcome === 'confirmed' ? 'withdraw.chain.paid' : outcome === 'reverted' ? 'withdraw.chain.reverted' : 'withdraw.chain.dropped',
    memo: row.hash,
    postings,
    nowMs,
  });
  const settled = await updateWithdrawalIf(
    tx,
    { id: Number(w.id), status: WithdrawStatus.Paying },
    {
      status: outcome === 'confirmed' ? WithdrawStatus.Succeeded : WithdrawStatus.Failed,
      txid: row.hash,
      address_from: row.from_address,
      confirmations,
      real_fee: gas,
      updated_at: nowMs,
    },
  );
  // Read under the row lock as paying: nothing else can have moved it.
  if (!settled) throw new Error(`withdrawal ${w.id}: status changed under the row lock`);
  await notifyWithdrawal(tx, settled, nowMs, coins);
  await alerts.resolve(ctx, broadcastFailingKey(Number(w.id)), tx);
  if (outcome !== 'confirmed') ctx.log.warn({ withdrawal: Number(w.id), hash: row.hash, outcome }, 'withdrawal failed on chain; funds returned to the user');
}

/** What the engine does with withdrawal transactions. Built per service context (logging, database). */
export function withdrawalOutcomeHandler(ctx: WithdrawalPaymentDeps): OutcomeHandler {
  return {
    async confirmationsRequired(db, row) {
      const w = await findWithdrawalById(db, row.ref_id);
      if (!w) throw new Error(`transaction ${row.id}: withdrawal ${row.ref_id} not found`);
      return (await new CoinLookup(db).byIdOrThrow(Number(w.coin_id))).confirmations;
    },
    role: async () => 'hot',
    async onMined(tx, row, confirmations) {
      // Count-only progress: no notification. The txid follows the attempt actually mined.
      await recordWithdrawalProgress(tx, { id: row.ref_id, status: WithdrawStatus.Paying, confirmations, txid: row.hash });
    },
    onFinal: (tx, row, outcome, confirmations, _slot, nowMs) => settleWithdrawal(ctx, tx, row, outcome, confirmations, nowMs),
    async onBroadcastError(c, row, error) {
      // A single refusal is retried quietly; the operator hears of one that repeats.
      if (row.last_error === '') return;
      await alerts.raise(c, {
        kind: 'withdrawal-broadcast-failing',
        key: broadcastFailingKey(row.ref_id),
        message: `withdrawal ${row.ref_id} on ${row.chain}: broadcasting ${row.hash} (sequence ${row.sequence}) fails: ${error}`,
      });
    },
  };
}
