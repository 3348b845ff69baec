import { execFileSync } from 'node:child_process';
import {
  constants,
  createPublicKey,
  generateKeyPair,
  generateKeyPairSync,
  privateEncrypt,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { promisify } from 'node:util';
import {
  decodeBase64Url,
  decryptSegments,
  defaultSegmentBytes,
  encodeBase64Url,
  encryptSegments,
  keyBytes,
  maxSegmentBytes,
  open,
  openText,
  parsePrivateKey,
  parsePublicKey,
  seal,
  sealText,
} from '../src/envelope/index.js';
import { EnvelopeError, KeyParseError, type EnvelopeErrorReason } from '../src/errors/index.js';

// ---------------------------------------------------------------------------------------------
// Fixtures and helpers
// ---------------------------------------------------------------------------------------------

interface DemoKeys {
  third_private_key: string;
  third_public_key: string;
  wallet_public_key: string;
  app_id: string;
}
interface Vector {
  ciphertext: string;
  decrypt_with: 'third_public_key' | 'wallet_public_key';
  plaintext: string;
}

const fixtures = new URL('./fixtures/', import.meta.url);
const demoKeys = JSON.parse(readFileSync(new URL('demo-keys.json', fixtures), 'utf8')) as DemoKeys;
const vectors = (JSON.parse(readFileSync(new URL('seed-examples.json', fixtures), 'utf8')) as { vectors: Vector[] }).vectors;

const generateKeyPairAsync = promisify(generateKeyPair);

interface Pair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** Key pairs by modulus size, generated once for the whole file (4096-bit generation is slow). */
const pairs = new Map<number, Pair>();
const keySizesBits = [1024, 2048, 3072, 4096] as const;

function pair(bits: number): Pair {
  const found = pairs.get(bits);
  assert.ok(found, `no ${bits}-bit pair generated`);
  return found;
}

/** A second 2048-bit pair, for wrong-key tests. */
let otherPair: Pair;

before(async () => {
  const generated = await Promise.all(
    keySizesBits.map((bits) => generateKeyPairAsync('rsa', { modulusLength: bits })),
  );
  keySizesBits.forEach((bits, i) => pairs.set(bits, generated[i]!));
  otherPair = await generateKeyPairAsync('rsa', { modulusLength: 2048 });
});

/** mulberry32: a small seeded generator, so a failing random case can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Characters of 1 to 4 UTF-8 bytes, including JSON escapes, CJK and emoji (surrogate pairs). */
const charPool = ['a', 'Z', '7', ' ', '"', '\\', '\n', 'é', 'ß', 'Ж', '中', '文', '钱', '包', '€', '😀', '🚀', '💰', '𠜎'];

/**
 * A JSON text of exactly `size` UTF-8 bytes full of multi-byte characters (sizes 0 and 1 are
 * "" and "7": there is no JSON that short otherwise).
 */
function jsonOfBytes(size: number, random: () => number): string {
  if (size === 0) return '';
  if (size === 1) return '7';
  const prefix = size >= 12 ? '{"memo":' : '';
  const suffix = size >= 12 ? '}' : '';
  let budget = size - Buffer.byteLength(prefix + suffix) - 2; // the two quotes of the string
  let body = '';
  for (let guard = 0; budget > 0 && guard < size * 4; guard++) {
    const ch = charPool[Math.floor(random() * charPool.length)]!;
    const cost = Buffer.byteLength(JSON.stringify(ch)) - 2;
    if (cost > budget) continue;
    body += ch;
    budget -= cost;
  }
  body += 'x'.repeat(budget); // only when the guard ran out
  const text = prefix + JSON.stringify(body) + suffix;
  assert.equal(Buffer.byteLength(text), size);
  return text;
}

function assertEnvelopeError(fn: () => unknown, reason: EnvelopeErrorReason): EnvelopeError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof EnvelopeError, `expected EnvelopeError(${reason}), got ${String(caught)}`);
  assert.equal(caught.reason, reason, caught.message);
  return caught;
}

function assertKeyParseError(fn: () => unknown, which: string, why: RegExp): KeyParseError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof KeyParseError, `expected KeyParseError, got ${String(caught)}`);
  assert.equal(caught.which, which);
  assert.ok(caught.message.includes(which), `message names the key: ${caught.message}`);
  assert.match(caught.message, why);
  return caught;
}

/** One raw PKCS#1 v1.5 type-1 block of arbitrary bytes. */
function block(bytes: Uint8Array, privateKey: KeyObject): Buffer {
  return privateEncrypt({ key: privateKey, padding: constants.RSA_PKCS1_PADDING }, bytes);
}

// ---------------------------------------------------------------------------------------------
// Vendor vectors
// ---------------------------------------------------------------------------------------------

describe('vendor vectors (seed-examples.json)', () => {
  const thirdPrivate = parsePrivateKey(demoKeys.third_private_key, 'third_private_key');
  const publics = {
    third_public_key: parsePublicKey(demoKeys.third_public_key, 'third_public_key'),
    wallet_public_key: parsePublicKey(demoKeys.wallet_public_key, 'wallet_public_key'),
  };

  test('the fixture holds vectors of both keys, one with spaces in its ciphertext', () => {
    assert.ok(vectors.length >= 8);
    assert.ok(vectors.some((v) => v.decrypt_with === 'third_public_key'));
    assert.ok(vectors.some((v) => v.decrypt_with === 'wallet_public_key'));
    assert.ok(vectors.some((v) => /\s/.test(v.ciphertext)));
  });

  vectors.forEach((vector, i) => {
    test(`vector ${i + 1} decrypts with ${vector.decrypt_with} to its exact plaintext`, () => {
      const text = openText(vector.ciphertext, publics[vector.decrypt_with]);
      assert.equal(text, vector.plaintext);
      assert.deepEqual(open(vector.ciphertext, publics[vector.decrypt_with]), JSON.parse(vector.plaintext));
    });

    if (vector.decrypt_with === 'third_public_key') {
      test(`vector ${i + 1}: sealText with third_private_key reproduces the ciphertext byte for byte`, () => {
        assert.equal(sealText(vector.plaintext, thirdPrivate), vector.ciphertext.replace(/\s+/g, ''));
      });
    }
  });

  test('the demo public key is the public half of the demo private key', () => {
    const derived = createPublicKey(thirdPrivate).export({ format: 'der', type: 'spki' }).toString('base64');
    assert.equal(derived, demoKeys.third_public_key);
  });
});

// ---------------------------------------------------------------------------------------------
// Interop with openssl
// ---------------------------------------------------------------------------------------------

describe('interop with the openssl command line', () => {
  let dir: string;
  let prvPem: string;
  let pubPem: string;
  let keys: Pair;
  // Multi-byte UTF-8, several blocks, with characters straddling the segment boundaries.
  const payload = JSON.stringify({
    memo: '钱包'.repeat(50) + '🚀💰'.repeat(40) + 'Grüße, ' + 'ß€'.repeat(30),
    amount: '1234.5678',
    symbol: 'USDT',
  });

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'openwaas-envelope-'));
    keys = pair(2048);
    prvPem = join(dir, 'prv.pem');
    pubPem = join(dir, 'pub.pem');
    writeFileSync(prvPem, keys.privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
    writeFileSync(pubPem, keys.publicKey.export({ format: 'pem', type: 'spki' }));
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  test('the payload spans several blocks', () => {
    assert.ok(Buffer.byteLength(payload) > 3 * defaultSegmentBytes);
  });

  test('our blocks decrypt with openssl pkeyutl -verifyrecover to the original bytes', () => {
    const envelope = sealText(payload, keys.privateKey);
    const cipher = decodeBase64Url(envelope);
    assert.equal(cipher.byteLength % 256, 0);
    const plain = Buffer.from(payload, 'utf8');
    const recovered: Buffer[] = [];
    for (let offset = 0, i = 0; offset < cipher.byteLength; offset += 256, i++) {
      const file = join(dir, `ours-${i}.bin`);
      writeFileSync(file, cipher.subarray(offset, offset + 256));
      const out = execFileSync(
        'openssl',
        ['pkeyutl', '-verifyrecover', '-pubin', '-inkey', pubPem, '-pkeyopt', 'rsa_padding_mode:pkcs1', '-in', file],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      assert.deepEqual(out, plain.subarray(i * defaultSegmentBytes, (i + 1) * defaultSegmentBytes), `block ${i}`);
      recovered.push(out);
    }
    assert.equal(Buffer.concat(recovered).toString('utf8'), payload);
  });

  /** Private-encrypts each segment with openssl (`args` before `-in`); returns the joined envelope. */
  function opensslSeal(plain: Buffer, segmentBytes: number, args: string[], tag: string): string {
    const blocks: Buffer[] = [];
    for (let offset = 0, i = 0; offset < plain.byteLength; offset += segmentBytes, i++) {
      const file = join(dir, `${tag}-${i}.bin`);
      writeFileSync(file, plain.subarray(offset, offset + segmentBytes));
      const out = execFileSync('openssl', [...args, '-in', file], { stdio: ['ignore', 'pipe', 'pipe'] });
      assert.equal(out.byteLength, 256, `${tag} block ${i}`);
      blocks.push(out);
    }
    return encodeBase64Url(Buffer.concat(blocks));
  }

  test('openssl pkeyutl -sign segments (raw, no digest), joined and base64url-encoded, open with openText', () => {
    // Without -digest and -rawin, pkeyutl private-encrypts the input bytes as they are (no
    // DigestInfo), but OpenSSL 3 refuses inputs longer than a hash (64 bytes): use 64-byte
    // segments, which a receiver must accept like any size ≤ key_bytes − 11.
    const plain = Buffer.from(payload, 'utf8');
    const args = ['pkeyutl', '-sign', '-inkey', prvPem, '-pkeyopt', 'rsa_padding_mode:pkcs1'];
    const envelope = opensslSeal(plain, 64, args, 'pkeyutl');
    assert.equal(openText(envelope, keys.publicKey), payload);
    // Type-1 padding is deterministic: openssl and Node produce the same blocks.
    assert.equal(envelope, sealText(payload, keys.privateKey, { segmentBytes: 64 }));
  });

  test('openssl rsautl -sign segments of 234 bytes open with openText', () => {
    const plain = Buffer.from(payload, 'utf8');
    const envelope = opensslSeal(plain, defaultSegmentBytes, ['rsautl', '-sign', '-inkey', prvPem], 'rsautl');
    assert.equal(openText(envelope, keys.publicKey), payload);
    assert.equal(envelope, sealText(payload, keys.privateKey));
  });
});

// ---------------------------------------------------------------------------------------------
// Round trips
// ---------------------------------------------------------------------------------------------

describe('round trips of random JSON payloads', () => {
  const fixedSizes = [0, 1, 2, 233, 234, 235, 245, 246, 467, 468, 469];

  test('the generator gives exact sizes with multi-byte characters', () => {
    const random = rng(1);
    for (const size of [0, 1, 2, 3, 11, 12, 13, 233, 234, 235, 4000]) {
      assert.equal(Buffer.byteLength(jsonOfBytes(size, random)), size);
    }
    const big = jsonOfBytes(4000, random);
    assert.ok(big.length < 3000, 'mostly multi-byte characters');
    JSON.parse(big);
  });

  test('RSA-2048: sizes 0…64 KB, segments 234 (default), 214 and 245', () => {
    const { privateKey, publicKey } = pair(2048);
    const seed = 2048;
    const random = rng(seed);
    const randomSizes = Array.from({ length: 8 }, () => Math.floor(random() * 8192));
    const sizes = [...fixedSizes, ...randomSizes, 16_384, 40_000, 65_536];
    for (const segmentBytes of [undefined, 214, 245]) {
      for (const size of sizes) {
        const text = jsonOfBytes(size, random);
        const envelope = sealText(text, privateKey, segmentBytes === undefined ? {} : { segmentBytes });
        const segment = segmentBytes ?? defaultSegmentBytes;
        assert.equal(decodeBase64Url(envelope).byteLength, Math.ceil(size / segment) * 256, `size ${size}`);
        assert.doesNotMatch(envelope, /[=+/]/);
        assert.equal(openText(envelope, publicKey), text, `seed ${seed}, size ${size}, segment ${segment}`);
        if (size >= 2) assert.deepEqual(open(envelope, publicKey), JSON.parse(text));
      }
    }
  });

  for (const bits of [1024, 3072, 4096]) {
    test(`RSA-${bits}: default segment is min(234, key_bytes − 11); 214 and 245 where they fit`, () => {
      const { privateKey, publicKey } = pair(bits);
      const bytes = bits / 8;
      assert.equal(keyBytes(privateKey), bytes);
      assert.equal(maxSegmentBytes(privateKey), bytes - 11);
      const random = rng(bits);
      // Large keys are slow to sign with: sizes up to 4 KB here, 64 KB with RSA-2048 above.
      const sizes = [...fixedSizes, 117, 118, 1000, Math.floor(random() * 4096), 4096];
      const segmentSizes = [undefined, 214, 245, bytes - 11].filter((s) => s === undefined || s <= bytes - 11);
      for (const segmentBytes of segmentSizes) {
        const segment = segmentBytes ?? Math.min(defaultSegmentBytes, bytes - 11);
        for (const size of sizes) {
          const text = jsonOfBytes(size, random);
          const envelope = sealText(text, privateKey, segmentBytes === undefined ? {} : { segmentBytes });
          assert.equal(decodeBase64Url(envelope).byteLength, Math.ceil(size / segment) * bytes, `size ${size}`);
          assert.equal(openText(envelope, publicKey), text, `seed ${bits}, size ${size}, segment ${segment}`);
        }
      }
      if (bytes - 11 < 214) {
        assertEnvelopeError(() => sealText('{}', privateKey, { segmentBytes: 214 }), 'too-large-segment');
      }
    });
  }

  test('decrypt accepts any segment size ≤ key_bytes − 11, even mixed within one envelope', () => {
    const { privateKey, publicKey } = pair(2048);
    const text = jsonOfBytes(3000, rng(7));
    for (const segmentBytes of [1, 2, 3, 100, 117, 200, 214, 234, 244, 245]) {
      // Tiny segments make one block per byte or two: a short text keeps them quick.
      const sample = segmentBytes < 100 ? jsonOfBytes(300, rng(segmentBytes)) : text;
      assert.equal(openText(sealText(sample, privateKey, { segmentBytes }), publicKey), sample, `segment ${segmentBytes}`);
    }
    // Blocks of different plaintext lengths, one cut inside a 4-byte emoji.
    const bytes = Buffer.from(text, 'utf8');
    const cuts = [0, 5, 250, 251, 400, 645];
    for (let end = 845; end < bytes.byteLength; end += 200) cuts.push(end);
    cuts.push(bytes.byteLength);
    const blocks = cuts.slice(1).map((end, i) => block(bytes.subarray(cuts[i]!, end), privateKey));
    assert.equal(openText(encodeBase64Url(Buffer.concat(blocks)), publicKey), text);
  });

  test('a multi-byte character straddling two blocks is joined before decoding', () => {
    const { privateKey, publicKey } = pair(2048);
    // 232 ASCII bytes, then a 4-byte emoji: bytes 233–236 cross the 234-byte boundary.
    const text = JSON.stringify('a'.repeat(231) + '😀' + '中'.repeat(100));
    assert.equal(openText(sealText(text, privateKey), publicKey), text);
  });

  test('segment sizes out of range are refused', () => {
    const { privateKey } = pair(2048);
    for (const segmentBytes of [0, -1, 1.5, 246, 256, Number.NaN]) {
      assertEnvelopeError(() => sealText('{"a":1}', privateKey, { segmentBytes }), 'too-large-segment');
    }
  });

  test('seal/open round trip of a JSON value; encryptSegments/decryptSegments of raw bytes', () => {
    const { privateKey, publicKey } = pair(2048);
    const value = { uid: 12345, symbol: 'ETH', memo: '你好 🌏', nested: { list: [1, 'two', null, true] } };
    assert.deepEqual(open(seal(value, privateKey), publicKey), value);
    const raw = randomBytes(1000);
    assert.deepEqual(decryptSegments(encryptSegments(raw, privateKey), publicKey), raw);
  });
});

// ---------------------------------------------------------------------------------------------
// Key parsing
// ---------------------------------------------------------------------------------------------

describe('key parsing', () => {
  const spkiBase64 = (key: KeyObject) =>
    (key.type === 'public' ? key : createPublicKey(key)).export({ format: 'der', type: 'spki' }).toString('base64');
  const bareBase64 = (pem: string) => pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');

  test('private keys: PEM PKCS#8 and PKCS#1, bare base64 DER in both, DER bytes, base64url, CRLF', () => {
    const { privateKey } = pair(2048);
    const pkcs8Pem = privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    const pkcs1Pem = privateKey.export({ format: 'pem', type: 'pkcs1' }) as string;
    assert.match(pkcs1Pem, /BEGIN RSA PRIVATE KEY/);
    const pkcs8Der = privateKey.export({ format: 'der', type: 'pkcs8' });
    const pkcs1Der = privateKey.export({ format: 'der', type: 'pkcs1' });
    const inputs = {
      pkcs8Pem,
      pkcs1Pem,
      pkcs8PemCrlf: pkcs8Pem.replace(/\n/g, '\r\n'),
      pkcs8PemIndented: `\n   ${pkcs8Pem}  \n`,
      pkcs8Base64: pkcs8Der.toString('base64'),
      pkcs1Base64: pkcs1Der.toString('base64'),
      pkcs8Base64Wrapped: bareBase64(pkcs8Pem).replace(/(.{64})/g, '$1\n'),
      pkcs8Base64Url: pkcs8Der.toString('base64url'),
      pkcs8DerBytes: pkcs8Der,
      pkcs1DerBytes: pkcs1Der,
      keyObject: privateKey,
    };
    const expected = spkiBase64(privateKey);
    for (const [name, input] of Object.entries(inputs)) {
      const parsed = parsePrivateKey(input, name);
      assert.equal(parsed.type, 'private', name);
      assert.equal(parsed.asymmetricKeyType, 'rsa', name);
      assert.equal(spkiBase64(parsed), expected, name);
    }
    // The vendor's demo key, bare base64 PKCS#8.
    assert.equal(parsePrivateKey(demoKeys.third_private_key).type, 'private');
  });

  test('public keys: SPKI PEM and DER, PKCS#1 PEM and DER, a private key gives its public half', () => {
    const { privateKey, publicKey } = pair(2048);
    const spkiPem = publicKey.export({ format: 'pem', type: 'spki' }) as string;
    const pkcs1Pem = publicKey.export({ format: 'pem', type: 'pkcs1' }) as string;
    assert.match(pkcs1Pem, /BEGIN RSA PUBLIC KEY/);
    const inputs = {
      spkiPem,
      spkiBase64: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
      spkiDerBytes: publicKey.export({ format: 'der', type: 'spki' }),
      pkcs1Pem,
      pkcs1Base64: publicKey.export({ format: 'der', type: 'pkcs1' }).toString('base64'),
      spkiPemCrlf: spkiPem.replace(/\n/g, '\r\n'),
      privatePem: privateKey.export({ format: 'pem', type: 'pkcs8' }) as string,
      privatePkcs1Base64: privateKey.export({ format: 'der', type: 'pkcs1' }).toString('base64'),
      publicKeyObject: publicKey,
      privateKeyObject: privateKey,
    };
    const expected = spkiBase64(publicKey);
    for (const [name, input] of Object.entries(inputs)) {
      const parsed = parsePublicKey(input, name);
      assert.equal(parsed.type, 'public', name);
      assert.equal(spkiBase64(parsed), expected, name);
    }
    // A parsed key works for the envelope.
    const parsedPublic = parsePublicKey(pkcs1Pem);
    const parsedPrivate = parsePrivateKey(privateKey.export({ format: 'pem', type: 'pkcs1' }) as string);
    assert.equal(openText(sealText('{"ok":true}', parsedPrivate), parsedPublic), '{"ok":true}');
  });

  test('errors name the key and say why: garbage, empty', () => {
    assertKeyParseError(() => parsePrivateKey('hello, this is not a key!', 'privateKey'), 'privateKey', /neither PEM nor base64/);
    assertKeyParseError(() => parsePrivateKey('', 'privateKey'), 'privateKey', /empty/);
    assertKeyParseError(() => parsePrivateKey('  \n\t ', 'privateKey'), 'privateKey', /empty/);
    assertKeyParseError(() => parsePrivateKey('QUJDREVGRw==', 'privateKey'), 'privateKey', /neither PKCS#8 nor PKCS#1/);
    assertKeyParseError(() => parsePrivateKey(randomBytes(300), 'privateKey'), 'privateKey', /neither PKCS#8 nor PKCS#1/);
    assertKeyParseError(() => parsePublicKey('not a key: see the docs!', 'walletPublicKey'), 'walletPublicKey', /neither PEM nor base64/);
    assertKeyParseError(() => parsePublicKey('', 'walletPublicKey'), 'walletPublicKey', /empty/);
    assertKeyParseError(() => parsePublicKey('QUJDREVGRw', 'walletPublicKey'), 'walletPublicKey', /neither SPKI nor PKCS#1/);
    const broken = '-----BEGIN PRIVATE KEY-----\nQUJDREVG\n-----END PRIVATE KEY-----\n';
    assertKeyParseError(() => parsePrivateKey(broken, 'privateKey'), 'privateKey', /PEM \(PRIVATE KEY\) does not decode/);
    const brokenPublic = '-----BEGIN PUBLIC KEY-----\nQUJDREVG\n-----END PUBLIC KEY-----\n';
    assertKeyParseError(() => parsePublicKey(brokenPublic, 'walletPublicKey'), 'walletPublicKey', /does not decode/);
  });

  test('errors: a public key given as private (PEM, base64 DER, KeyObject)', () => {
    const { publicKey } = pair(2048);
    const why = /public key.*a private key is needed/;
    assertKeyParseError(() => parsePrivateKey(publicKey.export({ format: 'pem', type: 'spki' }) as string, 'privateKey'), 'privateKey', why);
    assertKeyParseError(() => parsePrivateKey(publicKey.export({ format: 'pem', type: 'pkcs1' }) as string, 'privateKey'), 'privateKey', why);
    assertKeyParseError(() => parsePrivateKey(demoKeys.third_public_key, 'privateKey'), 'privateKey', why);
    assertKeyParseError(() => parsePrivateKey(publicKey, 'privateKey'), 'privateKey', why);
  });

  test('errors: an EC key', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const why = /ec key, not RSA/;
    assertKeyParseError(() => parsePrivateKey(ec.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string, 'privateKey'), 'privateKey', why);
    assertKeyParseError(() => parsePrivateKey(ec.privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'), 'privateKey'), 'privateKey', why);
    assertKeyParseError(() => parsePrivateKey(ec.privateKey, 'privateKey'), 'privateKey', why);
    assertKeyParseError(() => parsePublicKey(ec.publicKey.export({ format: 'pem', type: 'spki' }) as string, 'walletPublicKey'), 'walletPublicKey', why);
    assertKeyParseError(() => parsePublicKey(ec.publicKey.export({ format: 'der', type: 'spki' }).toString('base64'), 'walletPublicKey'), 'walletPublicKey', why);
    // "EC PRIVATE KEY" (SEC1) PEM
    assertKeyParseError(() => parsePrivateKey(ec.privateKey.export({ format: 'pem', type: 'sec1' }) as string, 'privateKey'), 'privateKey', why);
  });

  test('errors: a passphrase-encrypted PEM (PKCS#8 and legacy PKCS#1)', () => {
    const { privateKey } = pair(2048);
    const pkcs8 = privateKey.export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'secret' }) as string;
    assert.match(pkcs8, /ENCRYPTED PRIVATE KEY/);
    assertKeyParseError(() => parsePrivateKey(pkcs8, 'privateKey'), 'privateKey', /passphrase/);
    const pkcs1 = privateKey.export({ format: 'pem', type: 'pkcs1', cipher: 'aes-256-cbc', passphrase: 'secret' }) as string;
    assert.match(pkcs1, /Proc-Type: 4,ENCRYPTED/);
    assertKeyParseError(() => parsePrivateKey(pkcs1, 'privateKey'), 'privateKey', /passphrase/i);
  });
});

// ---------------------------------------------------------------------------------------------
// Garbage in
// ---------------------------------------------------------------------------------------------

describe('garbage in gives a typed EnvelopeError', () => {
  test('invalid base64 characters', () => {
    const { publicKey } = pair(2048);
    for (const data of ['abc$def', 'héllo', 'a.b.c.d', '{"app_id":"x"}', 'AAAA%3D', 'AA\u0000A']) {
      const error = assertEnvelopeError(() => openText(data, publicKey), 'bad-base64');
      assert.match(error.message, /base64/);
    }
  });

  test('impossible length (one character past a multiple of four)', () => {
    const { privateKey, publicKey } = pair(2048);
    assertEnvelopeError(() => openText('A', publicKey), 'bad-base64');
    assertEnvelopeError(() => openText('AAAAA', publicKey), 'bad-base64');
    const envelope = sealText('{}', privateKey);
    assert.equal(envelope.length % 4, 2);
    assertEnvelopeError(() => openText(envelope + 'AAA', publicKey), 'bad-base64');
  });

  test('truncated block: bytes not a multiple of the key size', () => {
    const { privateKey, publicKey } = pair(2048);
    const cipher = decodeBase64Url(sealText(jsonOfBytes(600, rng(3)), privateKey));
    for (const length of [1, 100, 255, 257, 511, cipher.byteLength - 1]) {
      const error = assertEnvelopeError(() => openText(encodeBase64Url(cipher.subarray(0, length)), publicKey), 'truncated-block');
      assert.match(error.message, /blocks of 256/);
    }
    // A 2048-bit envelope read with a 3072-bit key: 256 bytes are not whole 384-byte blocks.
    assertEnvelopeError(() => openText(encodeBase64Url(cipher.subarray(0, 256)), pair(3072).publicKey), 'truncated-block');
  });

  test('wrong key', () => {
    const { privateKey, publicKey } = pair(2048);
    const envelope = sealText('{"uid":1}', privateKey);
    assertEnvelopeError(() => openText(envelope, otherPair.publicKey), 'wrong-key');
    assertEnvelopeError(() => openText(envelope, parsePublicKey(demoKeys.wallet_public_key)), 'wrong-key');
    // 256 bytes are two 1024-bit blocks.
    assertEnvelopeError(() => openText(envelope, pair(1024).publicKey), 'wrong-key');
    // Random blocks.
    assertEnvelopeError(() => openText(encodeBase64Url(randomBytes(512)), publicKey), 'wrong-key');
    // A later block is bad: the error says which.
    const mixed = Buffer.concat([decodeBase64Url(envelope), decodeBase64Url(sealText('{}', otherPair.privateKey))]);
    const error = assertEnvelopeError(() => openText(encodeBase64Url(mixed), publicKey), 'wrong-key');
    assert.match(error.message, /block 2 of 2/);
  });

  test("valid blocks whose bytes are not UTF-8 give 'bad-utf8', never mojibake", () => {
    const { privateKey, publicKey } = pair(2048);
    const cases = [
      Buffer.from([0xff, 0xfe, 0x7b, 0x7d]),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('{"memo":"中', 'utf8').subarray(0, -1), // cut inside a character at the very end
      Buffer.from([0xed, 0xa0, 0x80]), // an encoded surrogate
      Buffer.from([0xc0, 0xaf]), // overlong
    ];
    for (const bytes of cases) {
      assertEnvelopeError(() => openText(encodeBase64Url(block(bytes, privateKey)), publicKey), 'bad-utf8');
      assertEnvelopeError(() => open(encodeBase64Url(block(bytes, privateKey)), publicKey), 'bad-utf8');
    }
  });

  test("decrypted text that is not JSON: open gives 'not-json', openText returns the text", () => {
    const { privateKey, publicKey } = pair(2048);
    for (const text of ['hello', '{"a":1', 'undefined', '{\'a\':1}', '中文']) {
      const envelope = sealText(text, privateKey);
      assert.equal(openText(envelope, publicKey), text);
      assertEnvelopeError(() => open(envelope, publicKey), 'not-json');
    }
    assertEnvelopeError(() => open('', publicKey), 'not-json');
  });

  test('padding, whitespace, \\r\\n and the standard alphabet inside the base64 are tolerated', () => {
    const { privateKey, publicKey } = pair(2048);
    const text = jsonOfBytes(700, rng(11));
    const envelope = sealText(text, privateKey);
    const standard = decodeBase64Url(envelope).toString('base64'); // with + / and = padding
    const variants = [
      envelope + '==',
      standard,
      standard.replace(/(.{76})/g, '$1\r\n'),
      envelope.replace(/(.{64})/g, '$1\n'),
      `  ${envelope.replace(/(.{50})/g, '$1 ')}\r\n`,
      envelope.replace(/(.{76})/g, '$1\r\n') + '\r\n',
    ];
    for (const variant of variants) assert.equal(openText(variant, publicKey), text);
  });

  test('empty data decodes to ""; sealing "" gives ""', () => {
    const { privateKey, publicKey } = pair(2048);
    assert.equal(sealText('', privateKey), '');
    assert.equal(openText('', publicKey), '');
    assert.equal(openText(' \r\n', publicKey), '');
    assert.equal(openText('==', publicKey), '');
  });

  test('random garbage never escapes as anything but an EnvelopeError', () => {
    const { privateKey, publicKey } = pair(2048);
    const random = rng(99);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/= \r\n.%$中';
    const valid = sealText(jsonOfBytes(500, random), privateKey);
    let opened = 0;
    for (let i = 0; i < 300; i++) {
      let data: string;
      if (i % 3 === 0) {
        data = Array.from({ length: Math.floor(random() * 800) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
      } else if (i % 3 === 1) {
        data = encodeBase64Url(randomBytes(256 * (1 + Math.floor(random() * 3))));
      } else {
        // Flip one character of a valid envelope.
        const at = Math.floor(random() * valid.length);
        const replacement = valid[at] === 'A' ? 'B' : 'A';
        data = valid.slice(0, at) + replacement + valid.slice(at + 1);
      }
      try {
        open(data, publicKey);
        opened++;
      } catch (e) {
        assert.ok(e instanceof EnvelopeError, `case ${i}: ${String(e)}`);
      }
    }
    assert.ok(opened < 300);
  });
});
