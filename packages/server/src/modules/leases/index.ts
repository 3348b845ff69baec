/** The leases module: named, expiring leases that elect one leader per loop across service processes. */
export { acquireLease, giveUpLease, listLeases, type LeaseView } from './leases.js';
