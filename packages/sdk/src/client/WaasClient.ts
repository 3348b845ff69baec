import { parsePrivateKey, parsePublicKey, type KeyInput } from '../envelope/keys.js';
import { maxSegmentBytes } from '../envelope/rsa-segments.js';
import { apiBasePath, endpoints, extensionEndpoints, type EndpointName, type EndpointTypes, type ExtensionEndpointName, type ExtensionEndpointTypes } from '../endpoints.js';
import type * as T from '../types/index.js';
import { paginate } from './paginate.js';
import { request, RequestTimes, type RequestContext } from './request.js';

/** How a WaasClient is configured. */
export interface WaasClientOptions {
  /** Service root, e.g. "http://127.0.0.1:8080" ; the "/api/v2" prefix is added. */
  baseUrl: string;
  appId: string;
  /** The merchant's RSA private key (PEM / bare base64 DER / KeyObject); parsed once, here. */
  privateKey: KeyInput;
  /** The wallet service's public key for this merchant (PEM / bare base64 DER / KeyObject); parsed once, here. */
  walletPublicKey: KeyInput;
  /** Per-request timeout in ms (headers and body), default 30000. */
  timeoutMs?: number;
  /** Plaintext bytes per RSA block (default 234). */
  segmentBytes?: number;
  /**
   * 'documented' (default): GET endpoints send app_id+data in the query string, POST ones as an
   * application/x-www-form-urlencoded body. 'POST': every call POSTs a form, as the vendor's SDKs do.
   */
  method?: 'documented' | 'POST';
  /** Injected fetch (defaults to globalThis.fetch). */
  fetch?: typeof fetch;
}

/** Default per-request timeout. */
const defaultTimeoutMs = 30_000;
/** The largest delay timers accept. */
const maxTimeoutMs = 2 ** 31 - 1;

/**
 * A merchant's client for a WaaS v2 wallet service (OpenWaaS or the hosted service).
 * Every call encrypts its params with the merchant key, adds `time`/`charset`/`version`,
 * and decrypts the answer with the wallet key.
 *
 * Errors: `WaasError` (the service answered a non-zero `code`), `WaasTransportError`
 * (no usable HTTP answer), `WaasTimeoutError` (`timeoutMs` elapsed), `EnvelopeError`
 * (the answer does not decrypt with `walletPublicKey`).
 *
 * @example
 * ```ts
 * const client = new WaasClient({
 *   baseUrl: 'http://127.0.0.1:8080',
 *   appId: process.env.WAAS_APP_ID!,
 *   privateKey: fs.readFileSync('merchant-private.pem', 'utf8'),
 *   walletPublicKey: fs.readFileSync('wallet-public.pem', 'utf8'),
 * });
 * const { uid } = await client.registerEmail({ email: 'alice@example.com' });
 * const { address } = await client.getDepositAddress({ uid, symbol: 'ETH' });
 * ```
 */
export class WaasClient {
  /** The merchant's app_id, sent with every request. */
  readonly appId: string;
  readonly #context: RequestContext;

  constructor(options: WaasClientOptions) {
    if (typeof options.appId !== 'string' || options.appId === '') throw new TypeError('WaasClient: appId is required');
    const privateKey = parsePrivateKey(options.privateKey, 'privateKey');
    const walletPublicKey = parsePublicKey(options.walletPublicKey, 'walletPublicKey');

    const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
    if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > maxTimeoutMs) {
      throw new RangeError(`WaasClient: timeoutMs must be a whole number of ms from 1 to ${maxTimeoutMs}, not ${timeoutMs}`);
    }
    const { segmentBytes } = options;
    if (segmentBytes !== undefined) {
      const max = maxSegmentBytes(privateKey);
      if (!Number.isInteger(segmentBytes) || segmentBytes < 1 || segmentBytes > max) {
        throw new RangeError(`WaasClient: segmentBytes must be from 1 to ${max} for this key, not ${segmentBytes}`);
      }
    }
    const method = options.method ?? 'documented';
    if (method !== 'documented' && method !== 'POST') throw new TypeError(`WaasClient: method must be "documented" or "POST", not ${String(method)}`);
    const fetchImpl = options.fetch ?? globalThis.fetch;
    if (typeof fetchImpl !== 'function') throw new TypeError('WaasClient: no fetch available; pass options.fetch');

    this.appId = options.appId;
    this.#context = {
      apiUrl: apiUrlOf(options.baseUrl),
      appId: options.appId,
      privateKey,
      walletPublicKey,
      timeoutMs,
      segmentBytes,
      forceMethod: method === 'POST' ? 'POST' : undefined,
      // Called unbound: a `fetch` detached from its object must not lose `this`.
      fetch: (input, init) => fetchImpl(input, init),
      times: new RequestTimes(),
    };
  }

  /**
   * Calls an endpoint by name (a key of `endpoints`).
   * @example
   * ```ts
   * const coins = await client.call('getCoinList', {});
   * ```
   */
  call<N extends EndpointName>(name: N, params: EndpointTypes[N]['request']): Promise<EndpointTypes[N]['response']> {
    if (!Object.hasOwn(endpoints, name)) return Promise.reject(new TypeError(`WaasClient: unknown endpoint ${String(name)}`));
    return request<EndpointTypes[N]['response']>(this.#context, endpoints[name], params);
  }

  /**
   * Calls an extension endpoint of this service by name (a key of `extensionEndpoints`;
   * docs/api-extensions.md). The hosted service answers these with 404.
   */
  callExtension<N extends ExtensionEndpointName>(name: N, params: ExtensionEndpointTypes[N]['request']): Promise<ExtensionEndpointTypes[N]['response']> {
    if (!Object.hasOwn(extensionEndpoints, name)) return Promise.reject(new TypeError(`WaasClient: unknown extension endpoint ${String(name)}`));
    return request<ExtensionEndpointTypes[N]['response']>(this.#context, extensionEndpoints[name], params);
  }

  /** Extension: your recent notifications, each with every delivery attempt and its result (oldest first, paged by after_id). */
  notificationList(params: T.NotificationListRequest = {}): Promise<T.MerchantNotification[]> {
    return this.callExtension('notificationList', params);
  }

  /** Extension: delivers one of your notifications again, now (the same notify_id); answers it as it stands after the request. */
  notificationResend(params: T.NotificationResendRequest): Promise<T.MerchantNotification> {
    return this.callExtension('notificationResend', params);
  }

  /**
   * #1 Registers a user by phone number; 110023 when the number is taken.
   * @example
   * ```ts
   * const { uid } = await client.createUser({ country: '86', mobile: '13800138000' });
   * ```
   */
  createUser(params: T.CreateUserRequest): Promise<T.UidResponse> {
    return this.call('createUser', params);
  }

  /** #2 Registers a user by email, or by any unique "virtual account" string of at most 100 chars. */
  registerEmail(params: T.RegisterEmailRequest): Promise<T.UidResponse> {
    return this.call('registerEmail', params);
  }

  /** #3 Looks a user up by `country` + `mobile` or by `email`; 110065 when there is none. */
  getUserInfo(params: T.UserInfoRequest): Promise<T.UserInfoResponse> {
    return this.call('getUserInfo', params);
  }

  /** #4 Lists the coins enabled for this merchant (every field a string). */
  getCoinList(): Promise<T.CoinInfo[]> {
    return this.call('getCoinList', {});
  }

  /**
   * #5 Returns the user's deposit address for a coin, assigning one on the first call.
   * Memo chains answer "address_memo".
   */
  getDepositAddress(params: T.DepositAddressRequest): Promise<T.DepositAddressResponse> {
    return this.call('getDepositAddress', params);
  }

  /** #6 Returns a user's spendable and locked balance of a coin, and their deposit address. */
  getByUidAndSymbol(params: T.BalanceRequest): Promise<T.BalanceResponse> {
    return this.call('getByUidAndSymbol', params);
  }

  /** #7 Returns the balance of this merchant's collection account for a coin. */
  getCompanyBySymbol(params: T.CompanyBalanceRequest): Promise<T.CompanyBalanceResponse> {
    return this.call('getCompanyBySymbol', params);
  }

  /**
   * #8 Withdraws from a user's balance. `amount` includes the fee; `request_id` makes retries
   * safe (a reused one answers 110088 with the existing withdrawal as the error's `data`).
   * The service asks the merchant's confirmation endpoint before paying.
   * @example
   * ```ts
   * try {
   *   const { id, status } = await client.withdraw({
   *     request_id: 'order-1001', from_uid: uid, to_address: '0x…', amount: '0.5', symbol: 'ETH',
   *   });
   * } catch (e) {
   *   if (e instanceof WaasError && e.is(ErrorCode.DuplicateRequest)) { ... }
   * }
   * ```
   */
  withdraw(params: T.WithdrawRequest): Promise<T.WithdrawResponse> {
    return this.call('withdraw', params);
  }

  /** #9 Withdrawals with id > `max_id`, ascending, 100 at most. See iterateWithdrawals(). */
  syncWithdrawList(params: T.SyncListRequest): Promise<T.WithdrawRecord[]> {
    return this.call('syncWithdrawList', params);
  }

  /** #10 Withdrawals by `request_id` (`ids`: comma-separated or an array, 100 at most). */
  withdrawList(params: T.IdsRequest): Promise<T.WithdrawRecord[]> {
    return this.call('withdrawList', params);
  }

  /** #11 Deposits with id > `max_id`, ascending, 100 at most. See iterateDeposits(). */
  syncDepositList(params: T.SyncListRequest): Promise<T.DepositRecord[]> {
    return this.call('syncDepositList', params);
  }

  /** #12 Deposits by id (`ids`: comma-separated or an array, 100 at most). */
  depositList(params: T.IdsRequest): Promise<T.DepositRecord[]> {
    return this.call('depositList', params);
  }

  /** #13 Collection (sweep) miner-fee records with id > `max_id`, 100 at most. See iterateMinerFees(). */
  syncMinerFeeList(params: T.SyncListRequest): Promise<T.MinerFeeRecord[]> {
    return this.call('syncMinerFeeList', params);
  }

  /** #14 Miner-fee records by id (`ids`: comma-separated or an array, 100 at most). */
  minerFeeList(params: T.IdsRequest): Promise<T.MinerFeeRecord[]> {
    return this.call('minerFeeList', params);
  }

  /**
   * #15 Moves funds from this merchant's collection account to another merchant's (`to` = its
   * app_id). Confirmed through the merchant's confirmation endpoint, like a withdrawal.
   */
  transfer(params: T.TransferRequest): Promise<T.TransferResponse> {
    return this.call('transfer', params);
  }

  /** #16 Transfers by request id (default) or by receipt (`ids_type: 'receipt'`). */
  transferList(params: T.TransferListRequest): Promise<T.TransferRecord[]> {
    return this.call('transferList', params);
  }

  /** #17 Transfers with id > `max_id`, 100 at most. */
  syncTransferList(params: T.SyncListRequest): Promise<T.TransferRecord[]> {
    return this.call('syncTransferList', params);
  }

  /** #18 This merchant's users with id > `max_id`, 100 at most. */
  syncUserList(params: T.SyncListRequest): Promise<T.UserRecord[]> {
    return this.call('syncUserList', params);
  }

  /** #19 Tells who owns a deposit address; 110055 when it is not one of this merchant's. */
  getDepositAddressInfo(params: T.DepositAddressInfoRequest): Promise<T.DepositAddressInfoResponse> {
    return this.call('getDepositAddressInfo', params);
  }

  /** #20 Deposit addresses issued to this merchant's users with id > `max_id`, 100 at most. */
  syncAddressList(params: T.SyncListRequest): Promise<T.AddressRecord[]> {
    return this.call('syncAddressList', params);
  }

  /**
   * Every withdrawal after `maxId` (default 0), page after page, until an empty page.
   * Keep the last id you processed and pass it as `maxId` next time.
   * @example
   * ```ts
   * for await (const w of client.iterateWithdrawals({ maxId: lastSeenId })) {
   *   await store(w);
   *   lastSeenId = w.id;
   * }
   * ```
   */
  iterateWithdrawals(options: { maxId?: number | string } = {}): AsyncIterableIterator<T.WithdrawRecord> {
    return paginate((maxId) => this.syncWithdrawList({ max_id: maxId }), options.maxId ?? 0);
  }

  /** Every deposit after `maxId` (default 0), page after page, until an empty page. */
  iterateDeposits(options: { maxId?: number | string } = {}): AsyncIterableIterator<T.DepositRecord> {
    return paginate((maxId) => this.syncDepositList({ max_id: maxId }), options.maxId ?? 0);
  }

  /** Every collection miner-fee record after `maxId` (default 0), page after page, until an empty page. */
  iterateMinerFees(options: { maxId?: number | string } = {}): AsyncIterableIterator<T.MinerFeeRecord> {
    return paginate((maxId) => this.syncMinerFeeList({ max_id: maxId }), options.maxId ?? 0);
  }
}

/** "http://host:8080/" → "http://host:8080/api/v2"; a root already ending in /api/v2 is kept. */
function apiUrlOf(baseUrl: string): string {
  if (typeof baseUrl !== 'string' || !URL.canParse(baseUrl)) throw new TypeError(`WaasClient: baseUrl is not a URL: ${String(baseUrl)}`);
  const { protocol, search, hash } = new URL(baseUrl);
  if (protocol !== 'http:' && protocol !== 'https:') throw new TypeError(`WaasClient: baseUrl must be http(s), not ${protocol}`);
  if (search || hash) throw new TypeError('WaasClient: baseUrl must not carry a query or fragment');
  const root = baseUrl.replace(/\/+$/, '');
  return root.endsWith(apiBasePath) ? root : root + apiBasePath;
}
