/**
 * The only SQL on chain_addresses (one address per user per chain, at an HD index) and
 * user_addresses (the address issued to a user for a symbol).
 */
import { lookupChunkMax } from '../../limits.js';
import type { Database } from '../../store/schema.js';
import type { Db } from '../../store/tx.js';
import { PostgresAdapter, sql, type ExpressionBuilder } from 'kysely';

/** A user_addresses row as the module hands it out. */
export interface IssuedAddressRow {
  id: number;
  merchantId: number;
  uid: number;
  symbol: string;
  address: string;
}

const issuedColumns = ['id', 'merchant_id', 'uid', 'symbol', 'address'] as const;

function issued(row: { id: number; merchant_id: number; uid: number; symbol: string; address: string }): IssuedAddressRow {
  return { id: Number(row.id), merchantId: Number(row.merchant_id), uid: Number(row.uid), symbol: row.symbol, address: row.address };
}

/** The address issued to `uid` for `symbol`. */
export async function findUserAddress(db: Db, input: { uid: number; symbol: string }): Promise<IssuedAddressRow | undefined> {
  const row = await db.selectFrom('user_addresses').select(issuedColumns).where('uid', '=', input.uid).where('symbol', '=', input.symbol).executeTakeFirst();
  return row ? issued(row) : undefined;
}

/** The first issued address (lowest id) of the merchant stored under one of `forms`. */
export async function findMerchantAddress(db: Db, input: { merchantId: number; forms: readonly string[] }): Promise<IssuedAddressRow | undefined> {
  const row = await db
    .selectFrom('user_addresses')
    .select(issuedColumns)
    .where('merchant_id', '=', input.merchantId)
    .where('address', 'in', [...input.forms])
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  return row ? issued(row) : undefined;
}

/** Addresses issued to the merchant's users with id > `afterId`, ascending. */
export async function listMerchantAddresses(db: Db, input: { merchantId: number; afterId: number; limit: number }): Promise<IssuedAddressRow[]> {
  const rows = await db
    .selectFrom('user_addresses')
    .select(issuedColumns)
    .where('merchant_id', '=', input.merchantId)
    .where('id', '>', input.afterId)
    .orderBy('id')
    .limit(input.limit)
    .execute();
  return rows.map(issued);
}

export async function insertUserAddress(
  db: Db,
  values: { merchantId: number; uid: number; symbol: string; chainAddressId: number; address: string; nowMs: number },
): Promise<IssuedAddressRow> {
  const row = await db
    .insertInto('user_addresses')
    .values({ merchant_id: values.merchantId, uid: values.uid, symbol: values.symbol, chain_address_id: values.chainAddressId, address: values.address, created_at: values.nowMs })
    .returning(issuedColumns)
    .executeTakeFirstOrThrow();
  return issued(row);
}

/** The user's address on `chain`. */
export async function findChainAddressOfUser(db: Db, input: { chain: string; uid: number }): Promise<{ id: number; address: string } | undefined> {
  const row = await db.selectFrom('chain_addresses').select(['id', 'address']).where('chain', '=', input.chain).where('uid', '=', input.uid).executeTakeFirst();
  return row ? { id: Number(row.id), address: row.address } : undefined;
}

export async function insertChainAddress(
  db: Db,
  values: { chain: string; address: string; merchantId: number; uid: number; hdIndex: number; nowMs: number },
): Promise<{ id: number; address: string }> {
  const row = await db
    .insertInto('chain_addresses')
    .values({ chain: values.chain, address: values.address, merchant_id: values.merchantId, uid: values.uid, hd_index: values.hdIndex, created_at: values.nowMs })
    .returning(['id', 'address'])
    .executeTakeFirstOrThrow();
  return { id: Number(row.id), address: row.address };
}

/**
 * Serialises HD index allocation per chain family until the transaction ends, so concurrent
 * users do not all collide on max+1 (the unique index stays the real guard). PostgreSQL takes
 * an advisory lock; SQLite transactions are serial already, so there is nothing to take.
 */
export async function lockFamilyAllocation(tx: Db, family: string): Promise<void> {
  if (!(tx.getExecutor().adapter instanceof PostgresAdapter)) return;
  await sql`select pg_advisory_xact_lock(hashtext(${'openwaas:hd:' + family}))`.execute(tx);
}

const inFamily = (family: string) => (eb: ExpressionBuilder<Database, 'chain_addresses'>) => eb.or([eb('chain', '=', family), eb('chain', 'like', `${family}:%`)]);

/** The HD index of the user's first address in the chain family. */
export async function firstFamilyIndexOfUser(db: Db, input: { family: string; uid: number }): Promise<number | undefined> {
  const row = await db.selectFrom('chain_addresses').select('hd_index').where('uid', '=', input.uid).where(inFamily(input.family)).orderBy('id').executeTakeFirst();
  return row ? Number(row.hd_index) : undefined;
}

/** Whether `hdIndex` is taken on `chain`. */
export async function isIndexTaken(db: Db, input: { chain: string; hdIndex: number }): Promise<boolean> {
  const row = await db.selectFrom('chain_addresses').select('id').where('chain', '=', input.chain).where('hd_index', '=', input.hdIndex).executeTakeFirst();
  return row !== undefined;
}

/** The highest HD index allocated in the chain family, if any. */
export async function topFamilyIndex(db: Db, family: string): Promise<number | undefined> {
  const top = await db.selectFrom('chain_addresses').select((eb) => eb.fn.max('hd_index').as('top')).where(inFamily(family)).executeTakeFirst();
  return top?.top === null || top?.top === undefined ? undefined : Number(top.top);
}

/** Owners (merchant, user) of the chain's `addresses`, by address as stored (looked up in chunks). */
export async function findChainAddressOwners(db: Db, input: { chain: string; addresses: readonly string[] }): Promise<Array<{ address: string; merchantId: number; uid: number }>> {
  const out: Array<{ address: string; merchantId: number; uid: number }> = [];
  const unique = [...new Set(input.addresses)];
  for (let i = 0; i < unique.length; i += lookupChunkMax) {
    const rows = await db
      .selectFrom('chain_addresses')
      .select(['address', 'merchant_id', 'uid'])
      .where('chain', '=', input.chain)
      .where('address', 'in', unique.slice(i, i + lookupChunkMax))
      .execute();
    for (const r of rows) out.push({ address: r.address, merchantId: Number(r.merchant_id), uid: Number(r.uid) });
  }
  return out;
}

/** Addresses of `chain` with id above `afterId`, ascending, at most `limit`. */
export async function listChainAddressesAfter(db: Db, input: { chain: string; afterId: number; limit: number }): Promise<Array<{ id: number; address: string }>> {
  const rows = await db
    .selectFrom('chain_addresses')
    .select(['id', 'address'])
    .where('chain', '=', input.chain)
    .where('id', '>', input.afterId)
    .orderBy('id')
    .limit(input.limit)
    .execute();
  return rows.map((r) => ({ id: Number(r.id), address: r.address }));
}

/** Queries on chain_addresses needed by the transfers module (internal settlement). */

/** The issued address on `chain` stored under one of `addresses` (its lookup forms), with its owner. */
export async function findChainAddressOwner(db: Db, input: { chain: string; addresses: string[] }): Promise<{ merchantId: number; uid: number; address: string } | undefined> {
  const row = await db
    .selectFrom('chain_addresses')
    .select(['merchant_id', 'uid', 'address'])
    .where('chain', '=', input.chain)
    .where('address', 'in', input.addresses)
    .executeTakeFirst();
  return row && { merchantId: Number(row.merchant_id), uid: Number(row.uid), address: row.address };
}

/** Locks a chain address row: concurrent sweepers of one address serialise on it. */
export async function lockChainAddress(db: Db, chainAddressId: number): Promise<void> {
  await db.selectFrom('chain_addresses').select('id').where('id', '=', chainAddressId).forUpdate().executeTakeFirstOrThrow();
}

/** A chain address's address and derivation index. */
export async function findChainAddressById(db: Db, chainAddressId: number): Promise<{ address: string; hdIndex: number }> {
  const row = await db.selectFrom('chain_addresses').select(['hd_index', 'address']).where('id', '=', chainAddressId).executeTakeFirstOrThrow();
  return { address: row.address, hdIndex: Number(row.hd_index) };
}

/** Every deposit address of `chain`, in id order. */
export async function listChainAddresses(db: Db, chain: string): Promise<string[]> {
  const rows = await db.selectFrom('chain_addresses').select('address').where('chain', '=', chain).orderBy('id').execute();
  return rows.map((r) => r.address);
}

/** Issued addresses stored under one of `forms` (of one merchant when given), oldest first, at most `limit`. */
export async function findIssuedByAddress(db: Db, input: { forms: readonly string[]; merchantId?: number; limit: number }): Promise<IssuedAddressRow[]> {
  if (input.forms.length === 0) return [];
  let q = db.selectFrom('user_addresses').select(issuedColumns).where('address', 'in', [...input.forms]);
  if (input.merchantId !== undefined) q = q.where('merchant_id', '=', input.merchantId);
  return (await q.orderBy('id').limit(input.limit).execute()).map(issued);
}
