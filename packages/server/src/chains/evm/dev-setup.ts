import { getAddress, parseEther, type Address, type Hex } from 'viem';
import { mnemonicToAccount } from 'viem/accounts';
import { ANVIL_DEFAULT_MNEMONIC } from './anvil.js';
import { createEvmClients } from './client.js';
import { deployDemoToken, mintDemoToken } from './erc20.js';

/** Where the demo USDT lands: the first contract anvil's account 0 deploys (nonce 0). */
export const DEMO_USDT_ADDRESS = '0x5fbdb2315678afecb367f032d93f642f64180aa3';

/** Anvil dev account `index` (10,000 ETH each on a fresh node). Account 0 deploys and mints; others play depositors. */
export function devAccount(index: number, mnemonic: string = ANVIL_DEFAULT_MNEMONIC) {
  return mnemonicToAccount(mnemonic, { addressIndex: index });
}

export interface DevChainFunding {
  rpcUrl: string;
  chainId: number;
  hotAddress: string;
  feeAddress: string;
  /** ETH (decimal) sent to the hot wallet (pays withdrawals and their gas). */
  hotEth?: string;
  /** Demo USDT (base units) minted to the hot wallet. */
  hotUsdtUnits?: bigint;
  /** ETH (decimal) sent to the fee wallet (gas top-ups of token sweeps). */
  feeEth?: string;
}

/**
 * Prepares a local dev chain (anvil) for the service: deploys the demo USDT from dev account 0
 * unless the chain already has code at its address, and funds the hot and fee wallets from dev
 * account 0 when they hold nothing yet. Idempotent: a restarted sandbox on a persisted chain
 * is left as it is. Resolves with the token address.
 */
export async function prepareDevChain(input: DevChainFunding): Promise<{ usdt: Address; funded: boolean }> {
  const owner = devAccount(0);
  const { publicClient, walletClient } = createEvmClients({ rpcUrl: input.rpcUrl, chainId: input.chainId, dev: true }, owner);
  let usdt = getAddress(DEMO_USDT_ADDRESS);
  const code = await publicClient.getCode({ address: usdt });
  if (!code || code === '0x') {
    const deployed = await deployDemoToken(walletClient, publicClient);
    if (deployed.toLowerCase() !== DEMO_USDT_ADDRESS) usdt = deployed;
  }
  const hot = getAddress(input.hotAddress);
  const fee = getAddress(input.feeAddress);
  const hotBalance = await publicClient.getBalance({ address: hot });
  const feeBalance = await publicClient.getBalance({ address: fee });
  let funded = false;
  const send = async (to: Address, eth: string) => {
    const hash = await walletClient.sendTransaction({ to, value: parseEther(eth), account: owner, chain: walletClient.chain });
    const receipt = await publicClient.waitForTransactionReceipt({ hash: hash as Hex });
    if (receipt.status !== 'success') throw new Error(`funding ${to} failed (${hash})`);
    funded = true;
  };
  if (hotBalance === 0n && input.hotEth) await send(hot, input.hotEth);
  if (feeBalance === 0n && input.feeEth) await send(fee, input.feeEth);
  if (input.hotUsdtUnits && hotBalance === 0n) {
    await mintDemoToken(walletClient, publicClient, usdt, hot, input.hotUsdtUnits);
    funded = true;
  }
  return { usdt, funded };
}
