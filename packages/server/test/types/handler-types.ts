/**
 * Type-level test, compiled by `npm run typecheck` (never run): each API handler's result is
 * the SDK's response type of its endpoint, so a handler that drops or renames a field of its
 * response, or returns another endpoint's shape, does not compile. Every `@ts-expect-error`
 * below must meet an error, or the typecheck fails.
 */
import type { Handler, HandlerTable } from '../../src/api/handler.js';
import { handlers } from '../../src/api/handlers/index.js';

// The real table satisfies the typed table.
export const table: HandlerTable = handlers;

// A correct handler compiles.
export const balanceOk: Handler<'getByUidAndSymbol'> = async () => ({ normal_balance: '1', lock_balance: '0', deposit_address: '' });

// @ts-expect-error a dropped field (deposit_address) fails.
export const balanceDropped: Handler<'getByUidAndSymbol'> = async () => ({ normal_balance: '1', lock_balance: '0' });

// @ts-expect-error a renamed field (lockBalance for lock_balance) fails.
export const balanceRenamed: Handler<'getByUidAndSymbol'> = async () => ({ normal_balance: '1', lockBalance: '0', deposit_address: '' });

// @ts-expect-error a field of the wrong type (uid as a string) fails.
export const uidAsString: Handler<'createUser'> = async () => ({ uid: '7' });

// @ts-expect-error a list endpoint answering one record fails.
export const notAList: Handler<'syncUserList'> = async () => ({ uid: 1, nickname: '', mobile: '', country: '', email: '', created_at: 0 });

// @ts-expect-error a record missing a field (receipt) in a list fails.
export const transferRecordDropped: Handler<'syncTransferList'> = async () => [{ id: 1, symbol: 'ETH', amount: '1', from: 'a', to: 'b', created_at: 0, request_id: 'r', remark: '' }];

// @ts-expect-error another endpoint's handler in the table fails (getUserInfo answers {uid, nickname}, not a coin list).
export const swapped: HandlerTable = { ...handlers, getCoinList: handlers.getUserInfo };

// @ts-expect-error a table missing an endpoint fails.
export const missing: HandlerTable = { ...handlers, withdraw: undefined };
