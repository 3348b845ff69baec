import { requestTransfer, transferRemarkLengthMax, type TransferRequestInput } from '../../modules/transfers/index.js';
import { identifierField, requestIdField, stringField, symbolField } from '../fields.js';
import type { Handler } from '../handler.js';
import { appIdLengthMax } from '../../limits.js';
import { amountField } from './withdraw.js';

/** Checks the fields of #15; each failure is 100004 naming the field. */
export function parseTransferFields(fields: Record<string, unknown>): TransferRequestInput {
  const requestId = requestIdField(fields);
  const symbol = symbolField(fields);
  const amount = amountField(fields);
  const to = identifierField(fields, 'to', { max: appIdLengthMax });
  const remark = stringField(fields, 'remark', { max: transferRemarkLengthMax, optional: true }) ?? '';
  return { requestId, symbol, amount, to, remark };
}

/** #15 `/account/transfer`: answers `{receipt}`. */
export const transferHandler: Handler<'transfer'> = async (ctx, call) => {
  const t = await requestTransfer(ctx, call.merchant, parseTransferFields(call.fields));
  return { receipt: t.receipt };
};
