/**
 * The external signer for the hot and fee wallets (`remoteSigner`, JSON-RPC eth_signTransaction).
 * The signer here is a real second anvil node started with its own mnemonic — it holds the two
 * wallets' keys, the service never sees them — reached through a recording proxy that can also
 * tamper with requests. Checked: settings validation; answers that are not exactly the asked
 * transaction (other recipient, other key), refusals, HTTP errors and an unreachable signer are
 * refused with a typed error that never shows the token; end to end, withdrawals (ETH, USDT) are
 * signed remotely with the bearer token and paid, a token sweep's gas top-up is signed by the
 * remote fee wallet while the sweep itself is signed in-process by the deposit key, a tampering
 * signer leaves the withdrawal waiting with nothing stored or broadcast and an operator alert
 * open until it behaves, and
 * the ledger and chain audits are clean.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { DepositStatus, WithdrawStatus } from '@openwaas/sdk';
import { parseEther, parseUnits, type Hex } from 'viem';
import { generatePrivateKey, mnemonicToAccount, privateKeyToAccount } from 'viem/accounts';
import { startAnvil, type AnvilInstance } from '../src/chains/evm/anvil.js';
import { ConfigError, loadConfig } from '../src/config/config.js';
import { signerFailingKey } from '../src/modules/chain-sends/index.js';
import { RemoteSigner, RemoteSignerError } from '../src/keys/remote-signer.js';
import { KeyRing } from '../src/keys/keyring.js';
import { assertAuditsClean } from './support/audits.js';
import { chainTestMnemonic, startChainWorld, type ChainWorld } from './support/chain-world.js';
import { freshRecipient, txsOf, withdraw, withdrawalRow } from './support/chain-sends.js';
import { untilDeposit } from './support/deposits.js';
import { eachDatabase } from './support/service.js';

/** The signer's own seed (a BIP-39 test vector): its accounts 0 and 1 are the hot and fee wallets. */
const signerMnemonic = 'legal winner thank year wave sausage worth useful legal winner thank yellow';
const hotAddress = mnemonicToAccount(signerMnemonic, { addressIndex: 0 }).address.toLowerCase();
const feeAddress = mnemonicToAccount(signerMnemonic, { addressIndex: 1 }).address.toLowerCase();
const token = 'remote-signer-secret-token';

type Mode = 'pass' | 'other-recipient' | 'refuse' | 'http-500';

/** A recording proxy in front of the signer node; `mode` decides what it does with requests. */
async function startSignerProxy(target: string) {
  const seen: Array<{ method: string; authorization: string | undefined; from?: string }> = [];
  let mode: Mode = 'pass';
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', async () => {
      const call = JSON.parse(body) as { id: number; method: string; params: Array<Record<string, string>> };
      seen.push({ method: call.method, authorization: req.headers.authorization, from: call.params[0]?.from });
      if (mode === 'http-500') return void res.writeHead(500).end('signer down');
      if (mode === 'refuse') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id: call.id, error: { code: -32000, message: 'policy: denied' } }));
      if (mode === 'other-recipient') call.params[0]!.to = '0x000000000000000000000000000000000000bad0';
      const answer = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(call) });
      res.writeHead(200, { 'content-type': 'application/json' }).end(await answer.text());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    setMode: (m: Mode) => void (mode = m),
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

describe('remote signer settings', () => {
  it('OPENWAAS_REMOTE_SIGNER is JSON, validated; the token never appears in a message', () => {
    const config = loadConfig({}, { OPENWAAS_REMOTE_SIGNER: JSON.stringify({ url: 'http://127.0.0.1:9000', token, hotAddress: hotAddress.toUpperCase().replace('0X', '0x'), feeAddress }) });
    assert.equal(config.remoteSigner?.hotAddress, hotAddress, 'addresses lower-cased');
    assert.equal(config.remoteSigner?.timeoutMs, 10_000);
    const bad = (value: unknown) => {
      try {
        loadConfig({}, { OPENWAAS_REMOTE_SIGNER: typeof value === 'string' ? value : JSON.stringify(value) });
      } catch (error) {
        assert.ok(error instanceof ConfigError);
        assert.ok(!error.message.includes(token), 'no token in the message');
        return error.message;
      }
      assert.fail('accepted');
    };
    assert.match(bad('{not json'), /OPENWAAS_REMOTE_SIGNER is not JSON/);
    assert.match(bad({ url: 'ftp://x', token, hotAddress, feeAddress }), /remoteSigner\.url/);
    assert.match(bad({ url: 'http://x', token, hotAddress: '0x123', feeAddress }), /remoteSigner\.hotAddress/);
    assert.match(bad({ url: 'http://x', token, hotAddress, feeAddress: hotAddress }), /remoteSigner\.feeAddress: must differ/);
    assert.match(bad({ url: 'http://x', token, hotAddress, feeAddress, extra: 1 }), /remoteSigner/);
  });
});

describe('remote signer against a real signer node', () => {
  let signerNode: AnvilInstance;
  let proxy: Awaited<ReturnType<typeof startSignerProxy>>;
  before(async () => {
    signerNode = await startAnvil({ mnemonic: signerMnemonic });
    proxy = await startSignerProxy(signerNode.rpcUrl);
  });
  after(async () => {
    await proxy?.close();
    await signerNode?.stop();
  });

  const tx = { type: 'eip1559' as const, chainId: 31337, to: '0x000000000000000000000000000000000000dEaD' as Hex, value: 12345n, nonce: 7, gas: 21_000n, maxFeePerGas: 2_000_000_000n, maxPriorityFeePerGas: 1_000_000n };
  const signer = (url = proxy.url) => new RemoteSigner({ url, token, address: hotAddress, chainId: 31337, timeoutMs: 2_000 });

  it('returns exactly the asked transaction, signed by the configured address, with the bearer token sent', async () => {
    proxy.setMode('pass');
    const raw = await signer().signTransaction(tx);
    const local = await mnemonicToAccount(signerMnemonic, { addressIndex: 0 }).signTransaction(tx);
    assert.equal(raw, local.toLowerCase(), 'byte for byte what the key signs');
    assert.equal(proxy.seen.at(-1)!.method, 'eth_signTransaction');
    assert.equal(proxy.seen.at(-1)!.authorization, `Bearer ${token}`);
    assert.equal(proxy.seen.at(-1)!.from, hotAddress);
    assert.equal(JSON.stringify(signer()), JSON.stringify({ signer: 'remote', address: hotAddress, chainId: 31337 }), 'no url or token in JSON');
  });

  it('refuses what it was not asked for, refusals, HTTP errors, an unreachable signer and a foreign chain; never shows the token', async () => {
    const refused = async (s: RemoteSigner, pattern: RegExp, input = tx) => {
      const error = await s.signTransaction(input).then(() => undefined, (e: unknown) => e);
      assert.ok(error instanceof RemoteSignerError, String(error));
      assert.match(error.message, pattern);
      assert.ok(!error.message.includes(token));
    };
    proxy.setMode('other-recipient');
    await refused(signer(), /signed another transaction than asked \(to: 0x0{36}bad0 instead of 0x0{36}dead\)/);
    proxy.setMode('refuse');
    await refused(signer(), /refused: policy: denied/);
    proxy.setMode('http-500');
    await refused(signer(), /HTTP 500/);
    proxy.setMode('pass');
    // The node signs for its own accounts only: an address it holds no key for.
    const stranger = privateKeyToAccount(generatePrivateKey()).address.toLowerCase();
    const error = await new RemoteSigner({ url: proxy.url, token, address: stranger, chainId: 31337, timeoutMs: 2_000 }).signTransaction(tx).then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof RemoteSignerError);
    await refused(signer('http://127.0.0.1:1'), /unreachable/);
    await refused(signer(), /for chain 1 given to a signer for chain 31337/, { ...tx, chainId: 1 });
  });
});

eachDatabase('remote signer in the service', (kind) => {
  let signerNode: AnvilInstance;
  let proxy: Awaited<ReturnType<typeof startSignerProxy>>;
  let world: ChainWorld;
  before(async () => {
    signerNode = await startAnvil({ mnemonic: signerMnemonic });
    proxy = await startSignerProxy(signerNode.rpcUrl);
    world = await startChainWorld({ kind, config: { remoteSigner: { url: proxy.url, token, hotAddress, feeAddress, timeoutMs: 5_000 }, sweepThresholds: { ETH: '1000000', USDT: '50' } } });
  });
  after(async () => {
    await world?.close();
    await proxy?.close();
    await signerNode?.stop();
  });

  it('pays withdrawals and tops up sweep gas with keys the service never holds; a tampering signer pays nothing until it behaves', async () => {
    const { t } = world;
    assert.equal(world.chain.hotAddress, hotAddress, 'the hot wallet is the signer’s');
    assert.equal(world.chain.feeAddress, feeAddress);
    const own = KeyRing.fromMnemonic(chainTestMnemonic);
    assert.notEqual(own.address('hot', world.chain.id), hotAddress, 'not a key of the service’s seed');

    const uid = await world.newUser();
    await t.credit({ symbol: 'ETH', amount: '3', uid });
    await t.credit({ symbol: 'USDT', amount: '500', uid });
    const to = freshRecipient();
    const ethId = await withdraw(world, { uid, symbol: 'ETH', amount: '1', to });
    const usdtId = await withdraw(world, { uid, symbol: 'USDT', amount: '100', to });
    for (const id of [ethId, usdtId]) {
      const paid = await world.until(`withdrawal ${id} paid`, async () => {
        await world.mine(1);
        const w = await withdrawalRow(world, id);
        return w.status === WithdrawStatus.Succeeded && w;
      });
      const [row] = await txsOf(world, 'withdrawal', id);
      assert.equal(row!.from_address, hotAddress);
      assert.equal(paid.txid, row!.hash);
    }
    assert.equal(await world.client.getBalance({ address: to as Hex }), parseEther('0.999'));
    const signed = proxy.seen.filter((s) => s.method === 'eth_signTransaction');
    assert.ok(signed.length >= 2 && signed.every((s) => s.authorization === `Bearer ${token}` && s.from === hotAddress));

    // A token sweep: the remote fee wallet signs the top-up, the deposit key (in-process) the transfer.
    const depositor = await world.newUser();
    const address = await world.depositAddress(depositor, 'USDT');
    const deposit = await world.sendUsdt(address, parseUnits('80', 6));
    await world.mine(1);
    await untilDeposit(world, deposit, 'the USDT deposit credited', (d) => d.status === DepositStatus.Succeeded);
    const sweep = await world.until('the sweep done', async () => {
      await world.mine(1);
      const s = await t.ctx.store.db.selectFrom('sweeps').selectAll().where('address', '=', address).executeTakeFirst();
      return s?.state === 'done' && s;
    }, 30_000);
    const steps = await txsOf(world, ['topup', 'sweep'], Number(sweep.id));
    assert.deepEqual(steps.map((s) => [s.purpose, s.from_address]), [['topup', feeAddress], ['sweep', address]]);
    assert.ok(proxy.seen.some((s) => s.from === feeAddress), 'the top-up was signed remotely');
    assert.ok(!proxy.seen.some((s) => s.from === address), 'deposit keys never leave the service');

    // The signer tampers: nothing is stored or broadcast, the withdrawal waits at 1 and no nonce is spent.
    proxy.setMode('other-recipient');
    const nonceBefore = await t.ctx.store.db.selectFrom('chain_sequences').select('next_sequence').where('address', '=', hotAddress).executeTakeFirstOrThrow();
    const waiting = await withdraw(world, { uid, symbol: 'ETH', amount: '0.5', to });
    await world.until('the signer asked and refused', () => proxy.seen.filter((s) => s.from === hotAddress).length > signed.length + 1);
    const alertKey = signerFailingKey(world.chain.id, hotAddress);
    const alert = () => t.ctx.store.db.selectFrom('operator_alerts').selectAll().where('key', '=', alertKey).orderBy('id', 'desc').executeTakeFirst();
    // The refusal's outcome is the alert: once it is there, the broadcaster has dealt with the answer.
    const open = await world.until('the signer-failing alert', () => alert());
    assert.equal((await withdrawalRow(world, waiting)).status, WithdrawStatus.Paying);
    assert.deepEqual(await txsOf(world, 'withdrawal', waiting), [], 'nothing stored');
    const nonceNow = await t.ctx.store.db.selectFrom('chain_sequences').select('next_sequence').where('address', '=', hotAddress).executeTakeFirstOrThrow();
    assert.equal(nonceNow.next_sequence, nonceBefore.next_sequence, 'no nonce spent');
    assert.equal(open?.kind, 'signer-failing');
    assert.equal(open?.resolved_at, null, 'operators are told');
    assert.match(open!.message, new RegExp(`did not sign withdrawal ${waiting}: remote signer signed another transaction than asked`));
    assert.ok(!open!.message.includes(token));
    proxy.setMode('pass');
    await world.until('paid once the signer behaves', async () => {
      await world.mine(1);
      return (await withdrawalRow(world, waiting)).status === WithdrawStatus.Succeeded;
    });
    assert.equal(await world.client.getBalance({ address: to as Hex }), parseEther('1.498'));
    assert.notEqual((await alert())?.resolved_at, null, 'the alert is resolved by the next signature');
    await assertAuditsClean(world);
  });
});
