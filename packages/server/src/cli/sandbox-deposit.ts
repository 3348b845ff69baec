import { resolve } from 'node:path';
import { DepositStatus } from '@openwaas/sdk';
import { erc20Abi, getAddress, type Hex } from 'viem';
import { addressCodec } from '../chains/address-codec.js';
import { createEvmClients } from '../chains/evm/client.js';
import { devAccount } from '../chains/evm/dev-setup.js';
import { demoUsdtAbi } from '../chains/evm/erc20.js';
import { formatAmount, parseAmount } from '../money/amount.js';
import { findCoinBySymbol } from '../modules/coins/index.js';
import { sandboxDepositPollMs, sandboxDepositTimeoutDefaultSeconds, sandboxDepositTimeoutMaxSeconds, sandboxReceiptTimeoutMs } from '../limits.js';
import { issueDepositAddress } from '../modules/addresses/index.js';
import { findDepositOfTransaction } from '../modules/deposits/index.js';
import { findUserById } from '../modules/merchants/index.js';
import { CommandFailed, exitCode, flag, idArg, leaf, print, str, UsageError, whole } from './args.js';
import { withContext } from './context.js';
import { demoDirDefault } from './demo.js';
import { readSandboxChainInfo, sandboxKeys } from './sandbox-chain.js';
import { runningSandbox } from './sandbox-lock.js';

const depositStatusNames: Record<number, string> = { 0: 'awaiting confirmations', 1: 'credited', 2: 'failed', 4: 'awaiting KYT', 5: 'KYT review', 6: 'circuit-breaker review' };

export const sandboxDeposit = leaf({
  name: 'sandbox deposit',
  summary: 'send a real on-chain deposit to a user of the running sandbox',
  help: `sandbox deposit <uid> <symbol> <amount> [--dir DIR] [--from N] [--wait] [--timeout SECONDS]

Sends <amount> of <symbol> (ETH, or the demo USDT) on the sandbox's local chain from one of
anvil's funded dev accounts to the deposit address of user <uid> (issued now if the user has
none yet), exactly as an outside wallet would. The sandbox's scanner then finds it, the demo
merchant gets a notification at once (status 0) and another when it is credited after the
coin's confirmations (status 1).

  --dir DIR          the sandbox's demo folder (default ${demoDirDefault})
  --from N           anvil dev account that pays (default 1; 1–9)
  --wait             wait until the deposit leaves status 0 and print its final status
  --timeout SECONDS  how long --wait waits (default ${sandboxDepositTimeoutDefaultSeconds})`,
  options: { dir: { type: 'string' }, from: { type: 'string' }, wait: { type: 'boolean' }, timeout: { type: 'string' } },
  positionals: { min: 3, max: 3 },
  async run(p, io) {
    const [uidText, symbolText, amountText] = p.positionals;
    if (uidText === undefined || symbolText === undefined || amountText === undefined) throw new UsageError('expected <uid> <symbol> <amount>', 'sandbox deposit');
    const uid = idArg(uidText, 'uid', 'sandbox deposit');
    // The form is checked before anything is read, so a typo is a usage error whatever the sandbox's state.
    if (!/^\d+(\.\d+)?$/.test(amountText)) throw new UsageError(`amount ${amountText} is not a decimal amount like 25 or 0.5`, 'sandbox deposit');
    // The coins repository matches symbols in any case ("usdt" is USDT), as the API does.
    const symbol = symbolText;
    const fromText = str(p, 'from');
    const from = fromText === undefined ? 1 : whole(fromText, '--from', 'sandbox deposit', { min: 1, max: 9 });
    const timeoutText = str(p, 'timeout');
    const timeoutMs = (timeoutText === undefined ? sandboxDepositTimeoutDefaultSeconds : whole(timeoutText, '--timeout', 'sandbox deposit', { min: 1, max: sandboxDepositTimeoutMaxSeconds })) * 1_000;
    const dir = resolve(io.cwd, str(p, 'dir') ?? demoDirDefault);
    const running = runningSandbox(dir);
    if (!running) throw new CommandFailed(`no sandbox is running in ${dir}: start it with 'openwaas sandbox' first`);
    if (running.chain === false) {
      throw new CommandFailed(
        `the sandbox running in ${dir} (pid ${running.pid}) has no chain (started with --no-chain): there is nothing to send a deposit on; credit the user through the operator API (POST ${running.operator ?? '<operator API>'}/balances/credit) or restart the sandbox without --no-chain`,
      );
    }
    const info = readSandboxChainInfo(dir);

    const result = await withContext(io, async (ctx) => {
      const coin = await findCoinBySymbol(ctx.store.db, symbol);
      if (!coin) throw new CommandFailed(`no coin ${symbol}`);
      if (coin.chain !== info.chain) throw new CommandFailed(`${symbol} is on ${coin.chain}, not on the sandbox chain ${info.chain}`);
      const user = await findUserById(ctx.store.db, uid);
      if (!user) throw new CommandFailed(`no user ${uid}`);
      let units: bigint;
      try {
        units = parseAmount(amountText, coin.decimals);
      } catch {
        throw new UsageError(`amount ${amountText} is not a positive ${symbol} amount with at most ${coin.decimals} decimals`, 'sandbox deposit');
      }
      if (units <= 0n) throw new UsageError('amount must be positive', 'sandbox deposit');

      // Issuing an address derives it from the seed: the sandbox's key store, unlocked here.
      const keys = await sandboxKeys(dir);
      const { address } = await issueDepositAddress({ ...ctx, addresses: keys.ring }, { user, coin });
      keys.ring.lock();

      const sender = devAccount(from);
      const { publicClient, walletClient } = createEvmClients({ rpcUrl: info.rpc_url, chainId: info.chain_id, dev: true }, sender);
      const mined = async (hash: Hex) => {
        const receipt = await publicClient.waitForTransactionReceipt({ hash, timeout: sandboxReceiptTimeoutMs });
        if (receipt.status !== 'success') throw new CommandFailed(`transaction ${hash} reverted`);
        return receipt;
      };
      let hash: Hex;
      if (coin.contract_address === '') {
        hash = await walletClient.sendTransaction({ to: getAddress(address), value: units, account: sender, chain: walletClient.chain });
      } else {
        const token = getAddress(coin.contract_address);
        const balance = await publicClient.readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [sender.address] });
        if (balance < units) {
          // The dev account gets the demo tokens it lacks from the token's owner (dev account 0), like a faucet.
          const owner = createEvmClients({ rpcUrl: info.rpc_url, chainId: info.chain_id, dev: true }, devAccount(0)).walletClient;
          await mined(await owner.writeContract({ address: token, abi: demoUsdtAbi, functionName: 'mint', args: [sender.address, units - balance], account: owner.account, chain: owner.chain }));
        }
        hash = await walletClient.writeContract({ address: token, abi: erc20Abi, functionName: 'transfer', args: [getAddress(address), units], account: sender, chain: walletClient.chain });
      }
      const receipt = await mined(hash);
      const out = {
        uid,
        // Asked in any case ("usdt"), answered in the coin's configured case.
        symbol: coin.symbol,
        amount: formatAmount(units, coin.decimals),
        from: addressCodec(coin.chain).canonical(sender.address),
        address,
        txid: hash,
        block: Number(receipt.blockNumber),
        confirmations_needed: coin.confirmations,
        status: undefined as number | undefined,
        status_name: undefined as string | undefined,
        deposit_id: undefined as number | undefined,
      };
      if (flag(p, 'wait')) {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const d = await findDepositOfTransaction(ctx.store.db, hash.toLowerCase());
          if (d && d.status !== DepositStatus.Confirming) {
            out.deposit_id = d.id;
            out.status = d.status;
            out.status_name = depositStatusNames[d.status] ?? String(d.status);
            break;
          }
          if (Date.now() > deadline) throw new CommandFailed(`deposit ${hash} not settled within ${timeoutMs / 1000} s: is the sandbox running?`);
          await new Promise((r) => setTimeout(r, sandboxDepositPollMs));
        }
      }
      return out;
    });
    print(io, p, result, () =>
      [
        `sent ${result.amount} ${result.symbol} from ${result.from} to ${result.address} (uid ${uid})`,
        `  txid ${result.txid}, block ${result.block}`,
        result.status === undefined
          ? `  the sandbox credits it after ${result.confirmations_needed} confirmations; see it with syncDepositList or in the demo merchant's output`
          : `  deposit ${result.deposit_id}: status ${result.status} (${result.status_name})`,
      ].join('\n') + '\n',
    );
    return result.status === undefined || result.status === DepositStatus.Succeeded ? exitCode.ok : exitCode.failed;
  },
});
