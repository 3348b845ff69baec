import type { ExtensionHandlerTable, HandlerTable } from '../handler.js';
import { notificationList, notificationResend } from './notification-log.js';
import { getByUidAndSymbol, getCompanyBySymbol, getDepositAddress, getDepositAddressInfo } from './accounts.js';
import { syncAddressList } from './addresses.js';
import { depositList, minerFeeList, syncDepositList, syncMinerFeeList, syncWithdrawList, withdrawList } from './billing-lists.js';
import { getCoinList } from './coins.js';
import { syncTransferList, transferList } from './transfer-lists.js';
import { transferHandler } from './transfer.js';
import { createUser, getUserInfo, registerEmail, syncUserList } from './users.js';
import { withdrawHandler } from './withdraw.js';

/**
 * The implementation of every endpoint of the SDK's `endpoints` table: the type makes a gap a
 * compile error, and each handler's result must be the SDK's response type of its endpoint.
 */
export const handlers: HandlerTable = {
  createUser,
  registerEmail,
  getUserInfo,
  getCoinList,
  getDepositAddress,
  getByUidAndSymbol,
  getCompanyBySymbol,
  withdraw: withdrawHandler,
  syncWithdrawList,
  withdrawList,
  syncDepositList,
  depositList,
  syncMinerFeeList,
  minerFeeList,
  transfer: transferHandler,
  transferList,
  syncTransferList,
  syncUserList,
  getDepositAddressInfo,
  syncAddressList,
};

/** The implementation of every extension endpoint (the SDK's `extensionEndpoints`). */
export const extensionHandlers: ExtensionHandlerTable = { notificationList, notificationResend };
