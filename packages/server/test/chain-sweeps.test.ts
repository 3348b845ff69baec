/**
 * Collection sweeps on a real anvil node (both databases), with the test running each tick of
 * the scanner and the sweeper so every step can be observed: several ETH deposits to one
 * address are swept to the hot wallet in one transaction (balance − reserved gas; a deposit
 * not worth its gas is left alone); USDT deposits below the sweep threshold wait, and once
 * above it the address gets exactly one gas top-up from the fee wallet, the token transfer
 * being signed only after that top-up is confirmed. Every sweep and top-up has a miner-fee
 * record (seen through the SDK's syncMinerFeeList) and its gas is billed to the merchant's
 * collection account against the chain mirror. Two sweepers racing start one sweep per address.
 * Operators list sweeps and transactions through the operator API and the CLI. A failed step is
 * retried; after three failed attempts the sweep stops with an alert until an operator retries
 * it. The ledger and chain audits are clean after every test.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, afterEach, before, it } from 'node:test';
import { DepositStatus } from '@openwaas/sdk';
import { formatEther, formatUnits, parseEther, parseUnits } from 'viem';
import { runCli } from '../src/cli/run.js';
import { chainAccount, termsOf, treasuryAccount } from '../src/modules/chain-sends/index.js';
import { collectionAccount, userAccount } from '../src/modules/ledger/index.js';
import { readBalance } from '../src/modules/ledger/index.js';
import { planSweeps } from '../src/modules/sweeps/index.js';
import type { Deposit, MinerFee, Sweep } from '../src/store/schema.js';
import { startChainWorld, type ChainWorld } from './support/chain-world.js';
import { manualTicks, setAutomine, setTokenBalance, txsOf } from './support/chain-sends.js';
import { assertAuditsClean } from './support/audits.js';
import { eachDatabase } from './support/service.js';


/** Runs the CLI in this process on the world's database; resolves with its exit code and stdout. */
async function cli(world: ChainWorld, args: string[]): Promise<{ code: number; stdout: string }> {
  let stdout = '';
  const sink = (keep: boolean) => new Writable({ write(chunk, _enc, done) { if (keep) stdout += String(chunk); done(); } });
  const code = await runCli(args, { stdout: sink(true), stderr: sink(false), env: { DATABASE_URL: world.t.database.url, OPENWAAS_INSECURE_DEV_KEYS: '1', LOG_LEVEL: 'silent', OPENWAAS_OPERATOR_TOKEN: world.t.operatorToken }, cwd: process.cwd() });
  return { code, stdout };
}

eachDatabase('collection sweeps', (kind) => {
  let world: ChainWorld;
  let ticks: ReturnType<typeof manualTicks>;
  before(async () => {
    world = await startChainWorld({ kind, config: { workers: false, operatorApi: true, sweepThresholds: { USDT: '50' } } });
    ticks = manualTicks(world);
    await ticks.scan();
  });
  after(() => world?.close());
  afterEach(() => assertAuditsClean(world, { settle: catchUp }));

  const db = () => world.t.ctx.store.db;
  const sweepsOf = (address: string): Promise<Sweep[]> => db().selectFrom('sweeps').selectAll().where('address', '=', address).orderBy('id').execute();
  const depositsTo = (address: string): Promise<Deposit[]> => db().selectFrom('deposits').selectAll().where('address_to', '=', address).orderBy('id').execute();
  const minerFeesOf = (sweepId: number): Promise<MinerFee[]> => db().selectFrom('miner_fees').selectAll().where('sweep_id', '=', sweepId).orderBy('id').execute();
  /** Lets the scanner and the sweeper catch up. */
  const catchUp = async () => {
    await ticks.scan();
    await ticks.sweep();
  };
  /** Mines `blocks`, then catches up. */
  const mineAndTick = async (blocks: number) => {
    await world.mine(blocks);
    await catchUp();
  };

  it('sweeps several ETH deposits of one address to the hot wallet in one transaction, billing its gas to the collection account', async () => {
    const { t } = world;
    const merchantId = Number(t.merchant.id);
    const eth = Number(t.coins.ETH.id);
    const uid = await world.newUser();
    const address = await world.depositAddress(uid, 'ETH');
    for (const amount of ['0.5', '0.25', '1']) await world.sendEth(address, amount);
    // A deposit smaller than its sweep's gas × sweepMinGasMultiple stays where it is.
    const dustUid = await world.newUser();
    const dustAddress = await world.depositAddress(dustUid, 'ETH');
    await world.sendEth(dustAddress, '0.00001');

    const hotBefore = await world.chain.reader.balance(world.chain.hotAddress, '');
    const treasuryBefore = (await readBalance(db(), treasuryAccount(eth))).normal;
    await mineAndTick(2); // credited at 2 confirmations, then swept (auto-mined at once)
    const credited = await depositsTo(address);
    assert.deepEqual(credited.map((d) => d.status), [DepositStatus.Succeeded, DepositStatus.Succeeded, DepositStatus.Succeeded]);
    const [sweep] = await sweepsOf(address);
    assert.ok(sweep, 'a sweep started');
    assert.equal(sweep.state, 'sweep_pending');
    assert.deepEqual(await sweepsOf(dustAddress), [], 'the dust deposit is not worth a sweep');

    await mineAndTick(2);
    const [done] = await sweepsOf(address);
    assert.equal(done!.state, 'done');
    const [tx] = await txsOf(world, 'sweep', Number(done!.id));
    assert.equal(tx!.state, 'confirmed');
    assert.equal(tx!.from_address, address);
    assert.equal(tx!.to_address, world.chain.hotAddress);
    const receipt = await world.client.getTransactionReceipt({ hash: tx!.hash as `0x${string}` });
    assert.equal(receipt.status, 'success');
    const gas = receipt.gasUsed * receipt.effectiveGasPrice;
    const value = BigInt(tx!.value);
    // Everything but the gas reserve (21000 × max fee) moved; what the reserve did not burn stays as dust.
    assert.equal(value, parseEther('1.75') - 21_000n * BigInt(termsOf(tx!.terms).max_fee_per_gas!));
    assert.equal(done!.amount, value.toString());
    assert.equal((await world.chain.reader.balance(world.chain.hotAddress, '')) - hotBefore, value, 'the hot wallet received the sweep');
    assert.equal(await world.chain.reader.balance(address, ''), parseEther('1.75') - value - gas);
    assert.deepEqual((await depositsTo(address)).map((d) => d.sweep_id), [done!.id, done!.id, done!.id], 'every deposit marked swept');

    // Miner fee: record, bill, mirror. The users' balances and the treasury are untouched.
    const [fee] = await minerFeesOf(Number(done!.id));
    assert.equal(fee!.status, DepositStatus.Succeeded);
    assert.equal(fee!.fee, gas.toString());
    assert.equal(fee!.amount, value.toString());
    assert.equal(fee!.txid, tx!.hash);
    assert.equal(fee!.symbol, 'ETH');
    assert.equal(fee!.base_symbol, 'ETH');
    assert.equal(fee!.txid_type, '0');
    assert.ok(fee!.confirmations >= 2, 'confirmations recorded');
    assert.equal((await readBalance(db(), collectionAccount(merchantId, eth))).normal, -gas, 'gas billed to the collection account');
    assert.equal((await readBalance(db(), userAccount(merchantId, uid, eth))).normal, parseEther('1.75'));
    assert.equal((await readBalance(db(), treasuryAccount(eth))).normal, treasuryBefore, 'a sweep is no treasury receipt');
    const gasJournal = await db()
      .selectFrom('journals')
      .innerJoin('entries', 'entries.journal_id', 'journals.id')
      .select(['entries.delta', 'entries.account_id'])
      .where('journals.ref_type', '=', 'miner_fee')
      .where('journals.ref_id', '=', Number(fee!.id))
      .execute();
    assert.equal(gasJournal.length, 2);
    const mirror = await db().selectFrom('accounts').select('id').where('key', '=', `chain:-:-:${eth}`).executeTakeFirstOrThrow();
    assert.equal(gasJournal.find((e) => Number(e.account_id) === Number(mirror.id))?.delta, gas.toString(), 'chain mirror credited the gas');

    const listed = (await t.client.syncMinerFeeList({ max_id: 0 })).find((m) => m.id === Number(fee!.id));
    assert.ok(listed, 'syncMinerFeeList returns the record');
    assert.equal(listed.fee, formatEther(gas));
    assert.equal(listed.amount, formatEther(value));
    assert.equal(listed.status, DepositStatus.Succeeded);
    assert.equal(listed.address_from, address);
    assert.equal(listed.address_to, world.chain.hotAddress);

    // Nothing left to sweep: later ticks start nothing new.
    await mineAndTick(1);
    assert.equal((await sweepsOf(address)).length, 1);
    assert.ok((await readBalance(db(), chainAccount(eth))).normal < 0n, 'the chain mirror stays negative');
  });

  it('two sweepers racing start one sweep of an address, with one transaction', async () => {
    const uid = await world.newUser();
    const address = await world.depositAddress(uid, 'ETH');
    await world.sendEth(address, '0.8');
    await world.mine(2);
    await ticks.scan();
    await Promise.all([planSweeps(world.t.ctx, world.chain), planSweeps(world.t.ctx, world.chain)]);
    const sweeps = await sweepsOf(address);
    assert.equal(sweeps.length, 1, 'one sweep');
    assert.equal((await txsOf(world, 'sweep', Number(sweeps[0]!.id))).length, 1, 'one transaction');
    await mineAndTick(2);
    assert.equal((await sweepsOf(address))[0]!.state, 'done');
    assert.equal(await world.client.getTransactionCount({ address: address as `0x${string}` }), 1, 'the address sent once');
  });

  it('tops up gas once for a USDT sweep above the threshold, and signs the transfer only after the top-up is confirmed', async () => {
    const { t } = world;
    const merchantId = Number(t.merchant.id);
    const eth = Number(t.coins.ETH.id);
    const usdt = world.usdt.toLowerCase();
    const uid = await world.newUser();
    const address = await world.depositAddress(uid, 'USDT');
    const hotUsdtBefore = await world.chain.reader.balance(world.chain.hotAddress, usdt);
    const collectionBefore = (await readBalance(db(), collectionAccount(merchantId, eth))).normal;

    await world.sendUsdt(address, parseUnits('30', 6));
    await mineAndTick(2);
    assert.equal((await depositsTo(address))[0]!.status, DepositStatus.Succeeded);
    assert.deepEqual(await sweepsOf(address), [], 'below the 50 USDT threshold: no sweep');

    await world.sendUsdt(address, parseUnits('40', 6));
    await mineAndTick(2);
    const [sweep] = await sweepsOf(address);
    assert.ok(sweep, 'a sweep started at 70 USDT');
    assert.equal(sweep.state, 'topup_pending');
    assert.equal(sweep.amount, parseUnits('70', 6).toString());
    let [topup, ...rest] = await txsOf(world, ['topup', 'sweep'], Number(sweep.id));
    assert.equal(topup!.purpose, 'topup');
    assert.equal(topup!.from_address, world.chain.feeAddress);
    assert.equal(topup!.to_address, address);
    assert.deepEqual(rest, [], 'no token transfer before the top-up is confirmed');

    await ticks.sweep(); // the top-up is mined (1 confirmation of 2): still nothing signed
    [topup, ...rest] = await txsOf(world, ['topup', 'sweep'], Number(sweep.id));
    assert.equal(topup!.state, 'mined');
    assert.deepEqual(rest, [], 'no token transfer while the top-up has 1 confirmation');
    assert.equal((await sweepsOf(address))[0]!.state, 'topup_pending');

    await mineAndTick(1); // top-up confirmed → the transfer is signed (and auto-mined)
    const txs = await txsOf(world, ['topup', 'sweep'], Number(sweep.id));
    assert.deepEqual(txs.map((r) => [r.purpose, r.state]), [['topup', 'confirmed'], ['sweep', 'broadcast']]);
    const [confirmedTopup, sweepTx] = txs;
    assert.ok(Number(sweepTx!.created_at) >= Number(confirmedTopup!.updated_at), 'signed after the top-up was confirmed');
    assert.equal(sweepTx!.from_address, address);
    assert.equal(Number(sweepTx!.sequence), 0, "the deposit address's first transaction");
    // Stored as the payment it makes: the recipient (not the token contract it calls), the token, the token amount.
    assert.deepEqual([sweepTx!.to_address, sweepTx!.token, sweepTx!.value], [world.chain.hotAddress, usdt, parseUnits('70', 6).toString()]);

    await mineAndTick(2);
    const [done] = await sweepsOf(address);
    assert.equal(done!.state, 'done');
    const final = await txsOf(world, ['topup', 'sweep'], Number(sweep.id));
    assert.equal(final.filter((r) => r.purpose === 'topup').length, 1, 'exactly one top-up');
    const sweepReceipt = await world.client.getTransactionReceipt({ hash: final[1]!.hash as `0x${string}` });
    const topupReceipt = await world.client.getTransactionReceipt({ hash: final[0]!.hash as `0x${string}` });
    assert.equal(sweepReceipt.status, 'success');
    assert.ok(sweepReceipt.blockNumber > topupReceipt.blockNumber + 1n, 'mined after the top-up had its 2 confirmations');
    assert.equal((await world.chain.reader.balance(world.chain.hotAddress, usdt)) - hotUsdtBefore, parseUnits('70', 6));
    assert.equal(await world.chain.reader.balance(address, usdt), 0n);
    assert.deepEqual(await db().selectFrom('deposits').select('id').where('txid', '=', final[0]!.hash).execute(), [], 'a top-up is not a deposit');

    // Two miner-fee records (top-up and transfer), both billed to the collection account.
    const topupGas = topupReceipt.gasUsed * topupReceipt.effectiveGasPrice;
    const sweepGas = sweepReceipt.gasUsed * sweepReceipt.effectiveGasPrice;
    const fees = await minerFeesOf(Number(done!.id));
    assert.deepEqual(
      fees.map((f) => [f.txid, f.status, f.fee, f.amount, f.symbol, f.contract_address]),
      [
        [final[0]!.hash, DepositStatus.Succeeded, topupGas.toString(), '0', 'USDT', usdt],
        [final[1]!.hash, DepositStatus.Succeeded, sweepGas.toString(), parseUnits('70', 6).toString(), 'USDT', usdt],
      ],
    );
    assert.equal(collectionBefore - (await readBalance(db(), collectionAccount(merchantId, eth))).normal, topupGas + sweepGas);

    const listed = (await t.client.syncMinerFeeList({ max_id: 0 })).filter((m) => fees.some((f) => Number(f.id) === m.id));
    assert.deepEqual(
      listed.map((m) => [m.txid, m.amount, m.fee, m.base_symbol, m.status]),
      [
        [final[0]!.hash, '0', formatEther(topupGas), 'ETH', DepositStatus.Succeeded],
        [final[1]!.hash, formatUnits(parseUnits('70', 6), 6), formatEther(sweepGas), 'ETH', DepositStatus.Succeeded],
      ],
    );
    assert.deepEqual((await depositsTo(address)).map((d) => d.sweep_id), [done!.id, done!.id]);
  });

  it('operators list sweeps and their transactions (operator API and CLI); only a failed sweep can be retried', async () => {
    const { t } = world;
    const get = async (path: string) => {
      const res = await fetch(`${t.operatorUrl}${path}`, { headers: { authorization: `Bearer ${t.operatorToken}` } });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const sweeps = (await get('/sweeps?state=done')).body.sweeps as Array<{ id: number; state: string; address: string }>;
    assert.equal(sweeps.length, 3, 'the sweeps of the earlier tests');
    assert.ok(sweeps.every((s) => s.state === 'done'), 'both done');
    const txs = (await get(`/chain-txs?purpose=topup`)).body.transactions as Array<{ purpose: string; state: string; hash: string; raw?: string; sequence: number; token: string; fee_max: string; terms: Record<string, string> }>;
    assert.equal(txs.length, 1);
    assert.equal(txs[0]!.state, 'confirmed');
    assert.equal(txs[0]!.raw, undefined, 'signed bytes are not listed');
    // The view is neutral (sequence, fee maximum) and shows the family's terms: EVM gas and fees per gas.
    assert.equal(typeof txs[0]!.sequence, 'number');
    assert.equal(txs[0]!.token, '', 'a top-up pays the native coin');
    assert.deepEqual(Object.keys(txs[0]!.terms).sort(), ['gas_limit', 'gas_used', 'max_fee_per_gas', 'max_priority_fee_per_gas']);
    assert.equal(BigInt(txs[0]!.fee_max), BigInt(txs[0]!.terms.gas_limit!) * BigInt(txs[0]!.terms.max_fee_per_gas!));
    assert.equal((await get('/chain-txs?purpose=nope')).status, 400);
    const retry = await fetch(`${t.operatorUrl}/sweeps/${sweeps[0]!.id}/retry`, { method: 'POST', headers: { authorization: `Bearer ${t.operatorToken}` } });
    assert.equal(retry.status, 409, 'a done sweep is not retried');

    const listed = await cli(world, ['sweeps', 'list', '--json']);
    assert.equal(listed.code, 0);
    assert.deepEqual(
      (JSON.parse(listed.stdout) as Array<{ id: number }>).map((s) => s.id).sort(),
      sweeps.map((s) => s.id).sort(),
    );
    const sent = await cli(world, ['sweeps', 'txs', '--purpose', 'sweep', '--json']);
    assert.equal(sent.code, 0);
    assert.equal((JSON.parse(sent.stdout) as unknown[]).length, 3);
    assert.equal((await cli(world, ['sweeps', 'retry', String(sweeps[0]!.id)])).code, 1);
  });
  /**
   * A USDT sweep whose token transfer is signed and waits in the pool (automine off): the step
   * before `tokensGone` runs. Resolves with the sweep and the address.
   */
  async function sweepWaitingInPool(units: bigint): Promise<{ sweepId: number; address: string }> {
    const uid = await world.newUser();
    const address = await world.depositAddress(uid, 'USDT');
    await world.sendUsdt(address, units);
    await mineAndTick(2); // credited; the sweep starts with a top-up (auto-mined)
    const [sweep] = await sweepsOf(address);
    assert.equal(sweep?.state, 'topup_pending');
    await setAutomine(world, false);
    await mineAndTick(2); // top-up confirmed → the token transfer is signed and sent, not mined
    const [, transfer] = await txsOf(world, ['topup', 'sweep'], Number(sweep.id));
    assert.equal(transfer?.state, 'broadcast');
    return { sweepId: Number(sweep.id), address };
  }
  const alertOf = (key: string) => db().selectFrom('operator_alerts').selectAll().where('key', '=', key).orderBy('id', 'desc').executeTakeFirst();

  it('retries a sweep whose transaction failed; after three failed attempts it stops with an alert until an operator retries it', async () => {
    const usdt = world.usdt.toLowerCase();
    const units = parseUnits('60', 6);
    try {
      // 1. The tokens leave the address before the transfer is mined, and are back before the retry.
      const first = await sweepWaitingInPool(units);
      await setTokenBalance(world, first.address, 0n);
      await world.mine(1); // the transfer reverts
      await setTokenBalance(world, first.address, units);
      await setAutomine(world, true);
      for (let i = 0; i < 4; i++) await mineAndTick(2);
      const [retried] = await sweepsOf(first.address);
      assert.equal(retried!.state, 'done', 'retried by the sweeper and done');
      assert.ok(retried!.attempts >= 1, 'the failed attempt is counted');
      const steps = await txsOf(world, ['topup', 'sweep'], first.sweepId);
      const sweepTxs = steps.filter((r) => r.purpose === 'sweep');
      assert.deepEqual(sweepTxs.map((r) => r.state), ['reverted', 'confirmed']);
      assert.equal(await world.chain.reader.balance(first.address, usdt), 0n, 'swept');
      // The reverted transfer's gas is a miner fee too (failed), billed like the others.
      const fees = await minerFeesOf(first.sweepId);
      assert.equal(fees.length, steps.length, 'a miner-fee record per transaction');
      assert.deepEqual(fees.filter((f) => f.txid === sweepTxs[0]!.hash).map((f) => f.status), [DepositStatus.Failed]);

      // 2. The tokens stay away: three failed attempts, then 'failed' with an operator alert.
      const second = await sweepWaitingInPool(units);
      await setTokenBalance(world, second.address, 0n);
      await setAutomine(world, true);
      for (let i = 0; i < 3; i++) await mineAndTick(2);
      const [stopped] = await sweepsOf(second.address);
      assert.equal(stopped!.state, 'failed');
      assert.equal(stopped!.attempts, 3);
      assert.match(stopped!.last_error, /nothing left to sweep|reverted/);
      const alert = await alertOf(`sweep-failed:${second.sweepId}`);
      assert.equal(alert?.resolved_at, null, 'an open alert');
      assert.match(alert!.message, /stopped after 3 failed attempts/);
      await mineAndTick(2);
      assert.equal((await sweepsOf(second.address))[0]!.state, 'failed', 'no further attempt by itself');

      // The funds are back; the operator retries: swept, alert resolved.
      await setTokenBalance(world, second.address, units);
      assert.equal((await cli(world, ['sweeps', 'retry', String(second.sweepId)])).code, 0);
      for (let i = 0; i < 4; i++) await mineAndTick(2);
      assert.equal((await sweepsOf(second.address))[0]!.state, 'done');
      assert.notEqual((await alertOf(`sweep-failed:${second.sweepId}`))?.resolved_at, null, 'alert resolved');
      assert.equal(await world.chain.reader.balance(second.address, usdt), 0n);
    } finally {
      await setAutomine(world, true);
    }
  });
});
