/** Records as the operator API answers them, typed by the contract's views; each test overrides what it looks at. */
import type {
  AlertView,
  AuditEntryView,
  ChainStatus,
  ChainTxView,
  CoinView,
  DepositDetail,
  DepositListItem,
  DepositTimeline,
  HeldRecords,
  MerchantView,
  NotificationDetailView,
  NotificationView,
  OverviewChain,
  OverviewView,
  ReviewItem,
  SweepView,
  UserView,
  WithdrawalListItem,
  WithdrawalTimeline,
  WithdrawalView,
} from '../../../server/src/contracts/operator.js';

export const t0 = Date.UTC(2026, 11, 7, 9, 30, 0);

export function withdrawal(over: Partial<WithdrawalView> = {}): WithdrawalView {
  return {
    id: 7,
    request_id: 'req-7',
    uid: 42,
    symbol: 'ETH',
    amount: '1234.000000000000000001',
    withdraw_fee_symbol: 'ETH',
    withdraw_fee: '0.0005',
    fee_symbol: 'ETH',
    real_fee: '0',
    address_from: '0x1111111111111111111111111111111111111111',
    address_to: '0x2222222222222222222222222222222222222222',
    txid: '',
    confirmations: 0,
    saas_status: 0,
    company_status: 0,
    status: 0,
    withdraw_type: 1,
    created_at: t0,
    updated_at: t0,
    base_symbol: 'ETH',
    contract_address: '',
    email: 'buyer@example.com',
    fee: '0.0005',
    txid_type: '0',
    review_reason: 'above auto-approve maximum',
    approvals_required: 2,
    approvals_given: 1,
    approvals_needed: 1,
    approved_by: ['bob'],
    decisions: [{ side: 'saas', decision: 'approve', operator_id: 2, operator_name: 'bob', reason: '', created_at: t0 + 60_000 }],
    policy_hits: [],
    ...over,
  };
}

export function reviewItem(over: Partial<ReviewItem> = {}): ReviewItem {
  return { ...withdrawal(), app_id: 'shop1', merchant_id: 1, ...over };
}

export function heldDeposit(over: Partial<HeldRecords['deposits'][number]> = {}): HeldRecords['deposits'][number] {
  return {
    id: 31,
    uid: 42,
    symbol: 'USDT',
    amount: '5000.123456',
    address_from: '0x3333333333333333333333333333333333333333',
    address_to: '0x4444444444444444444444444444444444444444',
    txid: '0xabc1',
    confirmations: 12,
    status: 5,
    created_at: t0,
    updated_at: t0,
    base_symbol: 'ETH',
    contract_address: '0xdac17f958d2ee523a2206206994597c13d831ec7',
    email: 'buyer@example.com',
    txid_type: '0',
    is_mining: 0,
    app_id: 'shop1',
    merchant_id: 1,
    review_reason: 'KYT risk score 80',
    ...over,
  };
}

export function heldWithdrawal(over: Partial<HeldRecords['withdrawals'][number]> = {}): HeldRecords['withdrawals'][number] {
  return { ...withdrawal({ id: 8, status: 8 }), app_id: 'shop1', merchant_id: 1, kyt_reason: 'sanctioned counterparty', ...over };
}

export function coin(over: Partial<CoinView> = {}): CoinView {
  return {
    id: 1,
    symbol: 'ETH',
    name: 'Ether',
    chain: 'evm:1',
    base_symbol: 'ETH',
    contract_address: '',
    decimals: 18,
    confirmations: 12,
    min_withdraw: '0.001',
    max_withdraw: '100',
    withdraw_fee: '0.0005',
    withdraw_fee_symbol: 'ETH',
    auto_approve_max: '10',
    daily_limit: '1000',
    min_deposit: '0',
    icon: '',
    explorer: 'https://etherscan.io/tx/{txid}',
    address_explorer: 'https://etherscan.io/address/{address}',
    enabled: true,
    ...over,
  };
}

export function chainStatus(over: Partial<ChainStatus> = {}): ChainStatus {
  return {
    chain: 'evm:1',
    rpc_url: 'http://node.internal:8545',
    head: 1200,
    scanned: 1190,
    behind: 10,
    hot_wallet: {
      address: '0x5555555555555555555555555555555555555555',
      balances: { ETH: '12.000000000000000001', USDT: '1000000' },
      levels: { ETH: { balance: '12.000000000000000001', threshold: '10', low: false }, USDT: { balance: '1000000', threshold: null, low: false } },
      low: false,
    },
    fee_wallet: { address: '0x6666666666666666666666666666666666666666', balances: { ETH: '0.5' }, levels: { ETH: { balance: '0.5', threshold: '1', low: true } }, low: true },
    deposits_confirming: 3,
    transactions_in_flight: 1,
    sweeps_in_flight: 0,
    open_alerts: 1,
    ...over,
  };
}

export function alert(over: Partial<AlertView> = {}): AlertView {
  return { id: 1, kind: 'hot_wallet_low', key: 'hot_wallet_low:evm:1:ETH', message: 'hot wallet ETH below 20', count: 3, created_at: t0, updated_at: t0, resolved_at: null, ...over };
}

export function merchant(over: Partial<MerchantView> = {}): MerchantView {
  return {
    id: 1,
    app_id: 'shop1',
    name: 'Shop One',
    rsa_wallet_pub: 'MIIBIjANBgkqh',
    merchant_public_key: 'MIIBIjANBgkqm',
    notify_url: 'https://shop1.example/notify',
    confirm_url: null,
    ip_allowlist: ['203.0.113.0/24'],
    auto_collect: true,
    user_limit: 0,
    active: true,
    callback_profile: 'strings',
    created_at: t0,
    coins: ['ETH'],
    ...over,
  };
}

export function user(over: Partial<UserView> = {}): UserView {
  return {
    uid: 42,
    app_id: 'shop1',
    country: '49',
    mobile: null,
    email: 'user@example.com',
    nickname: 'carol',
    frozen: false,
    at_risk: false,
    created_at: t0,
    balances: [
      { symbol: 'ETH', normal: '99999999999999.999999999999999999', lock: '0' },
      { symbol: 'USDT', normal: '10.5', lock: '2.25' },
    ],
    ...over,
  };
}

/** A notification as GET /notifications/:id answers it: with every delivery attempt. */
export function notificationDetail(over: Partial<NotificationDetailView> = {}): NotificationDetailView {
  return {
    ...notification(),
    attempts_log: [
      { attempt: 1, at_ms: t0 + 1_000, http_status: 500, answer_excerpt: 'upstream down', error: 'HTTP 500', duration_ms: 12 },
      { attempt: 2, at_ms: t0 + 121_000, http_status: null, answer_excerpt: '', error: 'connect ECONNREFUSED', duration_ms: 3 },
    ],
    ...over,
  };
}

export function notification(over: Partial<NotificationView> = {}): NotificationView {
  return {
    id: 5,
    app_id: 'shop1',
    side: 'deposit',
    record_id: 31,
    state: 'failed',
    attempts: 8,
    next_attempt_at: t0,
    last_error: 'HTTP 500 from https://shop1.example/notify',
    waiting: '',
    created_at: t0,
    delivered_at: null,
    payload: { id: '31', amount: '5000.123456', symbol: 'USDT' },
    ...over,
  };
}

export function chainTx(over: Partial<ChainTxView> = {}): ChainTxView {
  return {
    id: 3,
    chain: 'evm:1',
    purpose: 'withdrawal',
    ref_id: 7,
    from: '0x5555555555555555555555555555555555555555',
    to: '0x2222222222222222222222222222222222222222',
    token: '',
    sequence: 4,
    value: '1234000000000000000001',
    hash: '0xfeed',
    state: 'broadcast',
    replaces_id: null,
    block_number: null,
    fee_max: '21000000000000',
    terms: { gas_limit: '21000' },
    fee: '0',
    broadcasts: 1,
    last_error: '',
    broadcast_at: t0,
    created_at: t0,
    updated_at: t0,
    ...over,
  };
}

export function sweep(over: Partial<SweepView> = {}): SweepView {
  return {
    id: 9,
    chain: 'evm:1',
    merchant_id: 1,
    coin_id: 2,
    address: '0x7777777777777777777777777777777777777777',
    amount: '5000123456',
    state: 'failed',
    topup_tx_id: null,
    sweep_tx_id: null,
    attempts: 3,
    last_error: 'insufficient funds for gas',
    created_at: t0,
    updated_at: t0,
    ...over,
  };
}

export function auditEntry(over: Partial<AuditEntryView> = {}): AuditEntryView {
  return {
    id: 1,
    at: t0,
    operator_id: 1,
    operator_name: 'alice',
    roles: ['admin'],
    action: 'POST /withdrawals/:id/approve',
    target: '/withdrawals/7',
    before: null,
    after: { status: 1 },
    outcome: 'done',
    error_code: null,
    source_ip: '127.0.0.1',
    prev_hash: '00',
    hash: 'ab',
    ...over,
  };
}

/** A withdrawal as GET /withdrawals lists it. */
export function withdrawalListItem(over: Partial<WithdrawalListItem> = {}): WithdrawalListItem {
  const { approvals_required: _r, approvals_given: _g, approvals_needed: _n, approved_by: _b, decisions: _d, policy_hits: _p, review_reason, ...record } = withdrawal();
  return { ...record, app_id: 'shop1', merchant_id: 1, review_reason, kyt_reason: '', ...over };
}

/** A withdrawal's timeline with its quorum (one of two approvals given). */
export function withdrawalTimeline(over: Partial<WithdrawalTimeline> = {}): WithdrawalTimeline {
  return {
    withdrawal_id: 7,
    status: 0,
    quorum: { approvals_required: 2, approvals_given: 1, approvals_needed: 1, approved_by: ['bob'] },
    events: [
      { at_ms: t0, kind: 'created', summary: 'requested by the merchant', actor: 'shop1' },
      { at_ms: t0 + 1_000, kind: 'policy', summary: 'sent to review: above auto-approve maximum', detail: { rule: 'auto_approve_max' } },
      { at_ms: t0 + 60_000, kind: 'review', summary: 'approved for the platform', actor: 'bob' },
    ],
    ...over,
  };
}

/** A deposit as GET /deposits lists it. */
export function depositListItem(over: Partial<DepositListItem> = {}): DepositListItem {
  return {
    id: 31,
    uid: 42,
    symbol: 'ETH',
    amount: '0.000000000000000001',
    address_from: '0x3333333333333333333333333333333333333333',
    address_to: '0x4444444444444444444444444444444444444444',
    txid: '0xabc1',
    confirmations: 1,
    status: 0,
    created_at: t0,
    updated_at: t0,
    base_symbol: '',
    contract_address: '',
    email: 'user42@example.com',
    txid_type: '0',
    is_mining: 0,
    app_id: 'shop1',
    merchant_id: 1,
    kyt_reason: '',
    ...over,
  };
}

/** A deposit as GET /deposits/:id shows it. */
export function depositDetail(over: Partial<DepositDetail> = {}): DepositDetail {
  return { ...depositListItem(), tx_index: '0', block_number: 1190, block_hash: '0xb10c', to_collection: false, withdrawal_id: null, sweep_id: null, ...over };
}

export function depositTimeline(over: Partial<DepositTimeline> = {}): DepositTimeline {
  return {
    deposit_id: 31,
    status: 0,
    events: [
      { at_ms: t0, kind: 'created', summary: 'seen on chain in block 1190' },
      { at_ms: t0 + 5_000, kind: 'notification', summary: 'merchant notified: confirming', detail: 'delivered (HTTP 200)' },
    ],
    ...over,
  };
}

export function overviewChain(over: Partial<OverviewChain> = {}): OverviewChain {
  const c = chainStatus();
  return {
    chain: c.chain,
    rpc_url: c.rpc_url,
    node: { ok: true, error: null },
    head: 1200,
    scanned: 1190,
    lag: 10,
    last_scanner_error: null,
    hot_wallet: c.hot_wallet,
    fee_wallet: c.fee_wallet,
    ...over,
  };
}

/** GET /overview over three days: ETH deposits beyond a float's digits, USDT withdrawals, notifications delivered and failed. */
export function overview(over: Partial<OverviewView> = {}): OverviewView {
  const days = ['2026-12-05', '2026-12-06', '2026-12-07'];
  const zero = { count: 0, amount: '0' };
  return {
    at: t0,
    chains: [overviewChain()],
    alerts: { open: 1, latest: [alert()], route: 'GET /alerts', query: {} },
    queues: {
      withdrawals_review: { count: 2, route: 'GET /withdrawals/review', query: {} },
      kyt_deposits: { count: 1, route: 'GET /kyt', query: { side: 'deposit' } },
      kyt_withdrawals: { count: 0, route: 'GET /kyt', query: { side: 'withdrawal' } },
      change_requests_pending: { count: 3, route: 'GET /change-requests', query: { state: 'pending' } },
      notifications_failed: { count: 4, route: 'GET /notifications', query: { state: 'failed' } },
    },
    days,
    volumes: [
      {
        symbol: 'ETH',
        chain: 'evm:1',
        days: [
          { day: days[0]!, deposits: zero, withdrawals: zero },
          { day: days[1]!, deposits: { count: 2, amount: '12345678901234567.000000000000000001' }, withdrawals: { count: 1, amount: '1.5' } },
          { day: days[2]!, deposits: { count: 1, amount: '0.25' }, withdrawals: zero },
        ],
      },
      {
        symbol: 'USDT',
        chain: 'evm:1',
        days: [
          { day: days[0]!, deposits: zero, withdrawals: { count: 3, amount: '700.000001' } },
          { day: days[1]!, deposits: zero, withdrawals: zero },
          { day: days[2]!, deposits: zero, withdrawals: zero },
        ],
      },
    ],
    notifications: days.map((day, i) => ({ day, delivered: 10 + i, failed: i, pending: 0 })),
    ...over,
  };
}
