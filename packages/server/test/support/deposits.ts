import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { Notification } from '@openwaas/sdk';
import { getAddress, pad, type Hex } from 'viem';
import { createEvmClients } from '../../src/chains/evm/client.js';
import { devAccount } from '../../src/chains/evm/dev-setup.js';
import type { Deposit } from '../../src/store/schema.js';
import type { Db } from '../../src/store/tx.js';
import type { ChainWorld } from './chain-world.js';
import { statusesInWriteOrder } from './notifications.js';

/**
 * A contract that forwards the value of any call to the address in its calldata's first word:
 * CALL(gas, calldata[0..32], callvalue, 0, 0, 0, 0), revert if the call failed. Hand-assembled
 * (23 bytes of runtime behind an 11-byte constructor that returns it) so tests need no compiler.
 * Value it forwards reaches a deposit address inside a contract call: found only by tracing.
 */
/** PUSH1 0x17 DUP1 PUSH1 0x0b PUSH1 0 CODECOPY PUSH1 0 RETURN: returns the 0x17 bytes after it. */
const forwarderConstructor = '601780600b6000396000f3';
/** 4× PUSH1 0, CALLVALUE, PUSH1 0 CALLDATALOAD, GAS, CALL; PUSH1 0x15 JUMPI; PUSH1 0 DUP1 REVERT; JUMPDEST STOP. */
const forwarderRuntime = '600060006000600034600035' + '5af1601557600080fd5b00';
export const forwarderInitCode: Hex = `0x${forwarderConstructor}${forwarderRuntime}`;

/** Deploys the forwarder from dev account `from`; resolves with its address. */
export async function deployForwarder(world: ChainWorld, from = 2): Promise<Hex> {
  const wallet = createEvmClients({ rpcUrl: world.anvil.rpcUrl, chainId: world.anvil.chainId, dev: true }, devAccount(from)).walletClient;
  const hash = await wallet.sendTransaction({ data: forwarderInitCode, account: wallet.account, chain: wallet.chain });
  const receipt = await world.client.waitForTransactionReceipt({ hash });
  assert.equal(receipt.status, 'success');
  assert.ok(receipt.contractAddress, 'forwarder deployed');
  return receipt.contractAddress;
}

/** Sends `wei` through the forwarder to `to` from dev account `from`; resolves with the mined tx hash. */
export async function forwardEth(world: ChainWorld, forwarder: Hex, to: string, wei: bigint, from = 2): Promise<Hex> {
  const wallet = createEvmClients({ rpcUrl: world.anvil.rpcUrl, chainId: world.anvil.chainId, dev: true }, devAccount(from)).walletClient;
  const hash = await wallet.sendTransaction({ to: forwarder, value: wei, data: pad(getAddress(to)), account: wallet.account, chain: wallet.chain });
  const receipt = await world.client.waitForTransactionReceipt({ hash });
  assert.equal(receipt.status, 'success', 'forwarding call succeeded');
  return hash;
}

/** The deposits stored for a transaction. */
export function depositsOfTx(db: Db, txid: string): Promise<Deposit[]> {
  return db.selectFrom('deposits').selectAll().where('txid', '=', txid.toLowerCase()).orderBy('id').execute();
}

/** Waits until the transaction's single deposit satisfies `check`; resolves with it. */
export function untilDeposit(world: ChainWorld, txid: string, what: string, check: (d: Deposit) => boolean): Promise<Deposit> {
  return world.until(what, async () => {
    const rows = await depositsOfTx(world.t.ctx.store.db, txid);
    assert.ok(rows.length <= 1, `one deposit per transfer, found ${rows.length}`);
    return rows[0] && check(rows[0]) ? rows[0] : undefined;
  });
}

/** Statuses the demo merchant was notified of for deposit `id`, in the order the service wrote them (not arrival order). */
export function notifiedStatuses(notifications: readonly Notification[], id: number): string[] {
  return statusesInWriteOrder(notifications, 'deposit', id);
}

/** A TCP port that was free a moment ago (for a node that must come back on the same URL). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
