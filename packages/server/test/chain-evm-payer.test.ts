/**
 * The EVM payer (chains/evm/payer.ts) behind the neutral Payer, against a scripted node: a quote
 * is the gas estimate × the node's fees held under the cap; within a fee budget the fees are
 * lowered to what it pays, or no quote when that would not clear the base fee; a replacement
 * raises both fee fields (at least 10 %), or is refused at the cap; a payment the node will not
 * estimate is refused; sequences start at the node's pending count above what was stored; signing
 * writes the payment as an EIP-1559 transaction at the sequence, with the quote's terms.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseTransaction, type TransactionSerializable } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { PaymentRefusedError, type Payment } from '../src/chains/adapter.js';
import { EvmAdapter } from '../src/chains/evm/evm-adapter.js';
import { EvmPayer, parseEvmTerms } from '../src/chains/evm/payer.js';
import type { EvmSendSide, FeeQuote, TxRequest } from '../src/chains/evm/send-side.js';
import type { Signer } from '../src/keys/signer.js';

const account = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d');
const from = account.address.toLowerCase();
const signer: Signer = { address: account.address, chainId: 31337, signTransaction: (tx: TransactionSerializable) => account.signTransaction(tx) };
const token = '0x5fbdb2315678afecb367f032d93f642f64180aa3';
const to = '0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc';

/** Call data from the real adapter; every network answer scripted. */
function scriptedNode(over: { gas?: bigint; quote?: FeeQuote; estimateFails?: boolean; pending?: number } = {}): EvmSendSide {
  const requests = new EvmAdapter({ chain: 'evm:31337', rpcUrl: 'http://127.0.0.1:1', tracing: 'none' });
  return {
    transferRequest: (f, t, tok, amount) => requests.transferRequest(f, t, tok, amount),
    estimateGas: async (_request: TxRequest) => {
      if (over.estimateFails) throw new Error('execution reverted: recipient refuses\nmore detail');
      return over.gas ?? 21_000n;
    },
    feeQuote: async () => over.quote ?? { baseFeePerGas: 10n, maxPriorityFeePerGas: 2n, maxFeePerGas: 22n },
    nonce: async (_a, tag) => (tag === 'pending' ? (over.pending ?? 3) : 3),
    broadcast: async () => '0x',
    receipt: async () => undefined,
    knowsTransaction: async () => false,
  };
}
const payer = (node: EvmSendSide, cap = 0n) => new EvmPayer(node, { maxFeePerGasCap: cap, feeBumpPercent: 25, signer: () => signer });
const native: Payment = { role: 'hot', from, to, token: '', amount: 5n };

describe('EVM payer', () => {
  it('quotes gas × the max fee, held under the cap; its terms are the EVM fields', async () => {
    const quote = (await payer(scriptedNode()).quote(native))!;
    assert.equal(quote.feeMax, 21_000n * 22n);
    assert.deepEqual(JSON.parse(quote.terms), { gas_limit: '21000', max_fee_per_gas: '22', max_priority_fee_per_gas: '2' });
    const capped = (await payer(scriptedNode(), 15n).quote(native))!;
    assert.deepEqual(parseEvmTerms(capped.terms).fees, { maxFeePerGas: 15n, maxPriorityFeePerGas: 2n });
    assert.equal(capped.feeMax, 21_000n * 15n);
  });

  it('within a fee budget: the fees it pays, above the base fee, or no quote', async () => {
    const p = payer(scriptedNode({ gas: 100n }));
    assert.equal((await p.quote(native, { feeBudget: 10_000n }))!.feeMax, 2_200n, 'the budget covers the quote: unchanged');
    const lowered = (await p.quote(native, { feeBudget: 1_150n }))!;
    assert.deepEqual(parseEvmTerms(lowered.terms).fees, { maxFeePerGas: 11n, maxPriorityFeePerGas: 1n }, 'the tip is what is left above the base fee');
    assert.ok(lowered.feeMax <= 1_150n);
    assert.equal(await p.quote(native, { feeBudget: 1_000n }), undefined, 'not above the base fee: no quote');
  });

  it('refuses a payment the node will not estimate, in the node’s first line', async () => {
    await assert.rejects(payer(scriptedNode({ estimateFails: true })).quote(native), (e: unknown) => e instanceof PaymentRefusedError && /recipient refuses\)$/.test(e.message));
  });

  it('a replacement raises both fee fields by the bump (and at least the quote), or none at the cap', async () => {
    const p = payer(scriptedNode());
    const first = (await p.quote(native))!;
    const bumped = (await p.replacementQuote(native, first.terms))!;
    const { fees, gasLimit } = parseEvmTerms(bumped.terms);
    assert.equal(gasLimit, 21_000n);
    assert.deepEqual(fees, { maxFeePerGas: 28n, maxPriorityFeePerGas: 3n });
    assert.equal(bumped.feeMax, 21_000n * 28n);
    assert.equal(await payer(scriptedNode(), 25n).replacementQuote(native, first.terms), undefined);
  });

  it('sequences: the node’s pending count, above the highest stored; the next is one more', async () => {
    const p = payer(scriptedNode({ pending: 4 }));
    assert.equal(await p.firstSequence(from, undefined), 4);
    assert.equal(await p.firstSequence(from, 9), 10);
    assert.equal(p.nextSequence(10), 11);
  });

  it('signs the payment at the sequence with the quote’s terms: a token payment calls transfer on the token', async () => {
    const p = payer(scriptedNode({ gas: 60_000n }));
    const payment: Payment = { role: 'hot', from, to, token, amount: 70n };
    const quote = (await p.quote(payment))!;
    const signed = await p.sign(payment, quote, 7);
    const tx = parseTransaction(signed.raw as `0x${string}`);
    assert.equal(tx.to?.toLowerCase(), token);
    assert.equal(tx.nonce, 7);
    assert.equal(tx.gas, 60_000n);
    assert.equal(tx.maxFeePerGas, 22n);
    assert.equal(tx.value ?? 0n, 0n);
    assert.match(signed.txid, /^0x[0-9a-f]{64}$/);
    await assert.rejects(payer(scriptedNode(), 0n).sign({ ...payment, from: to }, quote, 7), /cannot sign/);
  });
});
