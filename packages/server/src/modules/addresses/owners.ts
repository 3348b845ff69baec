import { storedAddressForms } from '../../chains/address-codec.js';
import type { Db } from '../../store/tx.js';
import type { IssuedAddress } from './issue.js';
import { findIssuedByAddress } from './repository.js';

/**
 * The deposit addresses issued as `address` (in any form a chain family stores it: an operator
 * may paste it in another case), of one merchant when `merchantId` is given, oldest first, at
 * most `limit`: whose deposit address it is.
 */
export function issuedAddressesOf(db: Db, input: { address: string; merchantId?: number; limit: number }): Promise<IssuedAddress[]> {
  return findIssuedByAddress(db, { forms: storedAddressForms(input.address), ...(input.merchantId !== undefined ? { merchantId: input.merchantId } : {}), limit: input.limit });
}
