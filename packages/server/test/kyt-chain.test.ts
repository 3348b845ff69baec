/**
 * KYT on a real anvil node, workers running (both databases): a deposit from a denied address
 * is held at 5 (its value in suspense) and credited when an operator releases it; a withdrawal
 * waits at 7 until the KYT loop passes it, then the broadcaster pays it.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { DepositStatus, WithdrawStatus } from '@openwaas/sdk';
import { kytConfigSchema } from '../src/config/kyt-config.js';
import { parseEther } from 'viem';
import { devAccount } from '../src/chains/evm/dev-setup.js';
import { suspenseAccount } from '../src/modules/chain-sends/index.js';
import { userAccount } from '../src/modules/ledger/index.js';
import { readBalance } from '../src/modules/ledger/index.js';
import { startChainWorld, type ChainWorld } from './support/chain-world.js';
import { freshRecipient, notifiedWithdrawStatuses, txsOf, withdrawalRow } from './support/chain-sends.js';
import { notifiedStatuses, untilDeposit } from './support/deposits.js';
import { assertAuditsClean } from './support/audits.js';
import { eachDatabase } from './support/service.js';

/** Anvil's dev account 3: the sender the deny list names. */
const deniedSender = devAccount(3).address.toLowerCase();

eachDatabase('kyt on chain', (kind) => {
  let world: ChainWorld;
  before(async () => {
    world = await startChainWorld({ kind, config: { operatorApi: true, kyt: kytConfigSchema.parse({ provider: 'builtin', denyAddresses: [deniedSender] }) } });
  });
  after(() => world?.close());

  const coinId = () => Number(world.t.coins.ETH.id);

  it('holds a deposit from a denied address at 5 in suspense; an operator release credits it', async () => {
    const uid = await world.newUser();
    const address = await world.depositAddress(uid, 'ETH');
    const suspenseBefore = (await readBalance(world.t.ctx.store.db, suspenseAccount(coinId()))).normal;
    const txid = await world.sendEth(address, '0.75', 3);
    await world.mine(1);
    const held = await untilDeposit(world, txid, 'the deposit held for review', (d) => d.status === DepositStatus.KytManualReview);
    assert.match(held.review_reason, /denied address/);
    assert.equal((await readBalance(world.t.ctx.store.db, userAccount(Number(world.t.merchant.id), uid, coinId()))).normal, 0n);
    assert.equal((await readBalance(world.t.ctx.store.db, suspenseAccount(coinId()))).normal - suspenseBefore, parseEther('0.75'));

    const res = await fetch(`${world.t.operatorUrl}/kyt/deposits/${held.id}/release`, { method: 'POST', headers: { authorization: `Bearer ${world.t.operatorToken}` } });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { status: number }).status, DepositStatus.Succeeded);
    assert.equal((await readBalance(world.t.ctx.store.db, userAccount(Number(world.t.merchant.id), uid, coinId()))).normal, parseEther('0.75'));
    assert.equal((await readBalance(world.t.ctx.store.db, suspenseAccount(coinId()))).normal, suspenseBefore);
    const statuses = await world.until('the release notified', () => {
      const s = notifiedStatuses(world.notifications, Number(held.id));
      return s.length >= 3 && s;
    });
    assert.deepEqual(statuses, ['0', '5', '1']);
    await assertAuditsClean(world);
  });

  it('a withdrawal waits at 7 for the KYT loop, then is paid on chain', async () => {
    const uid = await world.newUser();
    await world.t.credit({ symbol: 'ETH', amount: '2', uid });
    const to = freshRecipient();
    const r = await world.t.client.withdraw({ request_id: `kyt-chain-${Date.now()}`, from_uid: uid, to_address: to, amount: '1', symbol: 'ETH' });
    assert.equal(r.status, WithdrawStatus.AwaitingKyt);
    // The txid is stored with the signed transaction before it is sent: wait for the send itself.
    const sent = await world.until('the withdrawal broadcast', async () => {
      const [tx] = await txsOf(world, 'withdrawal', Number(r.id));
      return tx !== undefined && tx.state !== 'signed' && tx;
    });
    assert.equal(sent.hash, (await withdrawalRow(world, Number(r.id))).txid);
    assert.ok(await world.client.getTransaction({ hash: sent.hash as `0x${string}` }), 'the node has the transaction');
    // Blocks keep coming while it confirms: other sends (a sweep) may take the next ones first.
    await world.until('the withdrawal settled', async () => {
      await world.mine(1);
      return (await withdrawalRow(world, Number(r.id))).status === WithdrawStatus.Succeeded;
    });
    const statuses = await world.until('its notifications', () => {
      const s = notifiedWithdrawStatuses(world.notifications, Number(r.id));
      return s.length >= 3 && s;
    });
    assert.deepEqual(statuses, ['7', '1', '5']);
    assert.equal(await world.client.getBalance({ address: to as `0x${string}` }), parseEther('0.999'), 'amount minus the 0.001 fee');
    await assertAuditsClean(world);
  });
});
