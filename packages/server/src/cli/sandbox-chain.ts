import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { addressCodec } from '../chains/address-codec.js';
import { startAnvil, type AnvilInstance } from '../chains/evm/anvil.js';
import { prepareDevChain } from '../chains/evm/dev-setup.js';
import { chainConfigSchema, type ChainConfig } from '../config/config.js';
import type { KeyRing } from '../keys/keyring.js';
import { initKeystore, unlockKeystore } from '../keys/keystore.js';
import { keyPassphraseEnv } from '../keys/unlock.js';

/** The sandbox's chain: anvil's default chain id, the one the demo coins name. */
export const sandboxChainId = 31337;
export const sandboxChain = `evm:${sandboxChainId}`;

/** What the sandbox writes to DIR/chain.json for `sandbox deposit` and for people. */
export interface SandboxChainInfo {
  rpc_url: string;
  chain: string;
  chain_id: number;
  usdt: string;
  hot_wallet: string;
  fee_wallet: string;
}

export const sandboxFiles = (dir: string) => ({
  keystore: join(dir, 'keystore.json'),
  passphrase: join(dir, 'key-passphrase'),
  chainState: join(dir, 'anvil-state.json'),
  chainInfo: join(dir, 'chain.json'),
});

/**
 * The sandbox's key store: created on first start with a fresh seed, its passphrase kept next
 * to it (0600). Convenient for a sandbox, which holds only play money; a production service
 * takes the passphrase from OPENWAAS_KEY_PASSPHRASE or a prompt, never from a file beside it.
 */
export async function sandboxKeys(dir: string): Promise<{ ring: KeyRing; keystorePath: string; passphrase: string }> {
  const files = sandboxFiles(dir);
  if (!existsSync(files.keystore)) {
    const passphrase = randomBytes(24).toString('base64url');
    writeFileSync(files.passphrase, passphrase + '\n', { mode: 0o600 });
    const { ring } = await initKeystore({ path: files.keystore, passphrase });
    return { ring, keystorePath: files.keystore, passphrase };
  }
  if (!existsSync(files.passphrase)) throw new Error(`${files.keystore} exists but ${files.passphrase} does not: remove the demo folder to start over`);
  const passphrase = readFileSync(files.passphrase, 'utf8').trim();
  return { ring: await unlockKeystore({ path: files.keystore, passphrase }), keystorePath: files.keystore, passphrase };
}

/**
 * Starts anvil for the sandbox, producing a block every `blockTimeMs` so confirmations advance,
 * its state (blocks included) kept in DIR/anvil-state.json across restarts; deploys the demo
 * USDT and funds the hot wallet (ETH + USDT) and the fee wallet (ETH) on first start.
 */
export async function startSandboxChain(input: { dir: string; ring: KeyRing; blockTimeMs: number; /** 0 or absent: any free port. */ port?: number }): Promise<{ anvil: AnvilInstance; info: SandboxChainInfo; chainConfig: ChainConfig }> {
  const files = sandboxFiles(input.dir);
  const anvil = await startAnvil({
    chainId: sandboxChainId,
    blockTimeMs: input.blockTimeMs,
    ...(input.port ? { port: input.port } : {}),
    extraArgs: ['--state', files.chainState, '--state-interval', '5'],
  });
  try {
    const hot = input.ring.hotAddress(sandboxChain);
    const fee = input.ring.feeAddress(sandboxChain);
    const { usdt } = await prepareDevChain({ rpcUrl: anvil.rpcUrl, chainId: sandboxChainId, hotAddress: hot, feeAddress: fee, hotEth: '100', hotUsdtUnits: 1_000_000n * 10n ** 6n, feeEth: '10' });
    const info: SandboxChainInfo = { rpc_url: anvil.rpcUrl, chain: sandboxChain, chain_id: sandboxChainId, usdt: addressCodec(sandboxChain).canonical(usdt), hot_wallet: hot, fee_wallet: fee };
    writeFileSync(files.chainInfo, JSON.stringify(info, null, 2) + '\n');
    const chainConfig = chainConfigSchema.parse({
      id: sandboxChain,
      rpcUrl: anvil.rpcUrl,
      pollIntervalMs: Math.min(500, input.blockTimeMs),
      // From genesis: the scanner sees the hot and fee wallets being funded (treasury receipts).
      startBlock: 0,
      batchBlocks: 200,
      stuckAfterMs: Math.max(10_000, input.blockTimeMs * 10),
    });
    return { anvil, info, chainConfig };
  } catch (error) {
    await anvil.stop();
    throw error;
  }
}

/** DIR/chain.json of a running (or last) sandbox, or a clear error. */
export function readSandboxChainInfo(dir: string): SandboxChainInfo {
  const file = sandboxFiles(dir).chainInfo;
  if (!existsSync(file)) throw new Error(`no sandbox chain in ${dir}: start it with 'openwaas sandbox' first`);
  return JSON.parse(readFileSync(file, 'utf8')) as SandboxChainInfo;
}

/**
 * DIR/env: the settings operator commands need to see the sandbox's chain and keys
 * (`source .openwaas/demo/env`, then `openwaas audit --chain`, `openwaas chain status`).
 */
export function writeOperatorEnv(dir: string, settings: Record<string, string>, options: { /** Export the key store passphrase (a sandbox with a chain). */ passphrase?: boolean; /** Settings an earlier sourcing may have left in the shell. */ unset?: string[] } = {}): void {
  const quote = (v: string) => `'${v.replaceAll("'", "'\\''")}'`;
  const lines = Object.entries(settings).map(([k, v]) => `export ${k}=${quote(v)}`);
  if (options.unset?.length) lines.push(`unset ${options.unset.join(' ')}`);
  if (options.passphrase ?? true) lines.push(`export ${keyPassphraseEnv}="$(cat ${quote(sandboxFiles(dir).passphrase)})"`);
  writeFileSync(join(dir, 'env'), `# The sandbox's settings for operator commands: source this file.\n${lines.join('\n')}\n`, { mode: 0o600 });
}
