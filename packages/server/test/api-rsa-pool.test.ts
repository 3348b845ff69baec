import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { open, parsePrivateKey, seal } from '@openwaas/sdk';
import { RsaPool, RsaPoolError } from '../src/keys/rsa-pool.js';

function pemPair(bits = 2048) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  return { pem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), privateKey, publicKey };
}

/** A JSON value whose serialisation is about `bytes` long, with multi-byte characters straddling segments. */
function payloadOf(bytes: number, seed: number) {
  const unit = `ä€😀-${seed}-`;
  const text = unit.repeat(Math.ceil(bytes / Buffer.byteLength(unit))).slice(0, Math.max(1, bytes - 40));
  return { code: '0', msg: 'success', data: { seed, text, list: [1, 2, 3] } };
}

describe('RSA pool', () => {
  let pool: RsaPool;
  const a = pemPair();
  const b = pemPair();
  before(() => {
    pool = new RsaPool({ size: 3 });
  });
  after(() => pool.close());

  it('produces exactly the SDK seal() bytes for payloads from 100 B to 64 KB', async () => {
    const key = parsePrivateKey(a.pem);
    for (const [i, size] of [100, 233, 234, 235, 468, 1_000, 1_873, 1_900, 4_096, 10_000, 32_768, 65_536].entries()) {
      const value = payloadOf(size, i);
      assert.equal(await pool.seal(1, a.pem, value), seal(value, key), `payload of ${size} bytes`);
    }
  });

  it('stays exact under concurrency with several merchants and mixed sizes', async () => {
    const keys = { 1: parsePrivateKey(a.pem), 2: parsePrivateKey(b.pem) } as const;
    const jobs = Array.from({ length: 60 }, (_, i) => {
      const merchant = (i % 2) + 1 as 1 | 2;
      const value = payloadOf([120, 3_000, 20_000][i % 3]!, i);
      return { merchant, value, pem: merchant === 1 ? a.pem : b.pem };
    });
    const sealed = await Promise.all(jobs.map((j) => pool.seal(j.merchant, j.pem, j.value)));
    jobs.forEach((j, i) => assert.equal(sealed[i], seal(j.value, keys[j.merchant])));
  });

  it('picks up a changed key for the same merchant (cache invalidated by PEM)', async () => {
    const c = pemPair();
    const value = payloadOf(5_000, 7);
    const before = await Promise.all([pool.seal(9, a.pem, value), pool.seal(9, a.pem, value), pool.seal(9, a.pem, value)]);
    const after = await Promise.all([pool.seal(9, c.pem, value), pool.seal(9, c.pem, value), pool.seal(9, c.pem, value)]);
    for (const s of before) assert.deepEqual(open(s, a.publicKey), value);
    for (const s of after) assert.deepEqual(open(s, c.publicKey), value);
  });

  it('uses key_bytes − 11 segments for keys smaller than 2048 bits', async () => {
    const small = pemPair(1024);
    const value = payloadOf(3_000, 3);
    assert.equal(await pool.seal(5, small.pem, value), seal(value, parsePrivateKey(small.pem)));
  });

  it('keeps the event loop free while sealing 64 KB payloads', async () => {
    const value = { blob: randomBytes(48 * 1024).toString('base64') };
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    let ticksWhenSealed = -1;
    const sealing = Promise.all([pool.seal(1, a.pem, value), pool.seal(2, b.pem, value)]).then((sealed) => {
      ticksWhenSealed = ticks;
      return sealed;
    });
    // Sealing on the main thread would resolve before any timer ran; in the pool, timers run meanwhile.
    const [first, second] = await sealing;
    clearInterval(timer);
    assert.ok(ticksWhenSealed >= 1, `a timer fired while sealing (${ticksWhenSealed} ticks)`);
    assert.deepEqual(open(first, a.publicKey), value);
    assert.deepEqual(open(second, b.publicKey), value);
  });

  it('rejects a key that does not parse and keeps working', async () => {
    await assert.rejects(pool.seal(11, '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n', { x: 1 }));
    const value = payloadOf(700, 11);
    assert.equal(await pool.seal(1, a.pem, value), seal(value, parsePrivateKey(a.pem)));
  });

  it('refuses undefined and work after close()', async () => {
    await assert.rejects(pool.seal(1, a.pem, undefined), TypeError);
    const closing = new RsaPool({ size: 1 });
    const inFlight = assert.rejects(closing.seal(1, a.pem, payloadOf(60_000, 1)), RsaPoolError);
    await closing.close();
    await inFlight;
    await assert.rejects(closing.seal(1, a.pem, { x: 1 }), RsaPoolError);
  });
});
