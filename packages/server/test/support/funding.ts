import type { Clock } from '../../src/clock.js';
import { postJournal, type AccountRef } from '../../src/modules/ledger/index.js';
import type { Store } from '../../src/store/db.js';
import { inTransaction } from '../../src/store/tx.js';

/** Credits `units` to an account from the external account: a test's manual adjustment, journaled like any other. */
export async function fundAccount(world: { store: Store; clock: Clock }, account: AccountRef, units: bigint): Promise<void> {
  await inTransaction(world.store, (tx) =>
    postJournal(tx, {
      refType: 'adjustment',
      refId: 0,
      reason: 'test.credit',
      postings: [
        { account: { kind: 'external', merchantId: null, uid: null, coinId: account.coinId }, bucket: 'normal', delta: -units },
        { account, bucket: 'normal', delta: units },
      ],
      nowMs: world.clock.nowMs(),
    }),
  );
}
