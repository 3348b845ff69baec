import type { Account, Address, Chain, PublicClient, Transport, WalletClient } from 'viem';
import { erc20Abi } from 'viem';
import { demoUsdtAbi, demoUsdtBytecode } from './contracts/DemoUSDT.artifact.js';

export { demoUsdtAbi, demoUsdtBytecode, demoUsdtBuild } from './contracts/DemoUSDT.artifact.js';
/** viem's standard ERC-20 ABI (balanceOf, transfer, Transfer event, …) for any token. */
export { erc20Abi };

export const DEMO_USDT = { name: 'Tether USD (demo)', symbol: 'USDT', decimals: 6 } as const;

type Wallet = WalletClient<Transport, Chain | undefined, Account>;

/** Deploys the demo USDT from the wallet's account (which becomes its owner, the only minter); resolves with its address once mined. */
export async function deployDemoToken(walletClient: Wallet, publicClient: PublicClient): Promise<Address> {
  const hash = await walletClient.deployContract({
    abi: demoUsdtAbi,
    bytecode: demoUsdtBytecode,
    account: walletClient.account,
    chain: walletClient.chain,
  });
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success' || !receipt.contractAddress) throw new Error(`demo token deployment ${hash} failed`);
  return receipt.contractAddress;
}

/** Mints `amount` base units of the demo token to `to` (owner only); resolves with the mined transaction hash. */
export async function mintDemoToken(
  walletClient: Wallet,
  publicClient: PublicClient,
  token: Address,
  to: Address,
  amount: bigint,
): Promise<`0x${string}`> {
  const hash = await walletClient.writeContract({
    address: token,
    abi: demoUsdtAbi,
    functionName: 'mint',
    args: [to, amount],
    account: walletClient.account,
    chain: walletClient.chain,
  });
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success') throw new Error(`mint ${hash} reverted`);
  return hash;
}
