/**
 * The local EVM dev chain the sandbox and chain tests run on: anvil from npm, viem clients,
 * the demo USDT, tracing and reorgs (snapshot/revert) as the deposit scanner will see them.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseEther, type Address } from 'viem';
import { mnemonicToAccount } from 'viem/accounts';
import { ANVIL_DEFAULT_MNEMONIC, anvilPackageName, resolveAnvilBinary, startAnvil, type AnvilInstance } from '../src/chains/evm/anvil.js';
import {
  createEvmClients,
  getNativeBalance,
  getTokenBalance,
  mine,
  revert,
  setAutomine,
  snapshot,
  type EvmPublicClient,
  type EvmWalletClient,
} from '../src/chains/evm/client.js';
import { DEMO_USDT, demoUsdtAbi, deployDemoToken, erc20Abi, mintDemoToken } from '../src/chains/evm/erc20.js';
import { HdAddressAllocator } from '../src/keys/address-allocator.js';

const recipientMnemonic = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';

/** Alive and not a zombie (an orphan's zombie may linger until PID 1 reaps it). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

async function waitUntilGone(pid: number, ms = 30_000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 20))) {
    if (!isRunning(pid)) return true;
  }
  return false;
}

describe('anvil dev chain', () => {
  let anvil: AnvilInstance;
  let publicClient: EvmPublicClient;
  let walletClient: EvmWalletClient;
  const dev = mnemonicToAccount(ANVIL_DEFAULT_MNEMONIC);
  // A deposit address as the allocator derives it (m/44'/60'/1'/0/7), seen through viem's own derivation.
  const recipient = mnemonicToAccount(recipientMnemonic, { path: "m/44'/60'/1'/0/7" });
  let token: Address;
  let transferBlock: bigint;

  before(async () => {
    anvil = await startAnvil();
    ({ publicClient, walletClient } = createEvmClients({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId }, dev));
  });
  after(async () => {
    await anvil?.stop();
  });

  it('listens on 127.0.0.1 with chain id 31337 and a funded dev account', async () => {
    assert.match(anvil.rpcUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(anvil.chainId, 31337);
    assert.equal(await publicClient.getChainId(), 31337);
    assert.equal(await getNativeBalance(publicClient, dev.address), parseEther('10000'));
  });

  it('sends ETH to a derived deposit address and reads its balance', async () => {
    assert.equal(new HdAddressAllocator(recipientMnemonic).deriveAddress('evm:31337', 7), recipient.address.toLowerCase());
    const hash = await walletClient.sendTransaction({ to: recipient.address, value: parseEther('1.5') });
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    assert.equal(receipt.status, 'success');
    assert.equal(await getNativeBalance(publicClient, recipient.address), parseEther('1.5'));
    assert.equal(await getNativeBalance(publicClient, recipient.address, receipt.blockNumber - 1n), 0n);
  });

  it('deploys the demo USDT, mints, transfers, and finds the Transfer log', async () => {
    token = await deployDemoToken(walletClient, publicClient);
    const read = (functionName: 'name' | 'symbol' | 'decimals') => publicClient.readContract({ address: token, abi: erc20Abi, functionName });
    assert.deepEqual([await read('name'), await read('symbol'), await read('decimals')], [DEMO_USDT.name, DEMO_USDT.symbol, DEMO_USDT.decimals]);

    await mintDemoToken(walletClient, publicClient, token, dev.address, 1_000_000_000n); // 1,000 USDT
    const hash = await walletClient.writeContract({ address: token, abi: erc20Abi, functionName: 'transfer', args: [recipient.address, 250_500_000n] });
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    transferBlock = receipt.blockNumber;
    assert.equal(await getTokenBalance(publicClient, token, dev.address), 749_500_000n);
    assert.equal(await getTokenBalance(publicClient, token, recipient.address), 250_500_000n);

    const logs = await publicClient.getLogs({
      address: token,
      event: erc20Abi.find((x) => x.type === 'event' && x.name === 'Transfer')!,
      args: { to: recipient.address },
      fromBlock: 0n,
      toBlock: 'latest',
    });
    assert.equal(logs.length, 1);
    const [log] = logs;
    assert.equal(log!.transactionHash, hash);
    assert.equal(log!.blockNumber, transferBlock);
    assert.deepEqual(log!.args, { from: dev.address, to: recipient.address, value: 250_500_000n });

    // Only the owner mints.
    const stranger = mnemonicToAccount(ANVIL_DEFAULT_MNEMONIC, { addressIndex: 1 });
    await assert.rejects(
      publicClient.simulateContract({ address: token, abi: demoUsdtAbi, functionName: 'mint', args: [stranger.address, 1n], account: stranger }),
      /OwnableUnauthorizedAccount/,
    );
  });

  it('anvil_mine advances the height at once (no stale cached block number)', async () => {
    const before = await publicClient.getBlockNumber();
    await mine(publicClient, 5);
    assert.equal(await publicClient.getBlockNumber(), before + 5n);
  });

  it('answers debug_traceBlockByNumber and trace_block for a block with a contract call', async () => {
    const blockHex = `0x${transferBlock.toString(16)}`;
    const geth = (await publicClient.request({
      method: 'debug_traceBlockByNumber',
      params: [blockHex, { tracer: 'callTracer' }],
    } as never)) as { result?: { to?: string; type?: string } }[];
    assert.ok(Array.isArray(geth) && geth.length === 1, JSON.stringify(geth));
    assert.equal(geth[0]!.result?.to?.toLowerCase(), token.toLowerCase());

    const parity = (await publicClient.request({ method: 'trace_block', params: [blockHex] } as never)) as { action?: { to?: string } }[];
    assert.ok(Array.isArray(parity) && parity.length >= 1, JSON.stringify(parity));
    assert.equal(parity[0]!.action?.to?.toLowerCase(), token.toLowerCase());
  });

  it('manual mining: with automine off a transaction waits in the pool until a block is mined', async () => {
    await setAutomine(publicClient, false);
    try {
      const height = await publicClient.getBlockNumber();
      const hash = await walletClient.sendTransaction({ to: recipient.address, value: 1n });
      await assert.rejects(publicClient.getTransactionReceipt({ hash }), { name: 'TransactionReceiptNotFoundError' });
      await mine(publicClient, 1);
      const receipt = await publicClient.getTransactionReceipt({ hash });
      assert.equal(receipt.blockNumber, height + 1n);
    } finally {
      await setAutomine(publicClient, true);
    }
  });

  it('evm_snapshot / evm_revert reorganise a transaction away', async () => {
    const id = await snapshot(publicClient);
    const height = await publicClient.getBlockNumber();
    const balance = await getNativeBalance(publicClient, recipient.address);
    const hash = await walletClient.sendTransaction({ to: recipient.address, value: parseEther('2') });
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    assert.equal(receipt.blockNumber, height + 1n);
    const reorgedBlockHash = receipt.blockHash;

    assert.equal(await revert(publicClient, id), true);
    assert.equal(await publicClient.getBlockNumber(), height);
    await assert.rejects(publicClient.getTransactionReceipt({ hash }), { name: 'TransactionReceiptNotFoundError' });
    await assert.rejects(publicClient.getBlock({ blockHash: reorgedBlockHash }), { name: 'BlockNotFoundError' });
    assert.equal(await getNativeBalance(publicClient, recipient.address), balance);
    // The next block at that height is a different block.
    await mine(publicClient, 1);
    assert.notEqual((await publicClient.getBlock({ blockNumber: height + 1n })).hash, reorgedBlockHash);
  });

  it('stop() ends the process and is idempotent', async () => {
    const pid = anvil.process.pid!;
    assert.ok(isRunning(pid));
    await anvil.stop();
    await anvil.stop();
    assert.ok(anvil.process.exitCode !== null || anvil.process.signalCode !== null);
    assert.equal(isRunning(pid), false);
    await assert.rejects(publicClient.getBlockNumber());
  });
});

describe('startAnvil options and errors', () => {
  it('interval mining and a custom chain id', async () => {
    const anvil = await startAnvil({ chainId: 4242, blockTimeMs: 100 });
    try {
      const { publicClient } = createEvmClients({ rpcUrl: anvil.rpcUrl, chainId: 4242 , dev: true });
      assert.equal(await publicClient.getChainId(), 4242);
      // Blocks come on their own, with no transaction: wait for two of them.
      const start = await publicClient.getBlockNumber();
      let height = start;
      for (const deadline = Date.now() + 30_000; height < start + 2n && Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
        height = await publicClient.getBlockNumber();
      }
      assert.ok(height >= start + 2n, `two blocks mined without a transaction (from ${start}, at ${height})`);
    } finally {
      await anvil.stop();
    }
    assert.equal(isRunning(anvil.process.pid!), false);
  });

  it('two nodes run side by side on different free ports', async () => {
    const [a, b] = await Promise.all([startAnvil(), startAnvil()]);
    try {
      assert.notEqual(a.rpcUrl, b.rpcUrl);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it('a parent process that exits without stop() takes anvil with it', async () => {
    const anvilModule = new URL('../src/chains/evm/anvil.ts', import.meta.url).href;
    const script = `const { startAnvil } = await import(${JSON.stringify(anvilModule)}); const a = await startAnvil(); console.log(a.process.pid); process.exit(0);`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(child.status, 0, child.stderr);
    const pid = Number(child.stdout.trim());
    assert.ok(pid > 0, child.stdout);
    assert.ok(await waitUntilGone(pid), `anvil ${pid} outlived its parent`);
  });

  it('a missing binary or platform package gives a clear error', async () => {
    await assert.rejects(startAnvil({ binary: '/nonexistent/anvil' }), /could not run anvil \(\/nonexistent\/anvil\): .*ENOENT/);
    await assert.rejects(startAnvil({ extraArgs: ['--no-such-flag'] }), /anvil exited before listening/);
    assert.equal(anvilPackageName('linux', 'x64'), '@foundry-rs/anvil-linux-amd64');
    assert.equal(anvilPackageName('darwin', 'arm64'), '@foundry-rs/anvil-darwin-arm64');
    const saved = process.env.ANVIL_BIN;
    process.env.ANVIL_BIN = '/nonexistent/anvil';
    try {
      assert.throws(() => resolveAnvilBinary(), /ANVIL_BIN points at \/nonexistent\/anvil/);
    } finally {
      if (saved === undefined) delete process.env.ANVIL_BIN;
      else process.env.ANVIL_BIN = saved;
    }
    assert.match(resolveAnvilBinary(), /@foundry-rs\/anvil-linux-amd64\/bin\/anvil$/);
  });
});
