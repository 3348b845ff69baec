/**
 * Migration 009 makes chain_txs family-neutral. Rows stored before it (every one an EVM
 * transaction) are converted on both databases: a native transfer keeps its recipient and value;
 * an ERC-20 transfer, stored with the token contract as recipient, 0 as value and the transfer
 * call as data, gets its recipient, token and amount back from that call; the gas fields become
 * the EVM terms (gas_used only once mined), their product the fee maximum; nonce becomes
 * sequence and chain_nonces chain_sequences. The converted rows then read as the engine and the
 * operator view expect.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Kysely } from 'kysely';
import { encodeFunctionData, erc20Abi, getAddress } from 'viem';
import { parseEvmTerms } from '../src/chains/evm/payer.js';
import { chainTxView, listChainTxs, maxNativeSpend } from '../src/modules/chain-sends/index.js';
import { openStore, type Store } from '../src/store/db.js';
import { migrateToLatest, migrateUpTo } from '../src/store/migrate.js';
import { freshDatabase, type TestDatabase } from './support/databases.js';
import { eachDatabase } from './support/service.js';

const chain = 'evm:31337';
const hot = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8';
const recipient = '0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc';
const usdt = '0x5fbdb2315678afecb367f032d93f642f64180aa3';
/** 2^255 + 7: an amount only 256-bit arithmetic reads back. */
const bigAmount = 2n ** 255n + 7n;

eachDatabase('store: migration 009 (neutral chain_txs)', (kind) => {
  let database: TestDatabase;
  let store: Store;
  before(async () => {
    database = await freshDatabase(kind);
    store = openStore(database.url);
    await migrateUpTo(store, '008_operator_audit');
    const old = store.db as unknown as Kysely<any>;
    const row = (over: Record<string, unknown>) => ({
      chain,
      purpose: 'withdrawal',
      ref_id: 1,
      from_address: hot,
      raw: '0x02',
      state: 'signed',
      replaces_id: null,
      block_number: null,
      block_hash: '',
      broadcasts: 0,
      last_error: '',
      broadcast_at: 0,
      created_at: 1_000,
      updated_at: 1_000,
      ...over,
    });
    await old
      .insertInto('chain_txs')
      .values([
        row({ to_address: recipient, nonce: 4, value: '1500000000000000000', data: '0x', gas_limit: '21000', max_fee_per_gas: '3000000000', max_priority_fee_per_gas: '1000000000', gas_used: '21000', fee: '44100000000000', hash: '0xaa', state: 'confirmed', block_number: 12, block_hash: '0xb1' }),
        row({
          ref_id: 2,
          to_address: usdt,
          nonce: 5,
          value: '0',
          data: encodeFunctionData({ abi: erc20Abi, functionName: 'transfer', args: [getAddress(recipient), bigAmount] }),
          gas_limit: '65000',
          max_fee_per_gas: '2000000000',
          max_priority_fee_per_gas: '1500000000',
          gas_used: '0',
          fee: '0',
          hash: '0xbb',
        }),
      ])
      .execute();
    await old.insertInto('chain_nonces').values({ chain, address: hot, next_nonce: 6 }).execute();
    await migrateToLatest(store, () => undefined);
  });
  after(async () => {
    await store?.close();
    await database?.drop();
  });

  const rowByHash = (hash: string) => store.db.selectFrom('chain_txs').selectAll().where('hash', '=', hash).executeTakeFirstOrThrow();
  /** The same row as the chain-sends module hands it out (amounts in BigInt). */
  const recordByHash = async (hash: string) => (await listChainTxs(store.db, { chain })).find((r) => r.hash === hash)!;

  it('a native transfer keeps recipient and value; its gas fields become terms with gas used, their product the fee maximum', async () => {
    const native = await rowByHash('0xaa');
    assert.equal(native.to_address, recipient);
    assert.equal(native.token, '');
    assert.equal(native.value, '1500000000000000000');
    assert.equal(Number(native.sequence), 4);
    assert.equal(native.fee_max, (21_000n * 3_000_000_000n).toString());
    assert.deepEqual(JSON.parse(native.terms), { gas_limit: '21000', max_fee_per_gas: '3000000000', max_priority_fee_per_gas: '1000000000', gas_used: '21000' });
    assert.equal(native.fee, '44100000000000');
    assert.equal(maxNativeSpend(await recordByHash('0xaa')), 1_500_000_000_000_000_000n + 21_000n * 3_000_000_000n);
    const view = chainTxView(await recordByHash('0xaa'));
    assert.equal(view.sequence, 4);
    assert.equal(view.terms.gas_used, '21000');
    assert.equal(view.block_number, 12);
  });

  it('an ERC-20 transfer gets its recipient, token and 256-bit amount back from the call; the EVM payer reads its terms', async () => {
    const token = await rowByHash('0xbb');
    assert.equal(token.to_address, recipient);
    assert.equal(token.token, usdt);
    assert.equal(token.value, bigAmount.toString());
    assert.equal(Number(token.sequence), 5);
    assert.deepEqual(JSON.parse(token.terms), { gas_limit: '65000', max_fee_per_gas: '2000000000', max_priority_fee_per_gas: '1500000000' }, 'no gas used before it is mined');
    assert.deepEqual(parseEvmTerms(token.terms), { gasLimit: 65_000n, fees: { maxFeePerGas: 2_000_000_000n, maxPriorityFeePerGas: 1_500_000_000n } });
    assert.equal(maxNativeSpend(await recordByHash('0xbb')), 65_000n * 2_000_000_000n, 'a token transfer spends only fees in the native coin');
  });

  it('the EVM columns are gone and the nonces are sequences', async () => {
    const columns = Object.keys(await rowByHash('0xaa'));
    for (const gone of ['nonce', 'data', 'gas_limit', 'max_fee_per_gas', 'max_priority_fee_per_gas', 'gas_used']) assert.equal(columns.includes(gone), false, gone);
    const sequences = await store.db.selectFrom('chain_sequences').selectAll().execute();
    assert.deepEqual(sequences.map((s) => ({ ...s, next_sequence: Number(s.next_sequence) })), [{ chain, address: hot, next_sequence: 6 }]);
  });
});
