/**
 * Row locks written once for both databases: a repository says `.forUpdate()` (and
 * `.skipLocked()`) whatever the dialect. PostgreSQL locks the row; on SQLite, which has no
 * such clause (its single writer serialises transactions), the store drops it.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { openStore, type Store } from '../src/store/db.js';
import { migrateToLatest } from '../src/store/migrate.js';
import { freshDatabase, type TestDatabase } from './support/databases.js';
import { eachDatabase } from './support/service.js';

eachDatabase('store: row locks', (kind) => {
  let database: TestDatabase;
  let store: Store;
  let other: Store;
  before(async () => {
    database = await freshDatabase(kind);
    store = openStore(database.url);
    await migrateToLatest(store, () => undefined);
    other = openStore(database.url);
    await store.db.insertInto('worker_leases').values([{ name: 'a', holder: 'h', lease_until: 1 }, { name: 'b', holder: 'h', lease_until: 1 }]).execute();
  });
  after(async () => {
    await other?.close();
    await store?.close();
    await database?.drop();
  });

  it('a locking read runs inside a transaction and sees the rows', async () => {
    const rows = await store.db.transaction().execute((tx) => tx.selectFrom('worker_leases').select('name').orderBy('name').forUpdate().skipLocked().execute());
    assert.deepEqual(rows.map((r) => r.name), ['a', 'b']);
  });

  if (kind === 'postgres') {
    it('on PostgreSQL the lock holds: another connection skips the locked row until the holder commits', async () => {
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      let locked!: () => void;
      const isLocked = new Promise<void>((r) => (locked = r));
      const holder = store.db.transaction().execute(async (tx) => {
        await tx.selectFrom('worker_leases').select('name').where('name', '=', 'a').forUpdate().execute();
        locked();
        await held;
      });
      await isLocked;
      const seen = await other.db.transaction().execute((tx) => tx.selectFrom('worker_leases').select('name').orderBy('name').forUpdate().skipLocked().execute());
      assert.deepEqual(seen.map((r) => r.name), ['b'], 'the locked row is skipped');
      release();
      await holder;
      const after = await other.db.transaction().execute((tx) => tx.selectFrom('worker_leases').select('name').orderBy('name').forUpdate().skipLocked().execute());
      assert.deepEqual(after.map((r) => r.name), ['a', 'b']);
    });
  }
});
