import { addressCodec } from '../../chains/address-codec.js';

/** Splits "addr_memo" on memo chains; the address part alone elsewhere. */
export function splitAddress(chain: string, address: string): { address: string; memo: string | undefined } {
  return addressCodec(chain).split(address);
}

/** True when `address` is well-formed for the coin's chain (110055 otherwise). */
export function isValidWithdrawAddress(chain: string, address: string): boolean {
  return addressCodec(chain).isValid(address);
}

/** The form under which a destination is compared with allowlists and past payments (the chain codec's). */
export function canonicalWithdrawAddress(chain: string, address: string): string {
  return addressCodec(chain).canonical(address);
}
