import { addressCodec } from '../../chains/address-codec.js';
import type { Actor } from '../operators/index.js';
import { AdminError } from '../../errors/admin-errors.js';
import { adminListLimitMax, allowlistEntriesPerMerchantMax, allowlistLabelLengthMax, newAddressCooldownMaxS } from '../../limits.js';
import type { Db } from '../../store/tx.js';
import {
  countAllowlist,
  deleteAllowlistRow,
  deleteDestinationSettings,
  findDestinationSettings,
  isAllowlistedRow,
  listAllowlistRows,
  listDestinationSettingsRows,
  upsertAllowlistRow,
  upsertDestinationSettings,
  type AllowlistRow,
  type DestinationSettingsRow,
} from './repository.js';
import { everyMerchant, merchantScope, policyCoin, ScopeNames } from './scope.js';

/**
 * Destination rules: with the allowlist on, a merchant's withdrawals pay without review only
 * to destinations on its list; with a cool-down, a withdrawal to a destination the merchant
 * never paid before waits in review until `new_address_cooldown_s` have passed since the first
 * withdrawal to it was requested. Settings of merchant_id 0 hold for every merchant without
 * its own row. Addresses are kept and compared in their chain's canonical form.
 */

/** The destination rules a merchant's withdrawals follow (off when nothing is set). */
export interface DestinationRules {
  allowlistEnabled: boolean;
  newAddressCooldownS: number;
}

export async function destinationRulesFor(db: Db, merchantId: number): Promise<DestinationRules> {
  const rows = await findDestinationSettings(db, [merchantId, everyMerchant]);
  const row = rows.find((r) => r.merchant_id === merchantId && merchantId !== everyMerchant) ?? rows.find((r) => r.merchant_id === everyMerchant);
  return { allowlistEnabled: row?.allowlist_enabled === 1, newAddressCooldownS: row?.new_address_cooldown_s ?? 0 };
}

/** True when `canonical` (a chain codec's canonical form) is on the merchant's list for `chain`. */
export function isAllowlisted(db: Db, key: { merchantId: number; chain: string; canonical: string }): Promise<boolean> {
  return isAllowlistedRow(db, { merchantId: key.merchantId, chain: key.chain, address: key.canonical });
}

/** Destination settings as operators see them (app_id null: every merchant). */
export interface DestinationSettingsView {
  app_id: string | null;
  allowlist_enabled: boolean;
  new_address_cooldown_s: number;
  updated_by: string;
  updated_at: number;
}

async function settingsView(names: ScopeNames, r: DestinationSettingsRow): Promise<DestinationSettingsView> {
  return {
    app_id: await names.appId(r.merchant_id),
    allowlist_enabled: r.allowlist_enabled === 1,
    new_address_cooldown_s: r.new_address_cooldown_s,
    updated_by: r.updated_by,
    updated_at: r.updated_at,
  };
}

/**
 * Sets the destination rules of a merchant (or of every merchant); a field left out keeps its
 * value (off / 0 when there was none). @throws AdminError not_found, invalid
 */
export async function setDestinationSettings(
  db: Db,
  input: { appId?: string; allowlistEnabled?: boolean; newAddressCooldownS?: number; actor: Actor; nowMs: number },
): Promise<DestinationSettingsView> {
  const merchantId = await merchantScope(db, input.appId);
  const current = (await findDestinationSettings(db, [merchantId]))[0];
  const cooldown = input.newAddressCooldownS ?? current?.new_address_cooldown_s ?? 0;
  if (!Number.isSafeInteger(cooldown) || cooldown < 0 || cooldown > newAddressCooldownMaxS) {
    throw AdminError.invalid(`new_address_cooldown_s must be a whole number of seconds from 0 (off) to ${newAddressCooldownMaxS}`);
  }
  const enabled = input.allowlistEnabled ?? current?.allowlist_enabled === 1;
  const row = await upsertDestinationSettings(db, {
    merchant_id: merchantId,
    allowlist_enabled: enabled ? 1 : 0,
    new_address_cooldown_s: cooldown,
    updated_by: input.actor.name,
    updated_at: input.nowMs,
  });
  return settingsView(new ScopeNames(db), row);
}

/** Removes the destination rules of a merchant (or of every merchant). @throws AdminError not_found */
export async function clearDestinationSettings(db: Db, input: { appId?: string }): Promise<void> {
  const merchantId = await merchantScope(db, input.appId);
  if ((await deleteDestinationSettings(db, merchantId)) === 0) throw AdminError.notFound(`destination settings${input.appId !== undefined ? ` of ${input.appId}` : ''}`);
}

/** Every destination settings row (at most adminListLimitMax). */
export async function listDestinationSettings(db: Db): Promise<DestinationSettingsView[]> {
  const names = new ScopeNames(db);
  const out: DestinationSettingsView[] = [];
  for (const r of await listDestinationSettingsRows(db, adminListLimitMax)) out.push(await settingsView(names, r));
  return out;
}

/** An allowlisted destination as operators see it. */
export interface AllowlistEntryView {
  app_id: string;
  chain: string;
  /** The chain's canonical form (memo kept). */
  address: string;
  label: string;
  created_by: string;
  created_at: number;
}

function entryView(appId: string, r: AllowlistRow): AllowlistEntryView {
  return { app_id: appId, chain: r.chain, address: r.address, label: r.label, created_by: r.created_by, created_at: r.created_at };
}

/** The canonical form of a destination on the chain of coin `symbol`. @throws AdminError invalid, not_found */
async function canonicalDestination(db: Db, symbol: string, address: string): Promise<{ chain: string; canonical: string }> {
  const coin = await policyCoin(db, symbol);
  const codec = addressCodec(coin.chain);
  if (!codec.isValid(address)) throw AdminError.invalid(`address "${address}" is not an address of ${coin.chain}`);
  return { chain: coin.chain, canonical: codec.canonical(address) };
}

/**
 * Lists a destination for the merchant `appId` on the chain of coin `symbol` (listing it again
 * updates its label). @throws AdminError not_found, invalid
 */
export async function addAllowlistedDestination(
  db: Db,
  input: { appId: string; symbol: string; address: string; label?: string; actor: Actor; nowMs: number },
): Promise<AllowlistEntryView> {
  const merchantId = await merchantScope(db, input.appId);
  const label = (input.label ?? '').trim();
  if (label.length > allowlistLabelLengthMax) throw AdminError.invalid(`label is longer than ${allowlistLabelLengthMax} characters`);
  const { chain, canonical } = await canonicalDestination(db, input.symbol, input.address);
  const listed = await isAllowlistedRow(db, { merchantId, chain, address: canonical });
  if (!listed && (await countAllowlist(db, merchantId)) >= allowlistEntriesPerMerchantMax) {
    throw AdminError.invalid(`at most ${allowlistEntriesPerMerchantMax} allowlisted destinations per merchant`);
  }
  const row = await upsertAllowlistRow(db, { merchant_id: merchantId, chain, address: canonical, label, created_by: input.actor.name, created_at: input.nowMs });
  return entryView(input.appId, row);
}

/** Takes a destination off the merchant's list. @throws AdminError not_found, invalid */
export async function removeAllowlistedDestination(db: Db, input: { appId: string; symbol: string; address: string }): Promise<void> {
  const merchantId = await merchantScope(db, input.appId);
  const { chain, canonical } = await canonicalDestination(db, input.symbol, input.address);
  if ((await deleteAllowlistRow(db, { merchantId, chain, address: canonical })) === 0) throw AdminError.notFound(`allowlisted destination ${input.address} of ${input.appId}`);
}

/** The merchant's allowlisted destinations, oldest first. @throws AdminError not_found */
export async function listAllowlist(db: Db, appId: string): Promise<AllowlistEntryView[]> {
  const merchantId = await merchantScope(db, appId);
  return (await listAllowlistRows(db, merchantId, Math.max(adminListLimitMax, allowlistEntriesPerMerchantMax))).map((r) => entryView(appId, r));
}
