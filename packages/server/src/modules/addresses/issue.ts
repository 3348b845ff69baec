import { ErrorCode } from '@openwaas/sdk';
import { addressCodec, storedAddressForms } from '../../chains/address-codec.js';
import { chainFamily } from '../../chains/chain-id.js';
import type { AddressIssueDeps } from './deps.js';
import { ApiError } from '../../errors/api-error.js';
import { allocateAttemptsMax } from '../../limits.js';
import { isUniqueViolation } from '../../store/db.js';
import type { CoinRecord } from '../coins/index.js';
import type { User } from '../../store/schema.js';
import { inTransaction, type Db } from '../../store/tx.js';
import * as repo from './repository.js';

export { allocateAttemptsMax };
/** First HD index handed out on each chain (index 0 is left unused, see HdAddressAllocator). */
export const hdIndexFirst = 1;

/** One address issued to a user for a symbol. */
export type IssuedAddress = repo.IssuedAddressRow;

/** The address issued to `uid` for `symbol`, if any. */
export function findUserAddress(db: Db, uid: number, symbol: string): Promise<IssuedAddress | undefined> {
  return repo.findUserAddress(db, { uid, symbol });
}

/**
 * The user's deposit address for a coin (#5), issued on first call. One chain address per
 * user per chain (the native coin and its tokens share it), derived at an HD index the user
 * keeps on every chain of the family (familyIndexFor). Idempotent and safe under concurrency:
 * the unique indexes on chain_addresses (chain, uid) / (chain, hd_index) and user_addresses
 * (uid, symbol) are the guard, a collision retries and then finds the winner's row.
 */
export async function issueDepositAddress(ctx: AddressIssueDeps, input: { user: User; coin: CoinRecord }): Promise<IssuedAddress> {
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
        let chainAddress = await repo.findChainAddressOfUser(tx, { chain: coin.chain, uid });
        if (!chainAddress) {
          const family = chainFamily(coin.chain);
          // Concurrent users would all collide on max+1: allocation is serialised per family.
          await repo.lockFamilyAllocation(tx, family);
          const index = await familyIndexFor(tx, { family, chain: coin.chain, uid });
          const address = ctx.addresses.deriveAddress(coin.chain, index);
          chainAddress = await repo.insertChainAddress(tx, { chain: coin.chain, address, merchantId, uid, hdIndex: index, nowMs: ctx.clock.nowMs() });
        }
        return repo.insertUserAddress(tx, { merchantId, uid, symbol: coin.symbol, chainAddressId: chainAddress.id, address: chainAddress.address, nowMs: ctx.clock.nowMs() });
      });
    } catch (e) {
      if (!isUniqueViolation(e) || attempt >= allocateAttemptsMax) throw e;
      const winner = await findUserAddress(ctx.store.db, uid, coin.symbol);
      if (winner) return winner;
    }
  }
}

/**
 * The HD index of a user's new address on `chain`. Indexes are unique across the chain family
 * and a user keeps one on all its chains, so the user has the same address on every EVM chain:
 * funds sent on the wrong chain land at the sender's own address (recoverable), never at an
 * address another user was given on that chain.
 */
async function familyIndexFor(tx: Db, input: { family: string; chain: string; uid: number }): Promise<number> {
  const sibling = await repo.firstFamilyIndexOfUser(tx, { family: input.family, uid: input.uid });
  // Free on this chain unless indexes were once allocated per chain: then a fresh one.
  if (sibling !== undefined && !(await repo.isIndexTaken(tx, { chain: input.chain, hdIndex: sibling }))) return sibling;
  const top = await repo.topFamilyIndex(tx, input.family);
  return top === undefined ? hdIndexFirst : top + 1;
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
  const row = await repo.findMerchantAddress(db, { merchantId, forms: addressLookupForms(address) });
  if (!row) throw new ApiError(ErrorCode.InvalidAddress, 'address is not a deposit address of this merchant');
  return row;
}

/** Addresses issued to the merchant's users with id > `maxId`, ascending (#20). */
export function listIssuedAddresses(db: Db, merchantId: number, maxId: number, limit: number): Promise<IssuedAddress[]> {
  return repo.listMerchantAddresses(db, { merchantId, afterId: maxId, limit });
}

/** The owner of a deposit address. */
export interface AddressOwner {
  merchantId: number;
  uid: number;
}

/** Owners of `addresses` (lower-case) on `chain`, by lower-case address. */
export async function addressOwners(db: Db, chain: string, addresses: readonly string[]): Promise<Map<string, AddressOwner>> {
  const out = new Map<string, AddressOwner>();
  for (const r of await repo.findChainAddressOwners(db, { chain, addresses })) out.set(addressCodec(chain).canonical(r.address), { merchantId: r.merchantId, uid: r.uid });
  return out;
}

/** Deposit addresses of `chain` issued after `afterId` (the watch set's incremental refresh), ascending, at most `limit`. */
export function chainAddressesAfter(db: Db, chain: string, afterId: number, limit: number): Promise<Array<{ id: number; address: string }>> {
  return repo.listChainAddressesAfter(db, { chain, afterId, limit });
}
