/**
 * The merchant-facing record lists (API #9–#14, #16–#18) now live with the tables they read;
 * these names stay for the API handlers until their imports move.
 */
export { findUser, usersAfter } from '../modules/merchants/index.js';
export { listTransfersAfter as transfersAfter, listTransfersByIds as transfersByIds, type TransferRow } from '../modules/transfers/index.js';
export { depositsAfter, depositsByIds } from '../modules/deposits/index.js';
export { withdrawalsAfter, withdrawalsByRequestIds } from '../modules/withdrawals/index.js';
export { minerFeesAfter, minerFeesByIds } from '../modules/sweeps/index.js';

