/**
 * The bounds of withdrawals and chain workers, now named in limits.ts, keep the
 * values the code had inline, and relate to each other as the workers need.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChainHandle } from '../src/chains/registry.js';
import { withdrawAddressPartLengthMax, withdrawMemoLengthMax } from '../src/limits.js';
import { isValidWithdrawAddress } from '../src/modules/withdrawals/index.js';
import { chainLeaseTtlMs } from '../src/workers/broadcaster.js';

describe('withdrawal bounds', () => {
  it('an address on a chain without a pattern is accepted up to withdrawAddressPartLengthMax (128) characters', () => {
    assert.equal(withdrawAddressPartLengthMax, 128);
    assert.equal(isValidWithdrawAddress('tron:mainnet', 'T'.repeat(withdrawAddressPartLengthMax)), true);
    assert.equal(isValidWithdrawAddress('tron:mainnet', 'T'.repeat(withdrawAddressPartLengthMax + 1)), false);
  });

  it('a memo on a memo chain is accepted up to withdrawMemoLengthMax (64) characters', () => {
    assert.equal(withdrawMemoLengthMax, 64);
    assert.equal(isValidWithdrawAddress('xrp:mainnet', `rAddress_${'7'.repeat(withdrawMemoLengthMax)}`), true);
    assert.equal(isValidWithdrawAddress('xrp:mainnet', `rAddress_${'7'.repeat(withdrawMemoLengthMax + 1)}`), false);
    // Not a memo chain: "_" is no separator, and no pattern allows it.
    assert.equal(isValidWithdrawAddress('tron:mainnet', 'TAddress_7'), false);
  });

  it('a chain worker lease lasts at least two poll intervals, and never less than 2 s', () => {
    for (const pollIntervalMs of [1, 50, 400, 2_000, 60_000]) {
      const ttl = chainLeaseTtlMs({ config: { pollIntervalMs } } as unknown as ChainHandle);
      assert.ok(ttl >= 2 * pollIntervalMs, `poll ${pollIntervalMs} ms: lease ${ttl} ms`);
      assert.ok(ttl >= 2_000);
    }
  });
});
