import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createConfirmationResponder, createNotificationHandler, toNodeHttpHandler, type Notification } from '@openwaas/sdk';
import { erc20Abi, getAddress, parseEther, type Address, type Hex } from 'viem';
import { startAnvil, type AnvilInstance, type StartAnvilOptions } from '../../src/chains/evm/anvil.js';
import { createEvmClients, mine, type EvmPublicClient } from '../../src/chains/evm/client.js';
import { devAccount, prepareDevChain } from '../../src/chains/evm/dev-setup.js';
import type { ChainHandle } from '../../src/chains/registry.js';
import type { ChainConfig, ServiceConfig } from '../../src/config/config.js';
import { updateMerchant } from '../../src/modules/merchants/index.js';
import { startTestService, type DatabaseKind, type TestService } from './service.js';

/**
 * The service's seed in chain tests: a valid BIP-39 phrase that is not anvil's, so hot, fee and
 * deposit wallets never coincide with anvil's pre-funded dev accounts.
 */
export const chainTestMnemonic = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';

/** Decimal ETH / USDT the hot and fee wallets start with. */
export const hotWalletEth = '50';
export const hotWalletUsdt = 100_000n * 10n ** 6n;
export const feeWalletEth = '20';

export interface ChainWorld {
  t: TestService;
  anvil: AnvilInstance;
  chain: ChainHandle;
  /** A public client on the node (balances, receipts). */
  client: EvmPublicClient;
  usdt: Address;
  /** Every notification the demo merchant received, in arrival order. */
  notifications: Notification[];
  /** Mines `n` blocks (anvil_mine). */
  mine(n?: number): Promise<void>;
  /** Sends native ETH (decimal) from dev account `from` (default 1) to `to`; resolves with the mined tx hash. */
  sendEth(to: string, eth: string, from?: number): Promise<Hex>;
  /** Transfers demo USDT (base units) from dev account `from` (default 1; minted to it first) to `to`. */
  sendUsdt(to: string, units: bigint, from?: number): Promise<Hex>;
  /** The user's deposit address for `symbol` through the API. */
  depositAddress(uid: number, symbol?: string): Promise<string>;
  /** A new user of the demo merchant. */
  newUser(): Promise<number>;
  /** Polls `check` until it returns a value other than undefined/false. */
  until<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

export interface StartChainWorldOptions {
  kind: DatabaseKind;
  /** Overrides of the chain's settings (pollIntervalMs 100, startBlock 0 by default). */
  chain?: Partial<ChainConfig>;
  /** Service settings; `chains` here are followed besides the world's own chain. */
  config?: Partial<ServiceConfig>;
  anvil?: StartAnvilOptions;
  /** Don't fund the hot wallet (dry hot wallet tests). */
  unfundedHotWallet?: boolean;
}

let userSeq = 0;

/**
 * A real anvil node (demo USDT deployed, hot and fee wallets funded from dev account 0), a
 * service on a fresh `kind` database following it with workers on, coins ETH and USDT
 * (confirmations 2) pointing at the deployed token, and a demo merchant whose app approves
 * every confirmation and records every notification.
 */
export async function startChainWorld(options: StartChainWorldOptions): Promise<ChainWorld> {
  const anvil = await startAnvil(options.anvil);
  let t: TestService | undefined;
  let merchantApp: Server | undefined;
  try {
    const { publicClient: client } = createEvmClients({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, dev: true });
    const chainConfig = { id: `evm:${anvil.chainId}`, rpcUrl: anvil.rpcUrl, pollIntervalMs: 100, startBlock: 0, stuckAfterMs: 3_000, dropAfterMs: 10_000, ...options.chain };
    t = await startTestService({
      kind: options.kind,
      config: { workers: true, notifyScheduleMs: [200, 500, 1_000], hdMnemonic: chainTestMnemonic, ...options.config, chains: [chainConfig as ChainConfig, ...(options.config?.chains ?? [])] },
    });
    const chain = t.ctx.chains.get(chainConfig.id)!;
    const { usdt } = await prepareDevChain({
      rpcUrl: anvil.rpcUrl,
      chainId: anvil.chainId,
      hotAddress: chain.hotAddress,
      feeAddress: chain.feeAddress,
      ...(options.unfundedHotWallet ? {} : { hotEth: hotWalletEth, hotUsdtUnits: hotWalletUsdt }),
      feeEth: feeWalletEth,
    });
    // The test coins name the first deployment's address; say so if anvil ever disagrees.
    if (usdt.toLowerCase() !== t.coins.USDT.contract_address) throw new Error(`demo USDT deployed at ${usdt}, test coin says ${t.coins.USDT.contract_address}`);

    const notifications: Notification[] = [];
    const confirm = toNodeHttpHandler(
      createConfirmationResponder({ walletPublicKey: t.walletPublicKeyPem, privateKey: t.merchantPrivateKeyPem, approveWithdraw: () => true, approveTransfer: () => true }),
    );
    const notify = toNodeHttpHandler(createNotificationHandler({ walletPublicKey: t.walletPublicKeyPem, onNotification: (n) => void notifications.push(n) }));
    merchantApp = createServer((req, res) => ((req.url ?? '').startsWith('/confirm') ? confirm(req, res) : notify(req, res)));
    await new Promise<void>((resolve) => merchantApp!.listen(0, '127.0.0.1', resolve));
    const root = `http://127.0.0.1:${(merchantApp.address() as AddressInfo).port}`;
    await updateMerchant(t.ctx.store.db, t.appId, { confirmUrl: `${root}/confirm`, notifyUrl: `${root}/notify` });

    const wallet = (index: number) => createEvmClients({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, dev: true }, devAccount(index)).walletClient;
    const mined = async (hash: Hex) => {
      const receipt = await client.waitForTransactionReceipt({ hash });
      if (receipt.status !== 'success') throw new Error(`transaction ${hash} reverted`);
      return hash;
    };
    const service = t;
    const app = merchantApp;
    const world: ChainWorld = {
      t,
      anvil,
      chain,
      client,
      usdt,
      notifications,
      mine: (n = 1) => mine(client, n),
      async sendEth(to, eth, from = 1) {
        const w = wallet(from);
        return mined(await w.sendTransaction({ to: getAddress(to), value: parseEther(eth), account: w.account, chain: w.chain }));
      },
      async sendUsdt(to, units, from = 1) {
        const owner = wallet(0);
        const sender = wallet(from);
        if (from !== 0) {
          await mined(await owner.writeContract({ address: usdt, abi: [{ type: 'function', name: 'mint', stateMutability: 'nonpayable', inputs: [{ name: 'to', type: 'address' }, { name: 'amount', type: 'uint256' }], outputs: [] }] as const, functionName: 'mint', args: [sender.account.address, units], account: owner.account, chain: owner.chain }));
        }
        return mined(await sender.writeContract({ address: usdt, abi: erc20Abi, functionName: 'transfer', args: [getAddress(to), units], account: sender.account, chain: sender.chain }));
      },
      async depositAddress(uid, symbol = 'ETH') {
        return (await service.client.getDepositAddress({ uid, symbol })).address.toLowerCase();
      },
      async newUser() {
        const user = await service.client.registerEmail({ email: `chain-user-${process.pid}-${++userSeq}-${Date.now()}@example.test` });
        return Number(user.uid);
      },
      async until(what, check, timeoutMs = 60_000) {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const value = await check();
          if (value !== undefined && value !== false) return value as never;
          if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
          await new Promise((r) => setTimeout(r, 50));
        }
      },
      async close() {
        await service.close();
        await new Promise<void>((resolve) => {
          app.closeAllConnections();
          app.close(() => resolve());
        });
        await anvil.stop();
      },
    };
    return world;
  } catch (error) {
    await t?.close();
    merchantApp?.close();
    await anvil.stop();
    throw error;
  }
}
