import { strict as assert } from 'node:assert';
import { after, before, it } from 'node:test';
import { ErrorCode, WaasError } from '@openwaas/sdk';
import { createMerchantBody } from '../src/contracts/operator.js';
import { appIdLengthMax, withdrawAddressLengthMax } from '../src/limits.js';
import { eachDatabase, startTestService, type TestService } from './support/service.js';

/** The code a client call failed with. */
async function codeOf(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return ErrorCode.Success;
  } catch (error) {
    if (error instanceof WaasError) return error.code;
    throw error;
  }
}

eachDatabase('settled request bounds', (kind) => {
  let t: TestService;
  before(async () => {
    t = await startTestService({ kind });
  });
  after(() => t.close());

  it(`an app_id of ${appIdLengthMax} characters is served; one longer is refused before any lookup (plain 100015)`, async () => {
    const longest = await t.addMerchant({ appId: 'a'.repeat(appIdLengthMax) });
    assert.ok(Array.isArray(await longest.client.getCoinList()));

    // Even a merchant that exists under a longer app_id (written directly, not through the operator API) is never looked up.
    const tooLong = await t.addMerchant({ appId: 'b'.repeat(appIdLengthMax + 1) });
    const res = await t.raw({ path: '/user/getCoinList', form: { app_id: tooLong.appId, data: t.sealRequest({}, tooLong) } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json?.['code'], ErrorCode.InvalidAppId, res.text);
  });

  it(`the operator API creates no merchant whose app_id the merchant API would refuse (≤ ${appIdLengthMax})`, () => {
    assert.equal(createMerchantBody.safeParse({ name: 'm', app_id: 'c'.repeat(appIdLengthMax) }).success, true);
    assert.equal(createMerchantBody.safeParse({ name: 'm', app_id: 'c'.repeat(appIdLengthMax + 1) }).success, false);
  });

  it(`a withdrawal destination of ${withdrawAddressLengthMax} characters reaches the address check (110055); one longer is 100004`, async () => {
    const { uid } = await t.client.createUser({ country: '86', mobile: '13900000001' });
    const base = { from_uid: uid, amount: '1', symbol: 'ETH' };
    assert.equal(await codeOf(t.client.withdraw({ ...base, request_id: 'bound-1', to_address: '0x' + 'a'.repeat(withdrawAddressLengthMax - 2) })), ErrorCode.InvalidAddress);
    await assert.rejects(
      t.client.withdraw({ ...base, request_id: 'bound-2', to_address: '0x' + 'a'.repeat(withdrawAddressLengthMax - 1) }),
      (e: unknown) => e instanceof WaasError && e.code === ErrorCode.InvalidParameter && /to_address/.test(e.msg),
    );
  });
});
