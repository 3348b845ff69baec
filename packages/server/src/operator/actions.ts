/**
 * Operator actions shared by the operator HTTP API and the CLI: validation of operator input,
 * the domain call, and the view returned. Both front ends stay thin and answer the same way.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { ServiceContext } from '../context.js';
import { AdminError } from '../errors/admin-errors.js';
import { auditChainBalances } from '../modules/audit/index.js';
import { withdrawRecord } from '../modules/records/index.js';
import { approveWithdrawal, cancelWithdrawal, findWithdrawal, rejectWithdrawal, reviewStateOf, type Auditor, type ReviewState } from '../modules/withdrawals/index.js';
import type { Actor } from '../modules/operators/index.js';
import { coinConfirmationsMax, coinDecimalsMax, ipAllowlistEntriesMax, merchantAppIdLengthMax, merchantNameLengthMax, operatorPageSizeMax, recordListPageSizeDefault, urlLengthMax, userLimitMax } from '../limits.js';
import { CoinLookup, findCoinBySymbol, listCoins, listMerchantCoins, setCoinEnabled, setMerchantCoin, upsertCoin, type CoinInput, type CoinRecord } from '../modules/coins/index.js';
import { auditLedger, userBalances, type AuditReport } from '../modules/ledger/index.js';
import { createMerchant, findMerchantByAppId, findUserWithAppId, listMerchants, publicMerchantView, rotateWalletKey, setUserFlags, updateMerchant, usersAfter, type UpdateMerchantInput } from '../modules/merchants/index.js';
import { issuedAddressesOf } from '../modules/addresses/index.js';
import { formatAmount } from '../money/amount.js';
import type { Merchant } from '../store/schema.js';
import type { Db } from '../store/tx.js';

export type OperatorContext = ServiceContext;

/** Bounds on operator input (the numeric ones live in limits.ts). */
export { ipAllowlistEntriesMax, merchantNameLengthMax, urlLengthMax, userLimitMax };
const appIdPattern = new RegExp(`^[A-Za-z0-9_-]{1,${merchantAppIdLengthMax}}$`);
export const symbolPattern = /^[A-Za-z0-9._-]{1,32}$/;

// ---- validation -------------------------------------------------------------------------------

/** http(s) URL, or AdminError naming the field. */
export function checkUrl(field: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw AdminError.invalid(`${field} is not a URL: ${value}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw AdminError.invalid(`${field} must be an http or https URL`);
  if (value.length > urlLengthMax) throw AdminError.invalid(`${field} is longer than ${urlLengthMax} characters`);
  return value;
}

/** IPv4/IPv6 addresses or CIDRs, as the API gateway reads them. */
export function checkIpAllowlist(entries: string[]): string[] {
  if (entries.length > ipAllowlistEntriesMax) throw AdminError.invalid(`ip allowlist has more than ${ipAllowlistEntriesMax} entries`);
  return entries.map((raw) => {
    const entry = raw.trim();
    const [net = '', prefix] = entry.split('/');
    const bits = isIPv4(net) ? 32 : isIPv6(net) ? 128 : 0;
    const ok = bits > 0 && (prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= bits));
    if (!ok) throw AdminError.invalid(`ip allowlist entry "${raw}" is not an IP address or CIDR`);
    return entry;
  });
}

function checkName(name: string): string {
  const n = name.trim();
  if (n.length === 0 || n.length > merchantNameLengthMax) throw AdminError.invalid(`name must be 1 to ${merchantNameLengthMax} characters`);
  return n;
}

function checkUserLimit(n: number): number {
  if (!Number.isSafeInteger(n) || n < 0 || n > userLimitMax) throw AdminError.invalid(`user_limit must be a whole number from 0 to ${userLimitMax}`);
  return n;
}

// ---- merchants --------------------------------------------------------------------------------

export type MerchantView = ReturnType<typeof publicMerchantView> & { coins: string[] };

export async function requireMerchant(db: Db, appId: string): Promise<Merchant> {
  const m = await findMerchantByAppId(db, appId);
  if (!m) throw AdminError.notFound(`merchant ${appId}`);
  return m;
}

async function merchantView(db: Db, m: Merchant): Promise<MerchantView> {
  const coins = await listMerchantCoins(db, Number(m.id));
  return { ...publicMerchantView(m), coins: coins.map((c) => c.symbol) };
}

/** Merchant settings as operators give them (PEM or base64 DER key; null clears a URL). */
export type MerchantSettings = UpdateMerchantInput;

function checkSettings(s: MerchantSettings): MerchantSettings {
  return {
    ...s,
    ...(s.name !== undefined ? { name: checkName(s.name) } : {}),
    ...(typeof s.notifyUrl === 'string' ? { notifyUrl: checkUrl('notify_url', s.notifyUrl) } : {}),
    ...(typeof s.confirmUrl === 'string' ? { confirmUrl: checkUrl('confirm_url', s.confirmUrl) } : {}),
    ...(s.ipAllowlist !== undefined ? { ipAllowlist: checkIpAllowlist(s.ipAllowlist) } : {}),
    ...(s.userLimit !== undefined ? { userLimit: checkUserLimit(s.userLimit) } : {}),
  };
}

/** Creates a merchant with a fresh wallet key pair; the view shows app_id and rsa_wallet_pub. */
export async function createMerchantAction(ctx: OperatorContext, input: MerchantSettings & { name: string; appId?: string }): Promise<MerchantView> {
  const s = checkSettings(input);
  if (input.appId !== undefined && !appIdPattern.test(input.appId)) throw AdminError.invalid(`app_id must be 1 to ${merchantAppIdLengthMax} letters, digits, "-" or "_"`);
  if (input.appId !== undefined && (await findMerchantByAppId(ctx.store.db, input.appId))) throw new AdminError('conflict', `merchant ${input.appId} already exists`);
  const m = await createMerchant(ctx.store.db, ctx.secrets, {
    name: s.name!,
    ...(s.merchantPublicKey !== undefined ? { merchantPublicKey: s.merchantPublicKey } : {}),
    ...(typeof s.notifyUrl === 'string' ? { notifyUrl: s.notifyUrl } : {}),
    ...(typeof s.confirmUrl === 'string' ? { confirmUrl: s.confirmUrl } : {}),
    ...(s.ipAllowlist !== undefined ? { ipAllowlist: s.ipAllowlist } : {}),
    ...(s.autoCollect !== undefined ? { autoCollect: s.autoCollect } : {}),
    ...(s.userLimit !== undefined ? { userLimit: s.userLimit } : {}),
    ...(s.callbackProfile !== undefined ? { callbackProfile: s.callbackProfile } : {}),
    ...(input.appId !== undefined ? { appId: input.appId } : {}),
    nowMs: ctx.clock.nowMs(),
  });
  return merchantView(ctx.store.db, m);
}

/** Changes a merchant's settings. Setting a notify_url releases notifications waiting for one. */
export async function updateMerchantAction(ctx: OperatorContext, appId: string, patch: MerchantSettings): Promise<MerchantView> {
  await requireMerchant(ctx.store.db, appId);
  const s = checkSettings(patch);
  const m = await updateMerchant(ctx.store.db, appId, s);
  if (!m) throw AdminError.notFound(`merchant ${appId}`);
  if (typeof s.notifyUrl === 'string') ctx.notifier.wake();
  return merchantView(ctx.store.db, m);
}

export async function showMerchantAction(ctx: OperatorContext, appId: string): Promise<MerchantView> {
  return merchantView(ctx.store.db, await requireMerchant(ctx.store.db, appId));
}

/**
 * Gives a merchant a new wallet key pair (private key sealed at rest): every answer and
 * notification sealed from now on uses it, and the merchant opens them with the new public key
 * (rsa_wallet_pub of the view); the old pair is no longer kept.
 */
export async function rotateMerchantKeyAction(ctx: OperatorContext, appId: string): Promise<MerchantView> {
  await requireMerchant(ctx.store.db, appId);
  const m = await rotateWalletKey(ctx.store.db, ctx.secrets, appId);
  if (!m) throw AdminError.notFound(`merchant ${appId}`);
  return merchantView(ctx.store.db, m);
}

export async function listMerchantsAction(ctx: OperatorContext): Promise<MerchantView[]> {
  const out: MerchantView[] = [];
  for (const m of await listMerchants(ctx.store.db)) out.push(await merchantView(ctx.store.db, m));
  return out;
}

// ---- coins ------------------------------------------------------------------------------------

/** A coin's settings as operators give them; amounts are decimal strings in the coin's units. */
export type CoinSettings = Omit<CoinInput, 'nowMs'> & { enabled?: boolean };

export interface CoinView {
  id: number;
  symbol: string;
  name: string;
  chain: string;
  base_symbol: string;
  contract_address: string;
  decimals: number;
  confirmations: number;
  min_withdraw: string;
  max_withdraw: string;
  withdraw_fee: string;
  withdraw_fee_symbol: string;
  auto_approve_max: string;
  daily_limit: string;
  min_deposit: string;
  icon: string;
  explorer: string;
  address_explorer: string;
  enabled: boolean;
}

export async function coinView(db: Db, c: CoinRecord): Promise<CoinView> {
  const feeCoin = c.withdraw_fee_symbol === c.symbol ? c : await findCoinBySymbol(db, c.withdraw_fee_symbol);
  const amount = (v: bigint, decimals = c.decimals) => formatAmount(v, decimals);
  return {
    id: Number(c.id),
    symbol: c.symbol,
    name: c.name,
    chain: c.chain,
    base_symbol: c.base_symbol,
    contract_address: c.contract_address,
    decimals: c.decimals,
    confirmations: c.confirmations,
    min_withdraw: amount(c.min_withdraw),
    max_withdraw: amount(c.max_withdraw),
    withdraw_fee: amount(c.withdraw_fee, feeCoin?.decimals ?? c.decimals),
    withdraw_fee_symbol: c.withdraw_fee_symbol,
    auto_approve_max: amount(c.auto_approve_max),
    daily_limit: amount(c.daily_limit),
    min_deposit: amount(c.min_deposit),
    icon: c.icon,
    explorer: c.explorer,
    address_explorer: c.address_explorer,
    enabled: c.enabled === 1,
  };
}

async function checkCoin(db: Db, s: CoinSettings): Promise<void> {
  if (!symbolPattern.test(s.symbol)) throw AdminError.invalid(`symbol "${s.symbol}" is not valid (letters, digits, . _ -; up to 32)`);
  if (!/^[a-z0-9]+(:[A-Za-z0-9_-]+)?$/.test(s.chain)) throw AdminError.invalid(`chain "${s.chain}" is not valid (e.g. "evm:1")`);
  if (!Number.isInteger(s.decimals) || s.decimals < 0 || s.decimals > coinDecimalsMax) throw AdminError.invalid(`decimals must be a whole number from 0 to ${coinDecimalsMax}`);
  if (s.confirmations !== undefined && (!Number.isInteger(s.confirmations) || s.confirmations < 0 || s.confirmations > coinConfirmationsMax)) {
    throw AdminError.invalid(`confirmations must be a whole number from 0 to ${coinConfirmationsMax}`);
  }
  if (s.withdrawFeeSymbol !== undefined && s.withdrawFeeSymbol !== s.symbol && !(await findCoinBySymbol(db, s.withdrawFeeSymbol))) {
    throw AdminError.notFound(`fee coin ${s.withdrawFeeSymbol} (add it first)`);
  }
  const sameFolded = await findCoinBySymbol(db, s.symbol);
  if (sameFolded && sameFolded.symbol !== s.symbol) {
    throw new AdminError('conflict', `coin ${sameFolded.symbol} exists already: symbols match case-insensitively, so ${s.symbol} would be the same coin (change it as ${sameFolded.symbol})`);
  }
}

/** Adds a coin or replaces its whole configuration (unset fields take their defaults). */
export async function upsertCoinAction(ctx: OperatorContext, input: CoinSettings): Promise<CoinView> {
  await checkCoin(ctx.store.db, input);
  const { enabled, ...fields } = input;
  let coin = await upsertCoin(ctx.store.db, { ...fields, nowMs: ctx.clock.nowMs() });
  if (enabled === false) coin = (await setCoinEnabled(ctx.store.db, input.symbol, false))!;
  return coinView(ctx.store.db, coin);
}

/** Changes some settings of an existing coin, keeping the others. */
export async function updateCoinAction(ctx: OperatorContext, symbol: string, patch: Partial<Omit<CoinSettings, 'symbol'>>): Promise<CoinView> {
  const existing = await findCoinBySymbol(ctx.store.db, symbol);
  if (!existing) throw AdminError.notFound(`coin ${symbol}`);
  const current = await coinView(ctx.store.db, existing);
  const merged: CoinSettings = {
    // The coin's configured case: "eth" changes the coin configured as "ETH".
    symbol: existing.symbol,
    name: current.name,
    chain: current.chain,
    baseSymbol: current.base_symbol,
    contractAddress: current.contract_address,
    decimals: current.decimals,
    confirmations: current.confirmations,
    minWithdraw: current.min_withdraw,
    maxWithdraw: current.max_withdraw,
    withdrawFee: current.withdraw_fee,
    withdrawFeeSymbol: current.withdraw_fee_symbol,
    autoApproveMax: current.auto_approve_max,
    dailyLimit: current.daily_limit,
    minDeposit: current.min_deposit,
    icon: current.icon,
    explorer: current.explorer,
    addressExplorer: current.address_explorer,
    enabled: current.enabled,
  };
  for (const [k, v] of Object.entries(patch)) if (v !== undefined) (merged as unknown as Record<string, unknown>)[k] = v;
  return upsertCoinAction(ctx, merged);
}

export async function listCoinsAction(ctx: OperatorContext): Promise<CoinView[]> {
  const out: CoinView[] = [];
  for (const c of await listCoins(ctx.store.db)) out.push(await coinView(ctx.store.db, c));
  return out;
}

/** Enables or disables a coin for one merchant; returns the merchant's enabled symbols. */
export async function setMerchantCoinAction(ctx: OperatorContext, appId: string, symbol: string, enabled: boolean): Promise<{ app_id: string; coins: string[] }> {
  const m = await requireMerchant(ctx.store.db, appId);
  const coin = await findCoinBySymbol(ctx.store.db, symbol);
  if (!coin) throw AdminError.notFound(`coin ${symbol}`);
  await setMerchantCoin(ctx.store.db, Number(m.id), Number(coin.id), enabled);
  const coins = await listMerchantCoins(ctx.store.db, Number(m.id));
  return { app_id: appId, coins: coins.map((c) => c.symbol) };
}

// ---- users ------------------------------------------------------------------------------------

export interface UserView {
  uid: number;
  app_id: string;
  country: string | null;
  mobile: string | null;
  email: string | null;
  nickname: string;
  frozen: boolean;
  at_risk: boolean;
  created_at: number;
  balances: Array<{ symbol: string; normal: string; lock: string }>;
}

export async function showUserAction(ctx: OperatorContext, uid: number): Promise<UserView> {
  const db = ctx.store.db;
  const u = await findUserWithAppId(db, uid);
  if (!u) throw AdminError.notFound(`user ${uid}`);
  const coins = new CoinLookup(db);
  const balances: UserView['balances'] = [];
  for (const b of await userBalances(db, uid)) {
    const coin = await coins.byIdOrThrow(b.coinId);
    balances.push({ symbol: coin.symbol, normal: formatAmount(b.normal, coin.decimals), lock: formatAmount(b.lock, coin.decimals) });
  }
  return {
    uid: Number(u.id),
    app_id: u.app_id,
    country: u.country,
    mobile: u.mobile,
    email: u.email,
    nickname: u.nickname,
    frozen: u.frozen === 1,
    at_risk: u.at_risk === 1,
    created_at: Number(u.created_at),
    balances,
  };
}

/**
 * Users with balances, found by one of: `address` (whose deposit address it is; of the merchant
 * `appId` when given), `uid` (that user; of merchant `appId` when given), or `appId` alone (its
 * users in uid order, `limit` after `afterId`). `next_after_id` pages on (null: no more).
 */
export async function searchUsersAction(
  ctx: OperatorContext,
  q: { appId?: string; uid?: number; address?: string; afterId?: number; limit?: number },
): Promise<{ users: UserView[]; next_after_id: number | null }> {
  const db = ctx.store.db;
  const limit = Math.min(Math.max(1, q.limit ?? recordListPageSizeDefault), operatorPageSizeMax);
  const merchant = q.appId !== undefined ? await requireMerchant(db, q.appId) : undefined;
  let uids: number[];
  if (q.address !== undefined) {
    const issued = await issuedAddressesOf(db, { address: q.address, ...(merchant ? { merchantId: Number(merchant.id) } : {}), limit: operatorPageSizeMax });
    uids = [...new Set(issued.map((a) => a.uid))].filter((uid) => (q.uid === undefined || uid === q.uid) && uid > (q.afterId ?? 0)).sort((a, b) => a - b);
  } else if (q.uid !== undefined) {
    const user = await findUserWithAppId(db, q.uid);
    uids = user && (merchant === undefined || user.app_id === merchant.app_id) && q.uid > (q.afterId ?? 0) ? [q.uid] : [];
  } else if (merchant) {
    uids = (await usersAfter(db, { merchantId: Number(merchant.id), maxId: q.afterId ?? 0, limit: limit + 1 })).map((u) => Number(u.id));
  } else {
    throw AdminError.invalid('give app_id (its users), app_id and uid, or address');
  }
  const page = uids.slice(0, limit);
  const users: UserView[] = [];
  for (const uid of page) users.push(await showUserAction(ctx, uid));
  return { users, next_after_id: uids.length > limit ? page[page.length - 1]! : null };
}

/** Freezes/unfreezes a user (withdrawals answer 110004) or flags it at risk (900006). */
export async function setUserFlagsAction(ctx: OperatorContext, uid: number, flags: { frozen?: boolean; atRisk?: boolean }): Promise<UserView> {
  const user = await setUserFlags(ctx.store.db, uid, flags);
  if (!user) throw AdminError.notFound(`user ${uid}`);
  return showUserAction(ctx, uid);
}

// ---- withdrawals ------------------------------------------------------------------------------

export type WithdrawalView = Awaited<ReturnType<typeof withdrawRecord>> & { review_reason: string } & ReviewState;

async function withdrawalView(ctx: OperatorContext, id: number): Promise<WithdrawalView> {
  const w = await findWithdrawal(ctx.store.db, id);
  if (!w) throw AdminError.notFound(`withdrawal ${id}`);
  return { ...(await withdrawRecord(w, new CoinLookup(ctx.store.db))), review_reason: w.review_reason, ...(await reviewStateOf(ctx.store.db, w)) };
}

export function showWithdrawalAction(ctx: OperatorContext, id: number): Promise<WithdrawalView> {
  return withdrawalView(ctx, id);
}

/**
 * Approve / reject (for the platform's or the merchant's side; `by` picks the side, the actor
 * is who decides and is recorded) or cancel a withdrawal.
 */
export async function decideWithdrawalAction(
  ctx: OperatorContext,
  input: { withdrawalId: number; actor: Actor } & ({ action: 'approve'; by: Auditor } | { action: 'reject'; by: Auditor; reason: string } | { action: 'cancel' }),
): Promise<WithdrawalView> {
  if (input.action === 'approve') await approveWithdrawal(ctx, { withdrawalId: input.withdrawalId, actor: input.actor, by: input.by });
  else if (input.action === 'reject') await rejectWithdrawal(ctx, { withdrawalId: input.withdrawalId, actor: input.actor, by: input.by, reason: input.reason });
  else await cancelWithdrawal(ctx, { withdrawalId: input.withdrawalId });
  return withdrawalView(ctx, input.withdrawalId);
}

// ---- audit ------------------------------------------------------------------------------------

/** auditLedger plus a verdict: `ok` is false on any finding. */
export async function auditAction(ctx: OperatorContext, onProgress?: (entriesRead: number) => void): Promise<AuditReport & { ok: boolean }> {
  const report = await auditLedger(ctx.store.db, onProgress);
  return { ok: report.findings.length === 0, ...report };
}

/** Ledger against chain balances for every configured chain (read at each scanner's cursor). */
export async function chainAuditAction(ctx: ServiceContext, onProgress?: (line: string) => void) {
  const report = await auditChainBalances(ctx, onProgress);
  // Coin units, as every amount at the edges (the CLI table and the operator API alike).
  const lines = report.lines.map((l) => ({ ...l, holdings: formatAmount(l.holdings, l.decimals), expected: formatAmount(l.expected, l.decimals) }));
  return { ok: report.findings.length === 0, lines, findings: report.findings };
}
