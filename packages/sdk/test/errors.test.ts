import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { ErrorCode, errorEntries, errorMessages, errorRegistry, WaasError } from '../src/index.js';

test('the registry keeps every code it ever had, under the same name (a code is never removed or reused)', () => {
  // Add new codes at the end of this list; retire one by setting `retired`, never by deleting it.
  const everyCode = {
    Success: '0', SystemError: '100001', InvalidParameter: '100004', DecryptFailed: '100005', IllegalIp: '100007',
    InvalidAppId: '100015', MerchantExpired: '100016', UserFrozen: '110004', MobileRegistered: '110023', AddressAtRisk: '110037',
    InvalidAddress: '110055', UserNotFound: '110065', AmountBelowMin: '110078', AmountAboveMax: '110087', DuplicateRequest: '110088',
    InvalidMobile: '110089', RegistrationFailed: '110101', TooPrecise: '110161', CurrencyNotSupported: '120202', ConfirmationFailed: '120206',
    InsufficientBalance: '120402', InsufficientFeeBalance: '120403', AmountNotAboveFee: '120404', UserAtRisk: '900006', TransferToSelf: '3040006',
  };
  assert.deepEqual({ ...ErrorCode }, everyCode);
});

test('every coded answer is HTTP 200, sealed or plain; only a failure before the request was read is not', () => {
  for (const [name, e] of Object.entries(errorRegistry)) {
    assert.equal(e.httpStatus, 200, name);
    const plain = (e as { plainHttpStatus?: number }).plainHttpStatus;
    if (plain !== undefined) assert.equal(plain, name === 'SystemError' ? 500 : 200, name);
  }
});

test('WaasError takes its default message from the registry', () => {
  const error = new WaasError(ErrorCode.DuplicateRequest);
  assert.equal(error.msg, errorMessages[ErrorCode.DuplicateRequest]);
  assert.equal(error.msg, errorEntries[ErrorCode.DuplicateRequest].message);
  assert.equal(new WaasError('777').msg, 'unknown error');
});
