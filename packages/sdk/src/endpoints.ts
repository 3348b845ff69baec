import type * as T from './types/index.js';

/**
 * Every endpoint of the WaaS v2 API (API.md §2), in the order of the contract. The path is
 * under `/api/v2`; `method` is the documented one (the service accepts both). The server
 * routes from this same table, so the two sides cannot drift apart.
 */
export const endpoints = {
  createUser: { n: 1, method: 'POST', path: '/user/createUser' },
  registerEmail: { n: 2, method: 'POST', path: '/user/registerEmail' },
  getUserInfo: { n: 3, method: 'GET', path: '/user/info' },
  getCoinList: { n: 4, method: 'GET', path: '/user/getCoinList' },
  getDepositAddress: { n: 5, method: 'POST', path: '/account/getDepositAddress' },
  getByUidAndSymbol: { n: 6, method: 'GET', path: '/account/getByUidAndSymbol' },
  getCompanyBySymbol: { n: 7, method: 'GET', path: '/account/getCompanyBySymbol' },
  withdraw: { n: 8, method: 'POST', path: '/billing/withdraw' },
  syncWithdrawList: { n: 9, method: 'GET', path: '/billing/syncWithdrawList' },
  withdrawList: { n: 10, method: 'GET', path: '/billing/withdrawList' },
  syncDepositList: { n: 11, method: 'GET', path: '/billing/syncDepositList' },
  depositList: { n: 12, method: 'GET', path: '/billing/depositList' },
  syncMinerFeeList: { n: 13, method: 'GET', path: '/billing/syncMinerFeeList' },
  minerFeeList: { n: 14, method: 'GET', path: '/billing/minerFeeList' },
  transfer: { n: 15, method: 'POST', path: '/account/transfer' },
  transferList: { n: 16, method: 'POST', path: '/account/transferList' },
  syncTransferList: { n: 17, method: 'POST', path: '/account/syncTransferList' },
  syncUserList: { n: 18, method: 'POST', path: '/user/syncList' },
  getDepositAddressInfo: { n: 19, method: 'POST', path: '/account/getDepositAddressInfo' },
  syncAddressList: { n: 20, method: 'POST', path: '/address/syncList' },
} as const satisfies Record<string, { n: number; method: 'GET' | 'POST'; path: string }>;

/** The name of an endpoint, e.g. "withdraw". */
export type EndpointName = keyof typeof endpoints;

/** Prefix of every path. */
export const apiBasePath = '/api/v2';

/** Request and response payload types of each endpoint. */
export interface EndpointTypes {
  createUser: { request: T.CreateUserRequest; response: T.UidResponse };
  registerEmail: { request: T.RegisterEmailRequest; response: T.UidResponse };
  getUserInfo: { request: T.UserInfoRequest; response: T.UserInfoResponse };
  getCoinList: { request: Record<string, never>; response: T.CoinInfo[] };
  getDepositAddress: { request: T.DepositAddressRequest; response: T.DepositAddressResponse };
  getByUidAndSymbol: { request: T.BalanceRequest; response: T.BalanceResponse };
  getCompanyBySymbol: { request: T.CompanyBalanceRequest; response: T.CompanyBalanceResponse };
  withdraw: { request: T.WithdrawRequest; response: T.WithdrawResponse };
  syncWithdrawList: { request: T.SyncListRequest; response: T.WithdrawRecord[] };
  withdrawList: { request: T.IdsRequest; response: T.WithdrawRecord[] };
  syncDepositList: { request: T.SyncListRequest; response: T.DepositRecord[] };
  depositList: { request: T.IdsRequest; response: T.DepositRecord[] };
  syncMinerFeeList: { request: T.SyncListRequest; response: T.MinerFeeRecord[] };
  minerFeeList: { request: T.IdsRequest; response: T.MinerFeeRecord[] };
  transfer: { request: T.TransferRequest; response: T.TransferResponse };
  transferList: { request: T.TransferListRequest; response: T.TransferRecord[] };
  syncTransferList: { request: T.SyncListRequest; response: T.TransferRecord[] };
  syncUserList: { request: T.SyncListRequest; response: T.UserRecord[] };
  getDepositAddressInfo: { request: T.DepositAddressInfoRequest; response: T.DepositAddressInfoResponse };
  syncAddressList: { request: T.SyncListRequest; response: T.AddressRecord[] };
}

/** Finds an endpoint by name ("withdraw") or path ("/billing/withdraw", "billing/withdraw", "/api/v2/billing/withdraw"). */
export function findEndpoint(nameOrPath: string): EndpointName | undefined {
  if (nameOrPath in endpoints) return nameOrPath as EndpointName;
  const path = '/' + nameOrPath.replace(/^\/+/, '').replace(/^api\/v2\//, '');
  return (Object.keys(endpoints) as EndpointName[]).find((name) => endpoints[name].path === path);
}

/**
 * The service's extensions: endpoints outside the WaaS v2 contract, under `/api/v2/ext`, sealed
 * and answered like the others (docs/api-extensions.md). The hosted service has none of them.
 */
export const extensionEndpoints = {
  notificationList: { method: 'POST', path: '/ext/notifications/list' },
  notificationResend: { method: 'POST', path: '/ext/notifications/resend' },
} as const satisfies Record<string, { method: 'GET' | 'POST'; path: string }>;

/** The name of an extension endpoint, e.g. "notificationList". */
export type ExtensionEndpointName = keyof typeof extensionEndpoints;

/** Request and response payload types of each extension endpoint. */
export interface ExtensionEndpointTypes {
  notificationList: { request: T.NotificationListRequest; response: T.MerchantNotification[] };
  notificationResend: { request: T.NotificationResendRequest; response: T.MerchantNotification };
}
