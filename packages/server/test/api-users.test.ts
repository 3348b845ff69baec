import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { ErrorCode, WaasError } from '@openwaas/sdk';
import { eachDatabase, startTestService, type TestService } from './support/service.js';
import { rejectsWith } from './support/assertions.js';


eachDatabase('API users (#1 #2 #3 #18)', (kind) => {
  let t: TestService;
  before(async () => {
    t = await startTestService({ kind });
  });
  after(() => t?.close());

  it('#1 createUser registers by phone; info finds it; numbers may arrive as numbers', async () => {
    const { uid } = await t.client.createUser({ country: '86', mobile: '13800138000' });
    assert.ok(Number.isInteger(uid) && uid > 0);
    assert.deepEqual(await t.client.getUserInfo({ country: '86', mobile: '13800138000' }), { uid, nickname: '' });
    assert.deepEqual(await t.client.getUserInfo({ country: '+86', mobile: '13800138000' }), { uid, nickname: '' });
    const numeric = await t.client.call('createUser', { country: 44 as unknown as string, mobile: 7700900123 as unknown as string });
    assert.equal((await t.client.getUserInfo({ country: '44', mobile: '7700900123' })).uid, numeric.uid);
  });

  it('#1 110023 when the number is taken, 110089 when it is not a number, 100004 when missing', async () => {
    await t.client.createUser({ country: '1', mobile: '2025550123' });
    await rejectsWith(t.client.createUser({ country: '1', mobile: '2025550123' }), ErrorCode.MobileRegistered);
    // The same number under another country code is another user.
    await t.client.createUser({ country: '33', mobile: '2025550123' });
    await rejectsWith(t.client.createUser({ country: '86', mobile: '1380-abc' }), ErrorCode.InvalidMobile);
    await rejectsWith(t.client.createUser({ country: '86', mobile: '12' }), ErrorCode.InvalidMobile);
    await rejectsWith(t.client.createUser({ country: '86' } as never), ErrorCode.InvalidParameter, /^mobile/);
    await rejectsWith(t.client.createUser({ country: 'CN', mobile: '13800138001' }), ErrorCode.InvalidParameter, /^country/);
  });

  it('#2 registerEmail accepts emails and virtual account strings up to 100 chars; duplicates fail', async () => {
    const a = await t.client.registerEmail({ email: 'alice@example.com' });
    const b = await t.client.registerEmail({ email: 'player#42' });
    const c = await t.client.registerEmail({ email: 'v'.repeat(100) });
    assert.equal(new Set([a.uid, b.uid, c.uid]).size, 3);
    assert.equal((await t.client.getUserInfo({ email: 'player#42' })).uid, b.uid);
    await rejectsWith(t.client.registerEmail({ email: 'alice@example.com' }), ErrorCode.RegistrationFailed);
    await rejectsWith(t.client.registerEmail({ email: 'v'.repeat(101) }), ErrorCode.InvalidParameter, /^email/);
    await rejectsWith(t.client.registerEmail({ email: '' }), ErrorCode.InvalidParameter, /^email/);
  });

  it('#3 110065 for unknown users, and users of another merchant stay invisible', async () => {
    await rejectsWith(t.client.getUserInfo({ email: 'nobody@example.com' }), ErrorCode.UserNotFound);
    await rejectsWith(t.client.getUserInfo({ country: '86', mobile: '19999999999' }), ErrorCode.UserNotFound);
    await rejectsWith(t.client.getUserInfo({} as never), ErrorCode.InvalidParameter);
    const other = await t.addMerchant();
    await other.client.registerEmail({ email: 'only-other@example.com' });
    await rejectsWith(t.client.getUserInfo({ email: 'only-other@example.com' }), ErrorCode.UserNotFound);
    // The same email may exist under two merchants.
    await t.client.registerEmail({ email: 'only-other@example.com' });
  });

  it('#2 concurrent registrations never pass the user limit', async () => {
    const small = await t.addMerchant({ userLimit: 5 });
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => small.client.registerEmail({ email: `racer-${i}@example.com` })));
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r) => r.status === 'rejected' && r.reason instanceof WaasError && r.reason.code === ErrorCode.RegistrationFailed);
    assert.equal(ok.length, 5);
    assert.equal(refused.length, 15);
    const { count } = await t.ctx.store.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number | string>().as('count'))
      .where('merchant_id', '=', Number(small.merchant.id))
      .executeTakeFirstOrThrow();
    assert.equal(Number(count), 5);
  });

  it('#1/#2 110101 once the merchant reaches its user limit', async () => {
    const small = await t.addMerchant({ userLimit: 2 });
    await small.client.registerEmail({ email: 'one@example.com' });
    await small.client.createUser({ country: '86', mobile: '13700000002' });
    await rejectsWith(small.client.registerEmail({ email: 'three@example.com' }), ErrorCode.RegistrationFailed);
    await rejectsWith(small.client.createUser({ country: '86', mobile: '13700000003' }), ErrorCode.RegistrationFailed);
    assert.equal((await small.client.syncUserList({ max_id: 0 })).length, 2);
  });

  it('#18 syncUserList pages the merchant’s users by uid, ascending, 100 at most', async () => {
    const m = await t.addMerchant();
    const uids: number[] = [];
    for (let i = 0; i < 105; i++) uids.push((await m.client.registerEmail({ email: `user${i}@example.com` })).uid);
    await m.client.createUser({ country: '86', mobile: '13600000000' }).then((r) => uids.push(r.uid));
    const first = await m.client.syncUserList({ max_id: 0 });
    assert.equal(first.length, 100);
    assert.deepEqual(first.map((u) => u.uid), uids.slice(0, 100));
    assert.deepEqual(Object.keys(first[0]!).sort(), ['country', 'created_at', 'email', 'mobile', 'nickname', 'uid']);
    assert.equal(first[0]!.email, 'user0@example.com');
    assert.equal(first[0]!.mobile, '');
    assert.equal(typeof first[0]!.created_at, 'number');
    const second = await m.client.syncUserList({ max_id: String(first[99]!.uid) });
    assert.deepEqual(second.map((u) => u.uid), uids.slice(100));
    const phone = second.at(-1)!;
    assert.deepEqual([phone.country, phone.mobile, phone.email], ['86', '13600000000', '']);
    assert.deepEqual(await m.client.syncUserList({ max_id: uids.at(-1)! }), []);
    // max_id may be omitted (→ 0).
    assert.equal((await m.client.call('syncUserList', {} as never)).length, 100);
  });
});
