/**
 * Migrations on a PostgreSQL database shared with other schemas: the migrator reads only its own
 * schema's catalog, so other schemas being created and dropped at the same moment (other services,
 * other test runs) never fail a start-up. Kysely's own introspector read every schema's columns
 * and failed with `schema "…" does not exist` when one was dropped meanwhile.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pg from 'pg';
import { openStore } from '../src/store/db.js';
import { latestMigrationName, migrateToLatest, pendingMigrations } from '../src/store/migrate.js';
import { databaseKinds, freshPostgres, skippedWithoutPostgres } from './support/databases.js';

const kinds = await databaseKinds();
skippedWithoutPostgres(kinds, 'store: migrations beside other schemas (postgres)');

describe('store: migrations beside other schemas (postgres)', { skip: !kinds.includes('postgres') }, () => {
  it('migrates while other schemas with tables are dropped at the same time, and sees only its own tables', async () => {
    const others = await Promise.all(Array.from({ length: 24 }, () => freshPostgres()));
    // Each other schema holds tables with serial columns: what the per-column catalog function looked up.
    for (const other of others) {
      const c = new pg.Client({ connectionString: other.url });
      await c.connect();
      try {
        for (let i = 0; i < 4; i++) await c.query(`create table t${i} (id serial primary key, a text, b int, c bigint)`);
      } finally {
        await c.end();
      }
    }
    const mine = await Promise.all(Array.from({ length: 3 }, () => freshPostgres()));
    const stores = mine.map((d) => openStore(d.url));
    try {
      // Drops and migrations interleave; every migration must succeed.
      const drops = others.map(async (o, i) => {
        await new Promise((r) => setImmediate(r));
        if (i % 2 === 0) await Promise.resolve();
        await o.drop();
      });
      const migrations = stores.map((s) => migrateToLatest(s));
      await Promise.all([...drops, ...migrations]);
      for (const s of stores) assert.deepEqual(await pendingMigrations(s), [], `migrated to ${latestMigrationName()}`);
    } finally {
      for (const s of stores) await s.close();
      for (const d of mine) await d.drop();
    }
  });
});
