/** The committed demo-token artifact matches its Solidity source and what solc compiles from it now. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { demoUsdtBuild, demoUsdtBytecode, demoUsdtAbi } from '../src/chains/evm/erc20.js';
import { compileDemoUsdt, demoUsdtSource, sha256 } from '../src/chains/evm/contracts/compile.js';

describe('demo USDT artifact', () => {
  it('was generated from the current DemoUSDT.sol (else run `npm run -w packages/server build:contracts`)', () => {
    assert.equal(demoUsdtBuild.sourceSha256, sha256(demoUsdtSource()));
  });

  it('is what solc compiles today', async () => {
    const compiled = await compileDemoUsdt();
    assert.equal(compiled.solcVersion, demoUsdtBuild.solcVersion);
    assert.equal(compiled.bytecode, demoUsdtBytecode);
    assert.deepEqual(compiled.abi, demoUsdtAbi);
  });
});
