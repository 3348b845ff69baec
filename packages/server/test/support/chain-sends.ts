import assert from 'node:assert/strict';
import type { Notification } from '@openwaas/sdk';
import { encodeAbiParameters, keccak256, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAddress } from 'viem/accounts';
import type { ChainTx, Withdrawal } from '../../src/store/schema.js';
import { broadcastTick } from '../../src/workers/broadcaster.js';
import { scanTick } from '../../src/workers/scanner.js';
import { sweepTick } from '../../src/workers/sweeper.js';
import type { ChainWorld } from './chain-world.js';
import { statusesInWriteOrder } from './notifications.js';

/**
 * Helpers of the chain-send suites (withdrawals, sweeps, crash): withdrawals through the SDK,
 * the stored transactions behind them, anvil's dev-only RPC calls the tests use to make a
 * transaction stuck, dropped or reverted, and a driver for worlds started with workers off
 * (ticks run by the test, one at a time, so every step is deterministic).
 */

let requestSeq = 0;

/** A fresh address nobody holds funds at (a withdrawal's recipient). */
export function freshRecipient(): string {
  return privateKeyToAddress(generatePrivateKey()).toLowerCase();
}

/** Requests a withdrawal through the SDK; resolves with its id (auto-approved: status 1). */
export async function withdraw(world: ChainWorld, input: { uid: number; symbol: string; amount: string; to: string }): Promise<number> {
  const r = await world.t.client.withdraw({ request_id: `chain-send-${process.pid}-${++requestSeq}-${Date.now()}`, from_uid: input.uid, to_address: input.to, amount: input.amount, symbol: input.symbol });
  assert.equal(r.status, 1, 'auto-approved on-chain withdrawal');
  assert.equal(r.withdraw_type, 1);
  return r.id;
}

export function withdrawalRow(world: ChainWorld, id: number): Promise<Withdrawal> {
  return world.t.ctx.store.db.selectFrom('withdrawals').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

/** Stored transactions of a payment (withdrawal id, or sweep id for sweeps and top-ups), oldest first. */
export function txsOf(world: ChainWorld, purpose: ChainTx['purpose'] | Array<ChainTx['purpose']>, refId: number): Promise<ChainTx[]> {
  return world.t.ctx.store.db
    .selectFrom('chain_txs')
    .selectAll()
    .where('purpose', 'in', Array.isArray(purpose) ? purpose : [purpose])
    .where('ref_id', '=', refId)
    .orderBy('id')
    .execute();
}

/** Withdrawal statuses the demo merchant was notified of for withdrawal `id`, in the order the service wrote them (not arrival order). */
export function notifiedWithdrawStatuses(notifications: readonly Notification[], id: number): string[] {
  return statusesInWriteOrder(notifications, 'withdraw', id);
}

/** Statuses of withdrawal `id` written to the outbox (workers off: nothing is delivered). */
export async function outboxWithdrawStatuses(world: ChainWorld, id: number): Promise<string[]> {
  const rows = await world.t.ctx.store.db.selectFrom('notifications').select('payload').where('side', '=', 'withdraw').where('record_id', '=', id).orderBy('id').execute();
  return rows.map((r) => (JSON.parse(r.payload) as { status: string }).status);
}

// ---- anvil dev RPC -----------------------------------------------------------------------------

async function rpc<T>(world: ChainWorld, method: string, params: unknown[]): Promise<T> {
  return (await world.client.request({ method, params } as never)) as T;
}

export const setAutomine = (world: ChainWorld, on: boolean) => rpc(world, 'evm_setAutomine', [on]);
/** Removes a pending transaction from anvil's pool, as a node evicting it would. */
export const dropFromPool = (world: ChainWorld, hash: string) => rpc(world, 'anvil_dropTransaction', [hash]);
export const sendRaw = (world: ChainWorld, raw: string) => rpc<string>(world, 'eth_sendRawTransaction', [raw]);

/**
 * Sends a transaction from `from` without its key (anvil impersonation): stands for someone
 * else using one of our wallets' keys, e.g. spending a nonce the service assigned.
 */
export async function sendAs(world: ChainWorld, from: string, tx: { to: string; value: bigint; nonce?: number; maxFeePerGas?: bigint; maxPriorityFeePerGas?: bigint }): Promise<string> {
  await rpc(world, 'anvil_impersonateAccount', [from]);
  try {
    const hex = (v: bigint | number) => `0x${v.toString(16)}`;
    return await rpc<string>(world, 'eth_sendTransaction', [
      {
        from,
        to: tx.to,
        value: hex(tx.value),
        gas: hex(21_000),
        ...(tx.nonce !== undefined ? { nonce: hex(tx.nonce) } : {}),
        ...(tx.maxFeePerGas !== undefined ? { maxFeePerGas: hex(tx.maxFeePerGas) } : {}),
        ...(tx.maxPriorityFeePerGas !== undefined ? { maxPriorityFeePerGas: hex(tx.maxPriorityFeePerGas) } : {}),
      },
    ]);
  } finally {
    await rpc(world, 'anvil_stopImpersonatingAccount', [from]);
  }
}

/**
 * Sets `holder`'s balance in the demo USDT (OpenZeppelin ERC20: `_balances` is storage slot 0)
 * straight in the chain state: tokens leaving the hot wallet outside the service.
 */
export async function setTokenBalance(world: ChainWorld, holder: string, units: bigint): Promise<void> {
  const slot = keccak256(encodeAbiParameters([{ type: 'address' }, { type: 'uint256' }], [holder as Hex, 0n]));
  await rpc(world, 'anvil_setStorageAt', [world.usdt, slot, `0x${units.toString(16).padStart(64, '0')}`]);
}

// ---- driving a world with workers off ----------------------------------------------------------

/** The three chain loops of a workers-off world, run by the test. */
export function manualTicks(world: ChainWorld) {
  const signal = new AbortController().signal;
  const { ctx } = world.t;
  const chain = world.chain;
  const drain = async (tick: () => Promise<boolean>) => {
    for (let i = 0; i < 50 && (await tick()); i++);
  };
  return {
    /** Scanner until caught up (treasury receipts of refills, deposits). */
    scan: () => drain(() => scanTick(ctx, chain, signal)),
    broadcast: () => drain(() => broadcastTick(ctx, chain, signal)),
    sweep: () => drain(() => sweepTick(ctx, chain, signal)),
  };
}
