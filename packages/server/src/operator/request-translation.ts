/** Request bodies of the operator contract translated to the actions' settings (routes and approved change requests). */
import type { OperatorRequest } from '../contracts/operator.js';

export function merchantSettingsOf(b: OperatorRequest<'PATCH /merchants/:appId'>['body']) {
  return {
    ...(b.name !== undefined ? { name: b.name } : {}),
    ...(b.merchant_public_key !== undefined ? { merchantPublicKey: b.merchant_public_key } : {}),
    ...(b.notify_url !== undefined ? { notifyUrl: b.notify_url === '' ? null : b.notify_url } : {}),
    ...(b.confirm_url !== undefined ? { confirmUrl: b.confirm_url === '' ? null : b.confirm_url } : {}),
    ...(b.ip_allowlist !== undefined ? { ipAllowlist: b.ip_allowlist } : {}),
    ...(b.auto_collect !== undefined ? { autoCollect: b.auto_collect } : {}),
    ...(b.user_limit !== undefined ? { userLimit: b.user_limit } : {}),
    ...(b.active !== undefined ? { active: b.active } : {}),
    ...(b.callback_profile !== undefined ? { callbackProfile: b.callback_profile } : {}),
  };
}

const coinFieldNames = {
  name: 'name', chain: 'chain', base_symbol: 'baseSymbol', contract_address: 'contractAddress', decimals: 'decimals',
  confirmations: 'confirmations', min_withdraw: 'minWithdraw', max_withdraw: 'maxWithdraw', withdraw_fee: 'withdrawFee',
  withdraw_fee_symbol: 'withdrawFeeSymbol', auto_approve_max: 'autoApproveMax', daily_limit: 'dailyLimit',
  min_deposit: 'minDeposit', icon: 'icon', explorer: 'explorer', address_explorer: 'addressExplorer', enabled: 'enabled',
} as const;

const merchantFieldNames = {
  name: 'name', merchant_public_key: 'merchantPublicKey', notify_url: 'notifyUrl', confirm_url: 'confirmUrl',
  ip_allowlist: 'ipAllowlist', auto_collect: 'autoCollect', user_limit: 'userLimit', active: 'active',
  callback_profile: 'callbackProfile',
} as const;

/** Settings given by name (the CLI's) as a request body of the contract (a change request stores the body). */
function bodyOf(names: Record<string, string>, settings: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [wire, key] of Object.entries(names)) if (settings[key] !== undefined) out[wire] = settings[key];
  return out;
}

export const coinBodyOf = (settings: object) => bodyOf(coinFieldNames, settings as Record<string, unknown>);
export const merchantBodyOf = (settings: object) => bodyOf(merchantFieldNames, settings as Record<string, unknown>);

export function coinSettingsOf(b: Partial<OperatorRequest<'PUT /coins/:symbol'>['body']>) {
  const map = coinFieldNames;
  const out: Record<string, unknown> = {};
  for (const [wire, key] of Object.entries(map)) {
    const v = (b as Record<string, unknown>)[wire];
    if (v !== undefined) out[key] = v;
  }
  return out;
}
