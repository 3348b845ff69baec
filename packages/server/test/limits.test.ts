/**
 * The bounds' relations are checked at start-up: a chain configured so that a relation breaks
 * (a send dropped before it could be found stuck, a stall called before the scanner looked
 * again) is refused before anything starts, naming the settings.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../src/config/config.js';
import { checkLimits, LimitsError } from '../src/limits.js';
import { createService } from '../src/service.js';

const chain = { id: 'evm:31337', pollIntervalMs: 2_000, stallAlertAfterMs: 300_000, stuckAfterMs: 180_000, dropAfterMs: 600_000 };

describe('limits', () => {
  it('the shipped bounds and the default chain settings hold every relation', () => {
    const config = loadConfig({}, { DATABASE_URL: 'sqlite::memory:', OPENWAAS_CHAINS: JSON.stringify([{ id: 'evm:1', rpcUrl: 'http://127.0.0.1:1' }]) });
    assert.doesNotThrow(() => checkLimits({ chains: config.chains }));
    assert.doesNotThrow(() => checkLimits({ chains: [chain] }));
  });

  it('refuses a chain that drops a send before it can be found stuck, or calls a stall before the next look', () => {
    assert.throws(() => checkLimits({ chains: [{ ...chain, dropAfterMs: 60_000 }] }), (e: unknown) => e instanceof LimitsError && /evm:31337 dropAfterMs \(60000\) must be at least its stuckAfterMs \(180000\)/.test(e.message));
    assert.throws(() => checkLimits({ chains: [{ ...chain, stallAlertAfterMs: 1_000 }] }), (e: unknown) => e instanceof LimitsError && /evm:31337 stallAlertAfterMs \(1000\) must be at least its pollIntervalMs \(2000\)/.test(e.message));
  });

  it('the service refuses to start with such a chain, before opening anything', async () => {
    const config = loadConfig({}, { DATABASE_URL: 'sqlite::memory:', OPENWAAS_CHAINS: JSON.stringify([{ id: 'evm:1', rpcUrl: 'http://127.0.0.1:1', stuckAfterMs: 5_000, dropAfterMs: 1_000 }]) });
    await assert.rejects(createService(config), (e: unknown) => e instanceof LimitsError && /dropAfterMs/.test(e.message));
  });
});
