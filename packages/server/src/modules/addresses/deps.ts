import type { ServiceContext } from '../../context.js';

/** Issuing a deposit address: the database, the clock, and the allocator that derives chain addresses. */
export type AddressIssueDeps = Pick<ServiceContext, 'store' | 'clock' | 'addresses'>;
