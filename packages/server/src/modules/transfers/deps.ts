import type { ServiceContext } from '../../context.js';
import type { ConfirmationDeps } from '../notifications/index.js';

/** A merchant's transfer: the merchant's second confirmation, then the ledger written at the clock's time. */
export type TransferRequestDeps = ConfirmationDeps & Pick<ServiceContext, 'store' | 'clock'>;
