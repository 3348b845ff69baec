import { ErrorCode } from '@openwaas/sdk';
import { sql, type ExpressionBuilder } from 'kysely';
import type { ServiceContext } from '../context.js';
import { isUniqueViolation } from '../store/db.js';
import type { Coin, Database, User } from '../store/schema.js';
import { inTransaction, type Db } from '../store/tx.js';
import { storedAddressForms } from '../chains/address-codec.js';
import { chainFamily } from '../chains/chain-id.js';
import { ApiError } from './api-error.js';

/** Attempts at allocating an address when concurrent callers collide on a unique index. */
export const allocateAttemptsMax = 8;
/** First HD index handed out on each chain (index 0 is left unused, see HdAddressAllocator). */
export const hdIndexFirst = 1;

/** One address issued to a user for a symbol. */
export interface IssuedAddress {
  id: number;
  merchantId: number;
  uid: number;
  symbol: string;
  address: string;
}

function issued(row: { id: number; merchant_id: number; uid: number; symbol: string; address: string }): IssuedAddress {
  return { id: Number(row.id), merchantId: Number(row.merchant_id), uid: Number(row.uid), symbol: row.symbol, address: row.address };
}

/** The address issued to `uid` for `symbol`, if any. */
export async function findUserAddress(db: Db, uid: number, symbol: string): Promise<IssuedAddress | undefined> {
  const row = await db
    .selectFrom('user_addresses')
    .select(['id', 'merchant_id', 'uid', 'symbol', 'address'])
    .where('uid', '=', uid)
    .where('symbol', '=', symbol)
    .executeTakeFirst();
  return row ? issued(row) : undefined;
}

/**
 * The user's deposit address for a coin (#5), issued on first call. One chain address per
 * user per chain (the native coin and its tokens share it), derived at an HD index the user
 * keeps on every chain of the family (familyIndexFor). Idempotent and safe under concurrency:
 * the unique indexes on chain_addresses (chain, uid) / (chain, hd_index) and user_addresses
 * (uid, symbol) are the guard, a collision retries and then finds the winner's row.
 */
export async function issueDepositAddress(ctx: ServiceContext, input: { user: User; coin: Coin }): Promise<IssuedAddress> {
  const uid = Number(input.user.id);
  const merchantId = Number(input.user.merchant_id);
  const { coin } = input;
  const existing = await findUserAddress(ctx.store.db, uid, coin.symbol);
  if (existing) return existing;

  for (let attempt = 1; ; attempt++) {
    try {
      return await inTransaction(ctx.store, async (tx) => {
        const again = await findUserAddress(tx, uid, coin.symbol);
        if (again) return again;
        let chainAddress = await tx
          .selectFrom('chain_addresses')
          .select(['id', 'address', 'merchant_id'])
          .where('chain', '=', coin.chain)
          .where('uid', '=', uid)
          .executeTakeFirst();
        if (!chainAddress) {
          const family = chainFamilyOf(coin.chain);
          // PostgreSQL: serialise index allocation per chain family so concurrent users do not
          // all collide on max+1 (the unique index stays the real guard). SQLite transactions
          // are already serial.
          if (ctx.store.dialect === 'postgres') {
            await sql`select pg_advisory_xact_lock(hashtext(${'openwaas:hd:' + family}))`.execute(tx);
          }
          const index = await familyIndexFor(tx, { family, chain: coin.chain, uid });
          const address = ctx.addresses.deriveAddress(coin.chain, index);
          chainAddress = await tx
            .insertInto('chain_addresses')
            .values({ chain: coin.chain, address, merchant_id: merchantId, uid, hd_index: index, created_at: ctx.clock.nowMs() })
            .returning(['id', 'address', 'merchant_id'])
            .executeTakeFirstOrThrow();
        }
        const row = await tx
          .insertInto('user_addresses')
          .values({
            merchant_id: merchantId,
            uid,
            symbol: coin.symbol,
            chain_address_id: Number(chainAddress.id),
            address: chainAddress.address,
            created_at: ctx.clock.nowMs(),
          })
          .returning(['id', 'merchant_id', 'uid', 'symbol', 'address'])
          .executeTakeFirstOrThrow();
        return issued(row);
      });
    } catch (e) {
      if (!isUniqueViolation(e) || attempt >= allocateAttemptsMax) throw e;
      const winner = await findUserAddress(ctx.store.db, uid, coin.symbol);
      if (winner) return winner;
    }
  }
}

/** The family of a chain id ("evm" for "evm:56"): chains of one family derive the same keys. */
function chainFamilyOf(chain: string): string {
  return chainFamily(chain);
}

/**
 * The HD index of a user's new address on `chain`. Indexes are unique across the chain family
 * and a user keeps one on all its chains, so the user has the same address on every EVM chain:
 * funds sent on the wrong chain land at the sender's own address (recoverable), never at an
 * address another user was given on that chain.
 */
async function familyIndexFor(tx: Db, input: { family: string; chain: string; uid: number }): Promise<number> {
  const inFamily = (eb: ExpressionBuilder<Database, 'chain_addresses'>) => eb.or([eb('chain', '=', input.family), eb('chain', 'like', `${input.family}:%`)]);
  const sibling = await tx.selectFrom('chain_addresses').select('hd_index').where('uid', '=', input.uid).where(inFamily).orderBy('id').executeTakeFirst();
  if (sibling) {
    // Free on this chain unless indexes were once allocated per chain: then a fresh one.
    const taken = await tx.selectFrom('chain_addresses').select('id').where('chain', '=', input.chain).where('hd_index', '=', sibling.hd_index).executeTakeFirst();
    if (!taken) return Number(sibling.hd_index);
  }
  const top = await tx.selectFrom('chain_addresses').select((eb) => eb.fn.max('hd_index').as('top')).where(inFamily).executeTakeFirst();
  return top?.top === null || top?.top === undefined ? hdIndexFirst : Number(top.top) + 1;
}

/**
 * The forms under which an issued address may be stored: EVM addresses are stored lower-case,
 * so a checksummed (mixed-case) query must still match; other chains' addresses as given.
 */
export function addressLookupForms(address: string): string[] {
  return storedAddressForms(address);
}

/**
 * Who owns `address` among this merchant's issued addresses (#19): the first assignment
 * (lowest id) when several symbols share a chain address; 110055 when it is not ours.
 */
export async function findAddressOwner(db: Db, merchantId: number, address: string): Promise<IssuedAddress> {
  const row = await db
    .selectFrom('user_addresses')
    .select(['id', 'merchant_id', 'uid', 'symbol', 'address'])
    .where('merchant_id', '=', merchantId)
    .where('address', 'in', addressLookupForms(address))
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  if (!row) throw new ApiError(ErrorCode.InvalidAddress, 'address is not a deposit address of this merchant');
  return issued(row);
}

/** Addresses issued to the merchant's users with id > `maxId`, ascending (#20). */
export async function listIssuedAddresses(db: Db, merchantId: number, maxId: number, limit: number): Promise<IssuedAddress[]> {
  const rows = await db
    .selectFrom('user_addresses')
    .select(['id', 'merchant_id', 'uid', 'symbol', 'address'])
    .where('merchant_id', '=', merchantId)
    .where('id', '>', maxId)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map(issued);
}
