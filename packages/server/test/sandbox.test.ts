/**
 * The README's walkthrough, as a user runs it: `openwaas sandbox` in its own process, then the
 * SDK against it — users, a deposit address, a faucet credit through the operator API, and a
 * withdrawal to an alliance address that settles at once, seen by the demo merchant app.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WaasClient, WaasError, ErrorCode, WithdrawStatus, WithdrawType, DepositStatus } from '@openwaas/sdk';
import { databaseKinds, freshDatabase, skippedWithoutPostgres, type TestDatabase } from './support/databases.js';
import { totpCodeAt } from './support/operators.js';

const cli = new URL('../src/cli/main.ts', import.meta.url).pathname;
/** A bound for a sandbox that hangs: on a loaded machine a start takes a while. */
const startTimeoutMs = 120_000;

interface SandboxInfo {
  url: string;
  operator: string;
  console: string;
  console_built: boolean;
  console_accounts_file: string;
  app_id: string;
  sdk_config: string;
  dir: string;
  chain: { rpc_url: string; usdt: string };
}

const kinds = await databaseKinds();
skippedWithoutPostgres(kinds, 'openwaas sandbox (README walkthrough, postgres)');
for (const kind of kinds) describe(`openwaas sandbox (README walkthrough, ${kind})`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'openwaas-sandbox-'));
  let database: TestDatabase;
  let child: ChildProcess;
  let info: SandboxInfo;
  const output: string[] = [];

  before(async () => {
    database = await freshDatabase(kind);
    child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', cli, 'sandbox', '--port', '0', '--json', '--block-time', '200', '--dir', join(dir, 'demo')], {
      env: { ...process.env, DATABASE_URL: database.url, OPENWAAS_NOTIFY_SCHEDULE_MS: '100,200,400' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    createInterface({ input: child.stderr! }).on('line', (line) => output.push(line));
    const lines = createInterface({ input: child.stdout! });
    info = await new Promise<SandboxInfo>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`sandbox did not start: ${output.join('\n')}`)), startTimeoutMs);
      lines.on('line', (line) => {
        output.push(line);
        if (line.startsWith('{')) {
          clearTimeout(timer);
          resolve(JSON.parse(line) as SandboxInfo);
        }
      });
      child.once('exit', (code) => reject(new Error(`sandbox exited with ${code}: ${output.join('\n')}`)));
    });
  });

  after(async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes an SDK config that works, and settles an alliance withdrawal end to end', async () => {
    const config = JSON.parse(readFileSync(info.sdk_config, 'utf8')) as { baseUrl: string; appId: string; privateKey: string; walletPublicKey: string };
    assert.equal(config.baseUrl, info.url);
    const client = new WaasClient({
      baseUrl: config.baseUrl,
      appId: config.appId,
      privateKey: readFileSync(config.privateKey, 'utf8'),
      walletPublicKey: readFileSync(config.walletPublicKey, 'utf8'),
    });
    const coins = await client.getCoinList();
    assert.deepEqual(coins.map((c) => c.symbol).sort(), ['ETH', 'USDT']);

    const alice = await client.registerEmail({ email: 'alice@example.com' });
    const bob = await client.registerEmail({ email: 'bob@example.com' });
    const { address } = await client.getDepositAddress({ uid: bob.uid, symbol: 'ETH' });
    assert.match(address, /^0x[0-9a-f]{40}$/);

    const token = readFileSync(join(info.dir, 'operator-token'), 'utf8').trim();
    const credit = await fetch(`${info.operator}/balances/credit`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ uid: alice.uid, symbol: 'ETH', amount: '1', reason: 'sandbox faucet' }),
    });
    assert.equal(credit.status, 200, await credit.clone().text());

    const w = await client.withdraw({ request_id: 'readme-1', from_uid: alice.uid, to_address: address, amount: '0.5', symbol: 'ETH' });
    assert.equal(w.status, WithdrawStatus.Succeeded);
    assert.equal(w.withdraw_type, WithdrawType.Internal);
    await assert.rejects(
      client.withdraw({ request_id: 'readme-1', from_uid: alice.uid, to_address: address, amount: '0.5', symbol: 'ETH' }),
      (e: unknown) => e instanceof WaasError && e.is(ErrorCode.DuplicateRequest) && (e.data as { id: number }).id === w.id,
    );

    // The demo coin's fee is 0.0005 ETH: Bob receives 0.4995, Alice keeps 0.5.
    assert.deepEqual(await client.getByUidAndSymbol({ uid: bob.uid, symbol: 'ETH' }), { normal_balance: '0.4995', lock_balance: '0', deposit_address: address });
    assert.equal((await client.getByUidAndSymbol({ uid: alice.uid, symbol: 'ETH' })).normal_balance, '0.5');
    const deposits = [];
    for await (const d of client.iterateDeposits()) deposits.push(d);
    assert.equal(deposits.length, 1);
    assert.equal(deposits[0]!.status, DepositStatus.Succeeded);
    assert.equal(deposits[0]!.amount, '0.4995');

    // The demo merchant app confirmed the withdrawal and received both notifications.
    const deadline = Date.now() + 30_000;
    const seen = () => output.filter((l) => l.includes('notification')).length;
    while (seen() < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.ok(output.some((l) => l.includes('confirmed withdrawal readme-1')), output.join('\n'));
    assert.ok(output.some((l) => l.includes('deposit notification') && l.includes('status 1')), output.join('\n'));
    assert.ok(output.some((l) => l.includes('withdraw notification') && l.includes('status 5')), output.join('\n'));

    const audit = await fetch(`${info.operator}/audit`, { headers: { authorization: `Bearer ${token}` } });
    const report = (await audit.json()) as { ok: boolean; findings: unknown[] };
    assert.equal(report.ok, true, JSON.stringify(report.findings));
  });

  it('serves the console with its demo admin and reviewer, whose credentials are in DIR (0600) and not in the output', async () => {
    assert.equal(info.console, `${new URL(info.operator).origin}/console/`);
    if (info.console_built) {
      const page = await fetch(info.console);
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    }
    assert.equal(statSync(info.console_accounts_file).mode & 0o777, 0o600);
    const { accounts } = JSON.parse(readFileSync(info.console_accounts_file, 'utf8')) as { accounts: Array<{ name: string; roles: string[]; password: string; otpauth_uri: string; totp_secret: string }> };
    assert.deepEqual(accounts.map((a) => a.roles), [['admin'], ['reviewer']]);
    for (const a of accounts) {
      const login = await fetch(`${info.operator}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: a.name, password: a.password, totp: totpCodeAt(a.otpauth_uri, Date.now()) }) });
      assert.equal(login.status, 200, await login.clone().text());
      // --json prints no credentials; nothing else does either.
      assert.ok(!output.some((l) => l.includes(a.password) || l.includes(a.totp_secret)), 'no credentials in the output');
    }
  });

  it('takes a real on-chain USDT deposit with `sandbox deposit`, pays an on-chain withdrawal, and audits against the chain', async () => {
    const config = JSON.parse(readFileSync(info.sdk_config, 'utf8')) as { baseUrl: string; appId: string; privateKey: string; walletPublicKey: string };
    const client = new WaasClient({ baseUrl: config.baseUrl, appId: config.appId, privateKey: readFileSync(config.privateKey, 'utf8'), walletPublicKey: readFileSync(config.walletPublicKey, 'utf8') });
    const carol = await client.registerEmail({ email: 'carol@example.com' });
    const { address } = await client.getDepositAddress({ uid: carol.uid, symbol: 'USDT' });

    // Symbols match in any case, as on the API: "usdt" is the coin configured as USDT.
    const sent = JSON.parse(await runCli(['sandbox', 'deposit', String(carol.uid), 'usdt', '25', '--dir', info.dir, '--wait', '--json'], { env: { DATABASE_URL: database.url } })) as { txid: string; status: number; address: string; symbol: string };
    assert.equal(sent.symbol, 'USDT');
    assert.equal(sent.status, DepositStatus.Succeeded);
    assert.equal(sent.address, address);
    const deposit = (await client.syncDepositList({ max_id: 0 })).find((d) => d.txid === sent.txid);
    assert.ok(deposit, 'the on-chain deposit is listed');
    assert.equal(deposit.symbol, 'USDT');
    assert.equal(deposit.amount, '25');
    assert.equal(deposit.status, DepositStatus.Succeeded);
    assert.ok(deposit.confirmations >= 3);
    assert.equal((await client.getByUidAndSymbol({ uid: carol.uid, symbol: 'USDT' })).normal_balance, '25');

    const w = await client.withdraw({ request_id: 'readme-chain-1', from_uid: carol.uid, to_address: '0x000000000000000000000000000000000000dEaD', amount: '10', symbol: 'USDT' });
    assert.equal(w.withdraw_type, WithdrawType.OnChain);
    const deadline = Date.now() + 60_000;
    let paid;
    while (Date.now() < deadline) {
      paid = (await client.withdrawList({ ids: 'readme-chain-1' }))[0];
      if (paid?.status === WithdrawStatus.Succeeded) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(paid?.status, WithdrawStatus.Succeeded, JSON.stringify(paid));
    assert.match(paid!.txid, /^0x[0-9a-f]{64}$/);
    assert.ok(Number(paid!.real_fee) > 0);

    const seen = (what: string) => output.some((l) => l.includes(what));
    const until = Date.now() + 30_000;
    while (!(seen(`withdraw notification`) && output.some((l) => l.includes('10 USDT status 5'))) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    assert.ok(output.some((l) => l.includes('deposit notification') && l.includes('25 USDT status 0')), output.join('\n'));
    assert.ok(output.some((l) => l.includes('deposit notification') && l.includes('25 USDT status 1')), output.join('\n'));
    assert.ok(output.some((l) => l.includes('10 USDT status 5')), output.join('\n'));

    // The operator's view, with the settings the sandbox wrote to DIR/env.
    const report = JSON.parse(await runCli(['audit', '--chain', '--json'], { sourceEnv: join(info.dir, 'env') })) as { ok: boolean; chain: Array<{ symbol: string; status: string; holdings: string; expected: string }> };
    assert.equal(report.ok, true, JSON.stringify(report));
    assert.deepEqual(report.chain.map((l) => l.symbol).sort(), ['ETH', 'USDT']);
    // In coin units (the demo treasury's million USDT and change), not base units (13 digits).
    const usdt = report.chain.find((l) => l.symbol === 'USDT')!;
    assert.match(usdt.holdings, /^1\d{6}(\.\d{1,6})?$/, JSON.stringify(usdt));
    assert.equal(usdt.holdings, usdt.expected);
  });

  it('`sandbox trigger` produces a deposit, a withdrawal and a confirmation request for a user through the real paths; refused without a running sandbox', async () => {
    const config = JSON.parse(readFileSync(info.sdk_config, 'utf8')) as { baseUrl: string; appId: string; privateKey: string; walletPublicKey: string };
    const client = new WaasClient({ baseUrl: config.baseUrl, appId: config.appId, privateKey: readFileSync(config.privateKey, 'utf8'), walletPublicKey: readFileSync(config.walletPublicKey, 'utf8') });
    const dave = await client.registerEmail({ email: 'dave@example.com' });
    const env = { DATABASE_URL: database.url };

    const deposit = JSON.parse(await runCli(['sandbox', 'trigger', 'deposit', String(dave.uid), 'eth', '1', '--dir', info.dir, '--wait', '--json'], { env })) as { status: number; txid: string };
    assert.equal(deposit.status, DepositStatus.Succeeded);
    assert.equal((await client.getByUidAndSymbol({ uid: dave.uid, symbol: 'ETH' })).normal_balance, '1');

    const withdrawal = JSON.parse(await runCli(['sandbox', 'trigger', 'withdraw', String(dave.uid), 'ETH', '0.25', '--dir', info.dir, '--json'], { env })) as { request_id: string; id: number };
    const [listed] = await client.withdrawList({ ids: withdrawal.request_id });
    assert.equal(listed?.amount, '0.25');
    // The demo app prints before it answers; its line reaches us through the sandbox's stdout.
    const printed = async (what: string) => {
      const deadline = Date.now() + 30_000;
      while (!output.some((l) => l.includes(what)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      assert.ok(output.some((l) => l.includes(what)), `${what}\n${output.join('\n')}`);
    };
    await printed(`demo merchant: confirmed withdrawal ${withdrawal.request_id}`);

    const confirm = JSON.parse(await runCli(['sandbox', 'trigger', 'confirm', String(dave.uid), 'ETH', '2', '--dir', info.dir, '--json'], { env })) as { request_id: string; confirm_url_confirmed: boolean };
    assert.equal(confirm.confirm_url_confirmed, true);
    await printed(`demo merchant: confirmed withdrawal ${confirm.request_id} (2 ETH from uid ${dave.uid}`);
    assert.deepEqual(await client.withdrawList({ ids: confirm.request_id }), [], 'a confirmation request withdraws nothing');

    await assert.rejects(runCli(['sandbox', 'trigger', 'withdraw', String(dave.uid), 'ETH', '0.25', '--dir', join(dir, 'elsewhere')], { env }), /no sandbox is running in .*works only against a running sandbox/);
  });
});

/** Runs the CLI (from source) to completion; resolves with its stdout, rejects on a non-zero exit. */
function runCli(args: string[], options: { sourceEnv?: string; env?: Record<string, string> } = {}): Promise<string> {
  const node = [process.execPath, '--conditions=source', '--import', 'tsx', cli, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  const script = options.sourceEnv ? `. '${options.sourceEnv}' && exec ${node}` : `exec ${node}`;
  return new Promise((resolve, reject) => {
    const c = spawn('bash', ['-c', script], { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.stderr.on('data', (d: Buffer) => (err += d.toString()));
    c.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`openwaas ${args.join(' ')} exited ${code}: ${err}${out}`))));
  });
}
