/**
 * The chain-family boundary without a database: address codecs (EVM, the generic and memo rules
 * of ledger-only chains, a registered case-sensitive family), the forms an address is looked up
 * under, chain ids in settings, and key derivation routed through the family registry.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { addressCodec, storedAddressForms } from '../src/chains/address-codec.js';
import { findChainFamily, isFollowableChainId, unregisterChainFamily } from '../src/chains/families.js';
import { loadConfig } from '../src/config/config.js';
import { depositSubject } from '../src/modules/kyt/index.js';
import { isValidWithdrawAddress } from '../src/modules/withdrawals/index.js';
import { HdAddressAllocator } from '../src/keys/address-allocator.js';
import { KeyRing } from '../src/keys/keyring.js';
import { signerFor } from '../src/keys/signer.js';
import type { CoinRecord } from '../src/modules/coins/index.js';
import type { DepositRecord } from '../src/modules/deposits/index.js';
import { chainTestMnemonic } from './support/chain-world.js';
import { MemorySigner, memoryAddressCodec, memoryAddressOf, registerMemoryChain } from './support/memory-chain.js';

const evmMixed = '0xAbCdEf0123456789aBcDeF0123456789AbCdEf01';

describe('address codecs', () => {
  it('EVM: 0x and 40 hex digits, canonical lower-case, no memo', () => {
    const evm = addressCodec('evm:56');
    assert.equal(evm.family, 'evm');
    assert.ok(evm.isValid(evmMixed));
    assert.equal(evm.canonical(evmMixed), evmMixed.toLowerCase());
    assert.ok(!evm.isValid('0x1234'));
    assert.ok(!evm.isValid(`${evmMixed}_12`), 'no memo on EVM');
    assert.deepEqual(evm.split(`${evmMixed}_12`), { address: `${evmMixed}_12`, memo: undefined });
    assert.equal(addressCodec('evm:31337').pattern?.source, '^0x[0-9a-fA-F]{40}$', 'the coin list shows the same pattern as before');
  });

  it("ledger-only chains keep today's rules: generic pattern, memo after \"_\" on memo chains, case kept", () => {
    // The rules withdrawals applied before the codecs (API.md §4).
    assert.ok(isValidWithdrawAddress('xrp', 'rPEPPER7kfTD9w2To4CQk6UCfuHM9c6GDY_12345'));
    assert.ok(!isValidWithdrawAddress('xrp', 'rPEPPER7kfTD9w2To4CQk6UCfuHM9c6GDY_12-45'), 'bad memo');
    assert.ok(isValidWithdrawAddress('eos:main', 'eos_24545'));
    assert.ok(!isValidWithdrawAddress('tron', 'TXYZ_123'), 'no memo on tron: "_" is not allowed');
    assert.ok(isValidWithdrawAddress('tron', 'TLsV52sRDL79HXGGm9yzwKibb6BeruhUzy'));
    assert.ok(!isValidWithdrawAddress('tron', 'x'.repeat(129)));
    assert.ok(isValidWithdrawAddress('evm:1', evmMixed));
    assert.ok(!isValidWithdrawAddress('evm:1', 'TLsV52sRDL79HXGGm9yzwKibb6BeruhUzy'));
    const xrp = addressCodec('xrp');
    assert.deepEqual(xrp.split('rAbc_77'), { address: 'rAbc', memo: '77' });
    assert.equal(xrp.join('rAbc', '77'), 'rAbc_77');
    assert.equal(addressCodec('tron').canonical('TLsV52sRDL79HXGGm9yzwKibb6BeruhUzy'), 'TLsV52sRDL79HXGGm9yzwKibb6BeruhUzy', 'case kept');
    assert.equal(addressCodec('tron').pattern, undefined, 'no address_regex for chains without a family, as before');
  });

  it('an address is looked up as given and in the canonical form of the families it is valid in — never case-folded otherwise', () => {
    assert.deepEqual(storedAddressForms(evmMixed), [evmMixed, evmMixed.toLowerCase()]);
    assert.deepEqual(storedAddressForms(evmMixed.toLowerCase()), [evmMixed.toLowerCase()]);
    // A case-sensitive address folded to lower case would match a different address (the bug this replaces).
    assert.deepEqual(storedAddressForms('TLsV52sRDL79HXGGm9yzwKibb6BeruhUzy'), ['TLsV52sRDL79HXGGm9yzwKibb6BeruhUzy']);
  });
});

describe('the family registry', () => {
  const memory = registerMemoryChain('mem:codecs');
  after(() => memory.unregister());

  it('a registered family brings its codec: case-sensitive, with a memo', () => {
    const codec = addressCodec('mem:codecs');
    assert.equal(codec, memoryAddressCodec);
    const address = memoryAddressOf(Buffer.from('x'));
    assert.ok(codec.isValid(address) && codec.isValid(`${address}_9`));
    assert.ok(!codec.isValid(address.toLowerCase()) || address === address.toLowerCase());
    assert.ok(!codec.isValid(`${address}_x`), 'a numeric memo only');
    assert.equal(codec.canonical(address), address);
    assert.ok(isValidWithdrawAddress('mem:codecs', `${address}_9`), 'withdrawals validate through the codec');
  });

  it('settings accept chain ids of registered families only', () => {
    assert.ok(isFollowableChainId('evm:1') && isFollowableChainId('mem:codecs'));
    assert.ok(!isFollowableChainId('evm:0') && !isFollowableChainId('evm:abc') && !isFollowableChainId('tron:mainnet'));
    const settings = (id: string) => loadConfig({ databaseUrl: ':memory:', insecureDevKeys: true, chains: [{ id, rpcUrl: memory.rpcUrl }] } as never, {});
    assert.equal(settings('mem:codecs').chains[0]?.id, 'mem:codecs');
    assert.throws(() => settings('tron:mainnet'), /must look like evm:<chain id>/);
  });

  it('keys derive per family: the key ring, the allocator and the signer agree', () => {
    const ring = KeyRing.fromMnemonic(chainTestMnemonic);
    const allocator = new HdAddressAllocator(chainTestMnemonic);
    const deposit = ring.deriveAddress('mem:codecs', 5);
    assert.equal(allocator.deriveAddress('mem:codecs', 5), deposit);
    assert.ok(memoryAddressCodec.isValid(deposit));
    assert.equal(memoryAddressCodec.split(deposit).memo, '5');
    assert.notEqual(ring.hotAddress('mem:codecs'), ring.feeAddress('mem:codecs'));
    const signer = signerFor(ring, 'hot', 'mem:codecs');
    assert.ok(signer instanceof MemorySigner);
    assert.equal(signer.address, ring.hotAddress('mem:codecs'));
    // EVM is unchanged by the registry: the same addresses as before.
    assert.equal(ring.deriveAddress('evm:31337', 5), allocator.deriveAddress('evm:1', 5));
    assert.match(ring.hotAddress('evm:1'), /^0x[0-9a-f]{40}$/);
    assert.throws(() => ring.deriveAddress('tron:mainnet', 1), /no key derivation/);
    assert.throws(() => allocator.deriveAddress('tron:mainnet', 1), /no address derivation/);
  });

  it('KYT providers are told case-sensitive addresses as written, EVM ones lower-case', () => {
    const sender = memoryAddressOf(Buffer.from('kyt sender'));
    const own = `${memoryAddressOf(Buffer.from('kyt own'))}_3`;
    const coin = { chain: 'mem:codecs', symbol: 'MEM', contract_address: '', decimals: 6 } as CoinRecord;
    const deposit = { id: 1, merchant_id: 1, uid: 1, amount: 5n, address_from: sender, address_to: own, txid: 't' } as unknown as DepositRecord;
    const subject = depositSubject(deposit, coin);
    assert.equal(subject.address, sender);
    assert.equal(subject.ownAddress, own);
    const evm = depositSubject({ ...deposit, address_from: evmMixed } as DepositRecord, { ...coin, chain: 'evm:1' } as CoinRecord);
    assert.equal(evm.address, evmMixed.toLowerCase());
  });

  it('EVM cannot be unregistered; another family can', () => {
    assert.throws(() => unregisterChainFamily('evm'), /cannot be unregistered/);
    assert.ok(findChainFamily('evm:1'));
  });
});
