/**
 * The EVM nonce-slot follower (chains/evm/slot-follower.ts) decides from what the node says
 * alone: these runs give it a scripted node and record which action it takes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BroadcastRefusal, SlotAttempt } from '../src/chains/adapter.js';
import type { TxReceipt } from '../src/chains/evm/send-side.js';
import { firstManagedNonce } from '../src/chains/evm/nonces.js';
import { followSlot } from '../src/chains/evm/slot-follower.js';

const timing = { stuckAfterMs: 1_000, dropAfterMs: 5_000 };
const nowMs = 100_000;

function attempt(over: Partial<SlotAttempt> = {}): SlotAttempt {
  return { txid: '0xa', from: '0xf', sequence: 7, terms: '{"gas_limit":"21000"}', inBlock: false, broadcasts: 1, lastError: '', sentAtMs: nowMs, ...over };
}

function node(over: { receipts?: Record<string, TxReceipt>; known?: boolean; latest?: number; pending?: number } = {}) {
  return {
    receipt: async (hash: string) => over.receipts?.[hash],
    knowsTransaction: async () => over.known ?? true,
    nonce: async (_address: string, tag: 'latest' | 'pending') => (tag === 'latest' ? (over.latest ?? 7) : (over.pending ?? 8)),
  };
}

async function follow(attempts: SlotAttempt[], n: ReturnType<typeof node>, sendAnswers: Array<'sent' | BroadcastRefusal> = []) {
  const log: string[] = [];
  await followSlot(n, attempts, { ...timing, nowMs: () => nowMs }, {
    mined: async (a, outcome) => void log.push(`mined ${a.txid}`, `terms ${outcome.terms}`),
    revive: async (as) => void log.push(`revive ${as.map((a) => a.txid).join(',')}`),
    send: async (a) => {
      log.push(`send ${a.txid}`);
      return sendAnswers.shift() ?? 'sent';
    },
    replace: async (a) => void log.push(`replace ${a.txid}`),
    dropped: async (floor) => void log.push(`dropped ${floor}`),
  });
  return log;
}

const receipt: TxReceipt = { hash: '0xb', success: true, blockNumber: 5, blockHash: '0xh', gasUsed: 21_000n, fee: 1n };

describe('EVM slot follower', () => {
  it('an attempt with a receipt is mined, whichever attempt it is', async () => {
    assert.deepEqual(await follow([attempt(), attempt({ txid: '0xb' })], node({ receipts: { '0xb': receipt } })), ['mined 0xb', 'terms {"gas_limit":"21000","gas_used":"21000"}'], 'the outcome carries the attempt\'s terms with the gas it used');
  });

  it('attempts recorded in a block but without a receipt now are revived (reorg), then followed', async () => {
    assert.deepEqual(await follow([attempt({ inBlock: true })], node()), ['revive 0xa']);
  });

  it('a stored attempt never sent is sent; a replacement the sender cannot afford sends the one it replaces again', async () => {
    assert.deepEqual(await follow([attempt({ broadcasts: 0 })], node()), ['send 0xa']);
    assert.deepEqual(await follow([attempt(), attempt({ txid: '0xb', broadcasts: 0 })], node(), ['insufficient-funds']), ['send 0xb', 'send 0xa']);
  });

  it('an underpriced attempt never accepted is replaced once stuck', async () => {
    assert.deepEqual(await follow([attempt({ broadcasts: 0, lastError: 'underpriced: x', sentAtMs: nowMs - timing.stuckAfterMs })], node()), ['replace 0xa']);
  });

  it('forgotten by the node: sent again while the nonce is free; dropped once another transaction used it for dropAfterMs', async () => {
    assert.deepEqual(await follow([attempt()], node({ known: false, latest: 7 })), ['send 0xa']);
    assert.deepEqual(await follow([attempt()], node({ known: false, latest: 8 })), []);
    assert.deepEqual(await follow([attempt({ sentAtMs: nowMs - timing.dropAfterMs })], node({ known: false, latest: 8, pending: 9 })), ['dropped 9']);
  });

  it('stuck in the pool: sent again once, then replaced — unless an earlier nonce of the sender is unmined', async () => {
    const stuck = { sentAtMs: nowMs - timing.stuckAfterMs };
    assert.deepEqual(await follow([attempt({ ...stuck, broadcasts: 1 })], node()), ['send 0xa']);
    assert.deepEqual(await follow([attempt({ ...stuck, broadcasts: 2 })], node({ latest: 7 })), ['replace 0xa']);
    assert.deepEqual(await follow([attempt({ ...stuck, broadcasts: 2 })], node({ latest: 6 })), ['send 0xa']);
    assert.deepEqual(await follow([attempt({ broadcasts: 2 })], node()), []);
  });

  it('a sender starts at the node pending count, never below one past a nonce stored before', async () => {
    assert.equal(await firstManagedNonce(node({ pending: 4 }), '0xf', undefined), 4);
    assert.equal(await firstManagedNonce(node({ pending: 4 }), '0xf', 9), 10);
    assert.equal(await firstManagedNonce(node({ pending: 0 }), '0xf', undefined), 0);
  });
});
