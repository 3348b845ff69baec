/**
 * The operator listener serves the console's built files under /console: content types, caching
 * (index.html revalidated, hashed assets immutable), HEAD, 404 for unknown files, no way out of
 * the build folder, the security headers on every answer, and a page saying how to build the
 * console when there is no build. The merchant port serves none of it.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestService, type TestService } from './support/service.js';

/** A raw request: fetch would normalise the dot segments this test sends on purpose. */
function raw(base: string, method: string, path: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const url = new URL(base);
  return new Promise((ok, fail) => {
    const req = httpRequest({ host: url.hostname, port: url.port, method, path }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => ok({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', fail);
    req.end();
  });
}

function assertSecurityHeaders(headers: Record<string, string | string[] | undefined>) {
  const csp = String(headers['content-security-policy']);
  assert.match(csp, /default-src 'self'/);
  assert.match(csp, /script-src 'self'(;|$)/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.equal(headers['x-frame-options'], 'DENY');
  assert.equal(headers['referrer-policy'], 'no-referrer');
  assert.equal(headers['x-content-type-options'], 'nosniff');
  assert.equal(headers['access-control-allow-origin'], undefined);
}

describe('the operator console on the operator listener', () => {
  const root = mkdtempSync(join(tmpdir(), 'openwaas-console-'));
  const dist = join(root, 'dist');
  let t: TestService;
  let base: string;

  before(async () => {
    mkdirSync(join(dist, 'assets'), { recursive: true });
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>console</title><script type="module" src="/console/assets/index-AbCd1234.js"></script>');
    writeFileSync(join(dist, 'assets', 'index-AbCd1234.js'), 'console.log("hi");');
    writeFileSync(join(dist, 'assets', 'index-AbCd1234.css'), 'body{}');
    writeFileSync(join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    writeFileSync(join(root, 'secret.txt'), 'outside the build');
    symlinkSync(join(root, 'secret.txt'), join(dist, 'escape.txt'));
    t = await startTestService({ kind: 'sqlite', config: { operatorApi: true, consoleDir: dist } });
    base = new URL(t.operatorUrl!).origin;
  });
  after(async () => {
    await t?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('serves index.html at /console/ (no-cache) and sends /console there', async () => {
    const redirect = await raw(base, 'GET', '/console');
    assert.equal(redirect.status, 308);
    assert.equal(redirect.headers.location, '/console/');
    const index = await raw(base, 'GET', '/console/');
    assert.equal(index.status, 200);
    assert.equal(index.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(index.headers['cache-control'], 'no-cache');
    assert.match(index.body, /<title>console<\/title>/);
    assertSecurityHeaders(index.headers);
    const named = await raw(base, 'GET', '/console/index.html');
    assert.equal(named.status, 200);
    assert.equal(named.headers['cache-control'], 'no-cache');
  });

  it('serves hashed assets with their content type, cached for good; other files revalidated', async () => {
    const js = await raw(base, 'GET', '/console/assets/index-AbCd1234.js');
    assert.equal(js.status, 200);
    assert.equal(js.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(js.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(js.body, 'console.log("hi");');
    assertSecurityHeaders(js.headers);
    const css = await raw(base, 'GET', '/console/assets/index-AbCd1234.css');
    assert.equal(css.headers['content-type'], 'text/css; charset=utf-8');
    const svg = await raw(base, 'GET', '/console/favicon.svg');
    assert.equal(svg.headers['content-type'], 'image/svg+xml');
    assert.equal(svg.headers['cache-control'], 'no-cache');
  });

  it('answers HEAD with the headers and no body', async () => {
    const head = await raw(base, 'HEAD', '/console/assets/index-AbCd1234.js');
    assert.equal(head.status, 200);
    assert.equal(head.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(head.headers['content-length'], String('console.log("hi");'.length));
    assert.equal(head.body, '');
  });

  it('answers 404 for unknown files and folders, with the security headers', async () => {
    for (const path of ['/console/nope.js', '/console/assets/', '/console/assets']) {
      const res = await raw(base, 'GET', path);
      assert.equal(res.status, 404, path);
      assertSecurityHeaders(res.headers);
    }
  });

  it('never leaves the build folder: dot segments, encoded ones, backslashes, NUL and symbolic links out', async () => {
    for (const path of ['/console/../secret.txt', '/console/assets/../../secret.txt', '/console/%2e%2e/secret.txt', '/console/%2E%2E%2Fsecret.txt', '/console/..%5csecret.txt', '/console/index.html%00.js', '/console/escape.txt']) {
      const res = await raw(base, 'GET', path);
      assert.notEqual(res.status, 200, path);
      assert.doesNotMatch(res.body, /outside the build/, path);
    }
  });

  it('is not on the merchant port, and the operator API still needs a token', async () => {
    const merchant = await raw(t.baseUrl, 'GET', '/console/');
    assert.equal(merchant.status, 404);
    const api = await fetch(`${t.operatorUrl}/auth/me`);
    assert.equal(api.status, 401);
  });
});

describe('the operator console without a build', () => {
  let t: TestService;
  const missing = join(tmpdir(), `openwaas-no-console-${process.pid}`);
  before(async () => {
    t = await startTestService({ kind: 'sqlite', config: { operatorApi: true, consoleDir: missing } });
  });
  after(() => t?.close());

  it('answers a page saying how to build it', async () => {
    const base = new URL(t.operatorUrl!).origin;
    const res = await raw(base, 'GET', '/console/');
    assert.equal(res.status, 503);
    assert.match(res.body, /npm run build -w @openwaas\/console/);
    assertSecurityHeaders(res.headers);
    const asset = await raw(base, 'GET', '/console/assets/index-AbCd1234.js');
    assert.equal(asset.status, 503);
  });
});
