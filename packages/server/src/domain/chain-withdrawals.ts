import { WithdrawStatus, WithdrawType } from '@openwaas/sdk';
import { addressCodec } from '../chains/address-codec.js';
import type { ChainHandle } from '../chains/registry.js';
import { feesWithinCap, maxGasCost, type TxFees } from '../chains/outgoing.js';
import type { ServiceContext } from '../context.js';
import type { ChainTx, Coin, Withdrawal } from '../store/schema.js';
import { inTransaction, type Db, type Tx } from '../store/tx.js';
import { raiseAlert, resolveAlert } from './alerts.js';
import { formatAmount } from './amount.js';
import { chainAccount, treasuryAccount } from './chain-accounts.js';
import { CoinLookup } from './coins.js';
import { feeAccount, userAccount } from './internal-settlement.js';
import { postJournal, type Posting } from './ledger.js';
import { nativeCoinOf } from './miner-fees.js';
import { enqueueNotification } from './outbox.js';
import { RemoteSignerError } from '../keys/remote-signer.js';
import { prepareNonce, RecordClaimLostError, sendStoredTx, storeSignedTx, type OutcomeHandler, type TxOutcome } from './outgoing-txs.js';
import { withdrawNotificationPayload } from './records.js';

/**
 * On-chain withdrawals (status 1) paid from the hot wallet. The broadcaster claims the oldest
 * unpaid one by storing its signed transaction and setting its txid in one database
 * transaction (`status = 1 and txid = ''`: a concurrent cancel and the claim cannot both win),
 * then broadcasts. The outcome handler settles it: confirmed → 5, reverted or dropped → 4,
 * each with its journal (docs/chains.md) and notification in one transaction.
 */

/** Withdrawals considered per tick. */
const withdrawalsPerTickMax = 20;
/** An unchanged alert is raised again (count + 1) at most this often per process. */
const alertRepeatMs = 60_000;

/** Alert key of "the hot wallet cannot pay `symbol` on `chain`". */
export const hotWalletLowKey = (chain: string, symbol: string) => `hot-wallet-low:${chain}:${symbol}`;
const unpayableKey = (withdrawalId: number) => `withdrawal-unpayable:${withdrawalId}`;
const broadcastFailingKey = (withdrawalId: number) => `withdrawal-broadcast:${withdrawalId}`;

/** Raises an alert unless this process raised the same message within alertRepeatMs; logs a warning when it does. */
export class AlertThrottle {
  readonly #last = new Map<string, { message: string; atMs: number }>();

  /** `db`: the caller's open transaction, if any (SQLite has one connection: never wait for another). */
  async raise(ctx: ServiceContext, input: { kind: string; key: string; message: string }, db: Db = ctx.store.db): Promise<void> {
    const nowMs = ctx.clock.nowMs();
    const last = this.#last.get(input.key);
    if (last && last.message === input.message && nowMs - last.atMs < alertRepeatMs) return;
    this.#last.set(input.key, { message: input.message, atMs: nowMs });
    ctx.log.warn({ alert: input.kind, key: input.key }, input.message);
    await raiseAlert(db, { ...input, nowMs });
  }

  async resolve(ctx: ServiceContext, key: string, db: Db = ctx.store.db): Promise<void> {
    this.#last.delete(key);
    await resolveAlert(db, key, ctx.clock.nowMs());
  }
}

const alerts = new AlertThrottle();

/** Alert key of "the signer of `address` on `chain` fails or refuses". */
export const signerFailingKey = (chain: string, address: string) => `signer-failing:${chain}:${address}`;

/**
 * Runs a transaction that signs and stores an outgoing transaction from `address`. Its record
 * taken meanwhile (RecordClaimLostError) or an external signer that fails, refuses or signs
 * something else (RemoteSignerError) roll it back, nonce included, and yield undefined: the
 * record waits for the next tick, and the signer's failure is an operator alert until a
 * signature succeeds again.
 */
export async function storeSigned<T>(ctx: ServiceContext, input: { chain: string; address: string; what: string }, store: () => Promise<T>): Promise<T | undefined> {
  const key = signerFailingKey(input.chain, input.address);
  try {
    const row = await store();
    await alerts.resolve(ctx, key);
    return row;
  } catch (error) {
    if (error instanceof RecordClaimLostError) return undefined;
    if (error instanceof RemoteSignerError) {
      await alerts.raise(ctx, { kind: 'signer-failing', key, message: `the signer of ${input.address} on ${input.chain} did not sign ${input.what}: ${error.message}; it waits and is tried again` });
      return undefined;
    }
    throw error;
  }
}

/** What leaves the hot wallet: amount − fee when the fee is charged in the same coin, else the amount. */
export function sentAmount(w: Pick<Withdrawal, 'amount' | 'withdraw_fee' | 'withdraw_fee_symbol' | 'symbol'>): bigint {
  return w.withdraw_fee_symbol === w.symbol ? BigInt(w.amount) - BigInt(w.withdraw_fee) : BigInt(w.amount);
}

/** Hot-wallet funds promised to withdrawals signed but not yet in a block (balances do not show them yet). */
async function inFlightReservations(db: Db, chain: ChainHandle): Promise<{ native: bigint; tokens: Map<string, bigint> }> {
  const rows = await db
    .selectFrom('chain_txs as t')
    .innerJoin('withdrawals as w', 'w.id', 't.ref_id')
    .innerJoin('coins as c', 'c.id', 'w.coin_id')
    .select(['t.ref_id', 't.value', 't.gas_limit', 't.max_fee_per_gas', 'w.amount', 'w.withdraw_fee', 'w.withdraw_fee_symbol', 'w.symbol', 'c.contract_address'])
    .where('t.chain', '=', chain.id)
    .where('t.purpose', '=', 'withdrawal')
    .where('t.state', 'in', ['signed', 'broadcast'])
    .execute();
  // Attempts at one withdrawal (replacements) spend once: the dearest one counts.
  const perWithdrawal = new Map<number, { native: bigint; token: string; units: bigint }>();
  for (const r of rows) {
    const native = BigInt(r.value) + BigInt(r.gas_limit) * BigInt(r.max_fee_per_gas);
    const seen = perWithdrawal.get(Number(r.ref_id));
    if (!seen || seen.native < native) perWithdrawal.set(Number(r.ref_id), { native, token: r.contract_address, units: r.contract_address === '' ? 0n : sentAmount(r) });
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
      balance = await this.chain.adapter.balance(this.chain.hotAddress, token);
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
export async function payWaitingWithdrawals(ctx: ServiceContext, chain: ChainHandle, signal?: AbortSignal): Promise<boolean> {
  const db = ctx.store.db;
  const waiting = await db
    .selectFrom('withdrawals as w')
    .innerJoin('coins as c', 'c.id', 'w.coin_id')
    .selectAll('w')
    .where('c.chain', '=', chain.id)
    .where('w.status', '=', WithdrawStatus.Paying)
    .where('w.withdraw_type', '=', WithdrawType.OnChain)
    .where('w.txid', '=', '')
    .orderBy('w.id')
    .limit(withdrawalsPerTickMax)
    .execute();
  await resolveSettledShortfalls(ctx, chain, waiting);
  if (waiting.length === 0) return false;

  const coins = new CoinLookup(db);
  const native = await nativeCoinOf(db, chain.id);
  const funds = new HotFunds(chain, await inFlightReservations(db, chain));
  const fees = feesWithinCap(await chain.adapter.feeQuote(), BigInt(chain.config.maxFeePerGasCap));
  const short = new Set<string>();
  let paid = 0;
  for (const w of waiting) {
    if (signal?.aborted) break;
    const coin = await coins.byIdOrThrow(Number(w.coin_id));
    const outcome = await payOne(ctx, chain, { w, coin, native, funds, fees });
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
async function resolveSettledShortfalls(ctx: ServiceContext, chain: ChainHandle, waiting: Withdrawal[]): Promise<void> {
  if (waiting.length === withdrawalsPerTickMax) return; // not every waiting coin is in view
  const open = await ctx.store.db
    .selectFrom('operator_alerts')
    .select('key')
    .where('kind', '=', 'hot-wallet-low')
    .where('key', 'like', `hot-wallet-low:${chain.id}:%`)
    .where('resolved_at', 'is', null)
    .execute();
  const waitingSymbols = new Set(waiting.map((w) => w.symbol));
  for (const { key } of open) if (!waitingSymbols.has(key.slice(`hot-wallet-low:${chain.id}:`.length))) await alerts.resolve(ctx, key);
}

async function payOne(
  ctx: ServiceContext,
  chain: ChainHandle,
  input: { w: Withdrawal; coin: Coin; native: Coin; funds: HotFunds; fees: TxFees },
): Promise<'paid' | 'short' | 'skipped'> {
  const { w, coin, native, funds, fees } = input;
  const token = coin.contract_address;
  const sent = sentAmount(w);
  const hot = chain.hotAddress;
  const request = chain.adapter.transferRequest(hot, addressCodec(chain.id).canonical(w.address_to), token, sent);

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

  let gasLimit: bigint;
  try {
    gasLimit = await chain.adapter.estimateGas(request);
  } catch (error) {
    // E.g. a contract recipient that refuses the payment: an operator decides (cancel is still possible: txid is empty).
    await alerts.raise(ctx, {
      kind: 'withdrawal-unpayable',
      key: unpayableKey(Number(w.id)),
      message: `withdrawal ${w.id} to ${w.address_to} on ${chain.id}: the node refuses to estimate its gas (${(error as Error).message.split('\n')[0]}); it waits at status 1 until paid or cancelled`,
    });
    return 'skipped';
  }
  const nativeCost = request.value + maxGasCost(gasLimit, fees);
  const nativeAvailable = await funds.available('');
  if (nativeAvailable < nativeCost) return shortOf({ symbol: native.symbol, decimals: native.decimals, needed: nativeCost, available: nativeAvailable });

  await prepareNonce(ctx, chain, hot);
  const stored = await storeSigned(ctx, { chain: chain.id, address: hot, what: `withdrawal ${w.id}` }, () =>
    inTransaction(ctx.store, async (tx) => {
      const row = await storeSignedTx(tx, ctx, chain, { purpose: 'withdrawal', refId: Number(w.id), role: 'hot', request, gasLimit, fees });
      const claimed = await tx
        .updateTable('withdrawals')
        .set({ txid: row.hash, address_from: hot, updated_at: ctx.clock.nowMs() })
        .where('id', '=', Number(w.id))
        .where('status', '=', WithdrawStatus.Paying)
        .where('txid', '=', '')
        .executeTakeFirst();
      // Cancelled (or claimed by another process) since it was read: roll back, nonce included.
      if (Number(claimed.numUpdatedRows) !== 1) throw new RecordClaimLostError(`withdrawal ${w.id} is no longer waiting`);
      return row;
    }),
  );
  if (!stored) return 'skipped';
  funds.spend(token, sent, nativeCost);
  await alerts.resolve(ctx, unpayableKey(Number(w.id)));
  ctx.log.info({ chain: chain.id, withdrawal: Number(w.id), hash: stored.hash, nonce: Number(stored.nonce) }, 'withdrawal signed');
  await sendStoredTx(ctx, chain, stored, withdrawalOutcomeHandler(ctx));
  return 'paid';
}

/** Journal lines returning a withdrawal's locked funds (amount, and a fee in another coin) to the user. */
function unlockPostings(w: Withdrawal, coinId: number, feeCoinId: number): Posting[] {
  const merchantId = Number(w.merchant_id);
  const uid = Number(w.uid);
  const back = (id: number, units: bigint): Posting[] => [
    { account: userAccount(merchantId, uid, id), bucket: 'lock', delta: -units },
    { account: userAccount(merchantId, uid, id), bucket: 'normal', delta: units },
  ];
  return feeCoinId === coinId ? back(coinId, BigInt(w.amount)) : [...back(coinId, BigInt(w.amount)), ...back(feeCoinId, BigInt(w.withdraw_fee))];
}

/** Journal lines of a paid withdrawal: the lock leaves, the fee goes to the merchant, the payout to the chain. */
function paidPostings(w: Withdrawal, coinId: number, feeCoinId: number): Posting[] {
  const merchantId = Number(w.merchant_id);
  const uid = Number(w.uid);
  const amount = BigInt(w.amount);
  const fee = BigInt(w.withdraw_fee);
  const postings: Posting[] = [
    { account: userAccount(merchantId, uid, coinId), bucket: 'lock', delta: -amount },
    { account: chainAccount(coinId), bucket: 'normal', delta: sentAmount(w) },
  ];
  if (feeCoinId === coinId) {
    postings.push({ account: feeAccount(merchantId, coinId), bucket: 'normal', delta: fee });
  } else {
    postings.push(
      { account: userAccount(merchantId, uid, feeCoinId), bucket: 'lock', delta: -fee },
      { account: feeAccount(merchantId, feeCoinId), bucket: 'normal', delta: fee },
    );
  }
  return postings;
}

/** Gas paid by the hot wallet: the operator's treasury pays it to the outside world. */
function gasPostings(nativeCoinId: number, gas: bigint): Posting[] {
  return [
    { account: treasuryAccount(nativeCoinId), bucket: 'normal', delta: -gas },
    { account: chainAccount(nativeCoinId), bucket: 'normal', delta: gas },
  ];
}

async function lockWithdrawal(tx: Tx, ctx: ServiceContext, id: number): Promise<Withdrawal | undefined> {
  let q = tx.selectFrom('withdrawals').selectAll().where('id', '=', id);
  if (ctx.store.dialect === 'postgres') q = q.forUpdate();
  return q.executeTakeFirst();
}

/** Settles a withdrawal whose transaction is final, in the transaction that marks it final. */
async function settleWithdrawal(ctx: ServiceContext, tx: Tx, row: ChainTx, outcome: TxOutcome, confirmations: number, nowMs: number): Promise<void> {
  const w = await lockWithdrawal(tx, ctx, Number(row.ref_id));
  if (!w || w.status !== WithdrawStatus.Paying) {
    // Only the broadcaster moves a claimed withdrawal on; anything else is a bug worth a loud log.
    ctx.log.error({ withdrawal: Number(row.ref_id), status: w?.status, hash: row.hash, outcome }, 'final transaction for a withdrawal that is not paying');
    return;
  }
  const coins = new CoinLookup(tx);
  const coinId = Number(w.coin_id);
  const feeCoinId = Number((await coins.bySymbolOrThrow(w.withdraw_fee_symbol)).id);
  const nativeCoinId = Number((await nativeCoinOf(tx, row.chain)).id);
  const gas = outcome === 'dropped' ? 0n : BigInt(row.fee);
  const postings =
    outcome === 'confirmed' ? [...paidPostings(w, coinId, feeCoinId), ...gasPostings(nativeCoinId, gas)] : [...unlockPostings(w, coinId, feeCoinId), ...gasPostings(nativeCoinId, gas)];
  await postJournal(tx, ctx.store.dialect, {
    refType: 'withdrawal',
    refId: Number(w.id),
    reason: outcome === 'confirmed' ? 'withdraw.chain.paid' : outcome === 'reverted' ? 'withdraw.chain.reverted' : 'withdraw.chain.dropped',
    memo: row.hash,
    postings,
    nowMs,
  });
  const settled = await tx
    .updateTable('withdrawals')
    .set({
      status: outcome === 'confirmed' ? WithdrawStatus.Succeeded : WithdrawStatus.Failed,
      txid: row.hash,
      address_from: row.from_address,
      confirmations,
      real_fee: gas.toString(),
      updated_at: nowMs,
    })
    .where('id', '=', Number(w.id))
    .where('status', '=', WithdrawStatus.Paying)
    .returningAll()
    .executeTakeFirstOrThrow();
  await enqueueNotification(tx, {
    merchantId: Number(settled.merchant_id),
    side: 'withdraw',
    recordId: Number(settled.id),
    payload: await withdrawNotificationPayload(settled, coins),
    nowMs,
  });
  await alerts.resolve(ctx, broadcastFailingKey(Number(w.id)), tx);
  if (outcome !== 'confirmed') ctx.log.warn({ withdrawal: Number(w.id), hash: row.hash, outcome }, 'withdrawal failed on chain; funds returned to the user');
}

/** What the engine does with withdrawal transactions. Built per service context (logging, dialect). */
export function withdrawalOutcomeHandler(ctx: ServiceContext): OutcomeHandler {
  return {
    async confirmationsRequired(db, row) {
      const coin = await db
        .selectFrom('withdrawals as w')
        .innerJoin('coins as c', 'c.id', 'w.coin_id')
        .select('c.confirmations')
        .where('w.id', '=', Number(row.ref_id))
        .executeTakeFirstOrThrow();
      return coin.confirmations;
    },
    role: async () => 'hot',
    async onMined(tx, row, confirmations) {
      // Count-only progress: no notification. The txid follows the attempt actually mined.
      await tx
        .updateTable('withdrawals')
        .set({ confirmations, txid: row.hash })
        .where('id', '=', Number(row.ref_id))
        .where('status', '=', WithdrawStatus.Paying)
        .where((eb) => eb.or([eb('confirmations', '!=', confirmations), eb('txid', '!=', row.hash)]))
        .execute();
    },
    onFinal: (tx, row, outcome, confirmations, _slot, nowMs) => settleWithdrawal(ctx, tx, row, outcome, confirmations, nowMs),
    async onBroadcastError(c, row, error) {
      // A single refusal is retried quietly; the operator hears of one that repeats.
      if (row.last_error === '') return;
      await alerts.raise(c, {
        kind: 'withdrawal-broadcast-failing',
        key: broadcastFailingKey(Number(row.ref_id)),
        message: `withdrawal ${row.ref_id} on ${row.chain}: broadcasting ${row.hash} (nonce ${row.nonce}) fails: ${error}`,
      });
    },
  };
}
