/**
 * Crash safety of chain sends with the real `openwaas serve` process (SQLite and PostgreSQL): the service
 * reaches anvil through a JSON-RPC proxy in this test that can hold back broadcasts, so the
 * process is SIGKILLed at a known point — after the signed transaction was committed but
 * before any node had it, and after the node had it (and mined it) but before the service
 * recorded the broadcast. After each restart the same stored bytes are sent (or found mined):
 * the same hash and nonce, one transaction per withdrawal, the recipient paid exactly once,
 * the withdrawal settled at status 5, `openwaas audit --chain` clean (ledger and
 * on-chain balances).
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { createConfirmationResponder, toNodeHttpHandler, WaasClient, WithdrawStatus } from '@openwaas/sdk';
import { parseEther } from 'viem';
import { startAnvil, type AnvilInstance } from '../src/chains/evm/anvil.js';
import { createEvmClients, mine, type EvmPublicClient } from '../src/chains/evm/client.js';
import { DEMO_USDT_ADDRESS, prepareDevChain } from '../src/chains/evm/dev-setup.js';
import { runCli } from '../src/cli/run.js';
import { systemClock } from '../src/clock.js';
import { setMerchantCoin, upsertCoin } from '../src/modules/coins/index.js';
import { userAccount } from '../src/modules/ledger/index.js';
import { createMerchant, updateMerchant } from '../src/modules/merchants/index.js';
import { KeyRing } from '../src/keys/keyring.js';
import { openStore, type Store } from '../src/store/db.js';
import { migrateToLatest } from '../src/store/migrate.js';
import type { ChainTx, Merchant, Withdrawal } from '../src/store/schema.js';
import { startServe, waitFor, type ServeProcess } from './crash-support.js';
import { chainTestMnemonic, feeWalletEth, hotWalletEth, hotWalletUsdt } from './support/chain-world.js';
import { freshRecipient } from './support/chain-sends.js';
import { databaseKinds, freshDatabase, skippedWithoutPostgres, type TestDatabase } from './support/databases.js';
import { fundAccount } from './support/funding.js';
import { devSecrets, insecureDevKeysEnvValue } from './support/dev-keys.js';

const chainId = 'evm:31337';

/** What the proxy does with eth_sendRawTransaction. */
type BroadcastMode = 'pass' | 'hold-before-node' | 'hold-after-node';

/**
 * A JSON-RPC proxy in front of anvil. In a hold mode it never answers eth_sendRawTransaction
 * (the service waits there until killed): before forwarding it (no node ever sees the
 * transaction) or after (the node has it, the service never hears so).
 */
async function startRpcProxy(upstream: string) {
  let mode: BroadcastMode = 'pass';
  const held: Array<{ raw: string; forwarded: boolean }> = [];
  const pending = new Set<ServerResponse>();
  const forward = async (body: string) => (await fetch(upstream, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).text();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const call = JSON.parse(body) as { method?: string; params?: string[] };
        if (!Array.isArray(call) && call.method === 'eth_sendRawTransaction' && mode !== 'pass') {
          const forwarded = mode === 'hold-after-node';
          if (forwarded) await forward(body);
          held.push({ raw: call.params![0]!, forwarded });
          pending.add(res);
          return; // never answered
        }
        const text = await forward(body).catch(() => undefined);
        if (text === undefined) return void res.destroy();
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(text);
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    held,
    setMode(m: BroadcastMode) {
      mode = m;
      for (const res of pending) res.destroy();
      pending.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of pending) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const kinds = await databaseKinds();
describe('chain sends survive SIGKILL', () => {
  skippedWithoutPostgres(kinds);
  for (const kind of kinds) describe(kind, () => {
    let anvil: AnvilInstance;
    let client: EvmPublicClient;
    let proxy: Awaited<ReturnType<typeof startRpcProxy>>;
    let database: TestDatabase;
    let store: Store;
    let merchant: Merchant;
    let ethCoinId: number;
    let confirmServer: Server;
    let serve: ServeProcess | undefined;
    let keysDir: string;
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const merchantPrivateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const hot = KeyRing.fromMnemonic(chainTestMnemonic).address('hot', chainId);

    const startService = async () => {
      serve = await startServe(
        {
          DATABASE_URL: database.url,
          OPENWAAS_HD_MNEMONIC: chainTestMnemonic,
          OPENWAAS_CHAINS: JSON.stringify([{ id: chainId, rpcUrl: proxy.url, pollIntervalMs: 100, startBlock: 0 }]),
          OPENWAAS_RSA_WORKERS: '1',
          LOG_LEVEL: 'warn',
        },
        0,
      );
      return new WaasClient({ baseUrl: serve.url, appId: merchant.app_id, privateKey: merchantPrivateKeyPem, walletPublicKey: merchant.wallet_public_key });
    };
    const withdrawalOf = (id: number): Promise<Withdrawal> => store.db.selectFrom('withdrawals').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const txsOf = (id: number): Promise<ChainTx[]> => store.db.selectFrom('chain_txs').selectAll().where('purpose', '=', 'withdrawal').where('ref_id', '=', id).orderBy('id').execute();
    /** Mines until the withdrawal is final; resolves with it. */
    const untilSettled = (id: number) =>
      waitFor(`withdrawal ${id} settled`, 30_000, async () => {
        await mine(client, 1);
        const w = await withdrawalOf(id);
        return w.status === WithdrawStatus.Paying ? undefined : w;
      });

    before(async () => {
      anvil = await startAnvil();
      client = createEvmClients({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, dev: true }).publicClient;
      proxy = await startRpcProxy(anvil.rpcUrl);
      const ring = KeyRing.fromMnemonic(chainTestMnemonic);
      await prepareDevChain({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, hotAddress: hot, feeAddress: ring.address('fee', chainId), hotEth: hotWalletEth, hotUsdtUnits: hotWalletUsdt, feeEth: feeWalletEth });

      database = await freshDatabase(kind);
      keysDir = mkdtempSync(join(tmpdir(), 'openwaas-crash-keys-'));
      store = openStore(database.url);
      await migrateToLatest(store);
      const nowMs = Date.now();
      const eth = await upsertCoin(store.db, { symbol: 'ETH', chain: chainId, decimals: 18, confirmations: 2, minWithdraw: '0.01', maxWithdraw: '100', withdrawFee: '0.001', autoApproveMax: '10', nowMs });
      const usdt = await upsertCoin(store.db, { symbol: 'USDT', chain: chainId, baseSymbol: 'ETH', contractAddress: DEMO_USDT_ADDRESS, decimals: 6, confirmations: 2, withdrawFee: '1', autoApproveMax: '10000', nowMs });
      ethCoinId = Number(eth.id);
      merchant = await createMerchant(store.db, devSecrets(), { name: 'Crash Merchant', merchantPublicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(), nowMs });
      for (const coin of [eth, usdt]) await setMerchantCoin(store.db, Number(merchant.id), Number(coin.id), true);
      const confirm = toNodeHttpHandler(createConfirmationResponder({ walletPublicKey: merchant.wallet_public_key, privateKey: merchantPrivateKeyPem, approveWithdraw: () => true }));
      confirmServer = createServer(confirm);
      await new Promise<void>((resolve) => confirmServer.listen(0, '127.0.0.1', resolve));
      await updateMerchant(store.db, merchant.app_id, { confirmUrl: `http://127.0.0.1:${(confirmServer.address() as AddressInfo).port}/confirm` });
    });

    after(async () => {
      await serve?.kill('SIGKILL').catch(() => {});
      await proxy?.close();
      confirmServer?.closeAllConnections();
      confirmServer?.close();
      await store?.close();
      await database?.drop();
      await anvil?.stop();
      if (keysDir) rmSync(keysDir, { recursive: true, force: true });
    });

    for (const mode of ['hold-before-node', 'hold-after-node'] as const) {
      const when = mode === 'hold-before-node' ? 'after signing, before any node had the transaction' : 'after the node had (and mined) the transaction, before the service recorded it';
      it(`SIGKILL ${when}: the restart sends the same transaction, paid once`, async () => {
        proxy.setMode(mode);
        const waas = await startService();
        const user = await waas.registerEmail({ email: `crash-${mode}-${Date.now()}@example.test` });
        const uid = Number(user.uid);
        await fundAccount({ store, clock: systemClock }, userAccount(Number(merchant.id), uid, ethCoinId), parseEther('3'));
        const to = freshRecipient();
        const heldBefore = proxy.held.length;
        const { id } = await waas.withdraw({ request_id: `crash-${mode}`, from_uid: uid, to_address: to, amount: '1.5', symbol: 'ETH' });

        // The broadcast is held: the row is committed as signed, never recorded as sent.
        const stored = await waitFor('the signed transaction and its held broadcast', 20_000, async () => {
          const [row] = await txsOf(id);
          return row && proxy.held.length > heldBefore ? row : undefined;
        });
        await serve!.kill('SIGKILL');
        const [atKill] = await txsOf(id);
        assert.equal(atKill!.state, 'signed');
        assert.equal(atKill!.broadcasts, 0);
        assert.equal(proxy.held.at(-1)!.raw, stored.raw, 'the held broadcast carried the stored bytes');
        const nodeHadIt = (await client.getTransactionCount({ address: hot as `0x${string}` })) > Number(stored.sequence);
        assert.equal(nodeHadIt, mode === 'hold-after-node');
        assert.equal((await withdrawalOf(id)).txid, stored.hash, 'the withdrawal was claimed with the stored hash');

        proxy.setMode('pass');
        await startService();
        const settled = await untilSettled(id);
        // The scanner past every block so far, so the chain audit below compares everything.
        const head = Number(await client.getBlockNumber());
        await waitFor('the scanner at the head', 20_000, async () => {
          const cursor = await store.db.selectFrom('chain_cursors').select('scanned_height').where('chain', '=', chainId).executeTakeFirst();
          return cursor && Number(cursor.scanned_height) >= head ? true : undefined;
        });
        await serve!.kill('SIGTERM');

        assert.equal(settled.status, WithdrawStatus.Succeeded);
        assert.equal(settled.txid, stored.hash, 'the same transaction');
        const txs = await txsOf(id);
        assert.equal(txs.length, 1, 'never re-created');
        assert.equal(txs[0]!.hash, stored.hash);
        assert.equal(Number(txs[0]!.sequence), Number(stored.sequence), 'the same nonce');
        assert.equal(txs[0]!.state, 'confirmed');
        const receipt = await client.getTransactionReceipt({ hash: stored.hash as `0x${string}` });
        assert.equal(receipt.status, 'success');
        assert.equal(await client.getBalance({ address: to as `0x${string}` }), parseEther('1.499'), 'paid exactly once');
        const nonces = await store.db.selectFrom('chain_txs').select('sequence').where('from_address', '=', hot).execute();
        assert.equal(new Set(nonces.map((n) => Number(n.sequence))).size, nonces.length, 'no nonce given twice');
        // `openwaas audit --chain`: the ledger, and the ledger against the wallets' real balances.
        const out = { stdout: '', stderr: '' };
        const sink = (key: 'stdout' | 'stderr') => new Writable({ write(chunk, _enc, done) { out[key] += String(chunk); done(); } });
        const env = { DATABASE_URL: database.url, ...insecureDevKeysEnvValue, OPENWAAS_HD_MNEMONIC: chainTestMnemonic, OPENWAAS_CHAINS: JSON.stringify([{ id: chainId, rpcUrl: anvil.rpcUrl }]), OPENWAAS_KEYSTORE: join(keysDir, 'no-keystore.json'), LOG_LEVEL: 'silent' };
        const code = await runCli(['audit', '--chain', '--json'], { stdout: sink('stdout'), stderr: sink('stderr'), env, cwd: process.cwd() });
        assert.equal(code, 0, out.stdout + out.stderr);
        const audit = JSON.parse(out.stdout) as { findings: unknown[]; chain: Array<{ symbol: string; status: string }> };
        assert.deepEqual(audit.findings, []);
        assert.deepEqual(audit.chain.map((l) => [l.symbol, l.status]), [['ETH', 'ok'], ['USDT', 'ok']]);
      });
    }
  });
});
