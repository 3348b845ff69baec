import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import pg from 'pg';

/**
 * The databases every storage-touching test runs on: SQLite always; PostgreSQL when
 * OPENWAAS_TEST_DATABASE_URL (or the default local server) answers. CI sets
 * OPENWAAS_REQUIRE_POSTGRES=1, which turns "not reachable" into a failure instead of a skip.
 */
export interface TestDatabase {
  name: 'sqlite' | 'postgres';
  /** A URL for `openStore` pointing at a fresh, empty database (SQLite file or PG schema). */
  url: string;
  drop(): Promise<void>;
}

const defaultPgUrl = 'postgres://postgres@127.0.0.1:5432/test';
const pgUrl = process.env.OPENWAAS_TEST_DATABASE_URL ?? defaultPgUrl;
let pgAvailable: Promise<boolean> | undefined;
let warned = false;

async function probePostgres(): Promise<boolean> {
  // Generous: on a loaded machine a reachable server may take seconds to accept, and a short
  // timeout made whole files skip PostgreSQL (or fail where it is required). Absent servers refuse at once.
  const client = new pg.Client({ connectionString: pgUrl, connectionTimeoutMillis: 30_000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch (e) {
    if (process.env.OPENWAAS_REQUIRE_POSTGRES === '1') {
      throw new Error(`PostgreSQL is required (OPENWAAS_REQUIRE_POSTGRES=1) but ${pgTarget()} is not reachable: ${(e as Error).message}`);
    }
    if (!warned) {
      warned = true;
      console.log(`# SKIPPING PostgreSQL storage tests: ${pgTarget()} is not reachable (${(e as Error).message}); set OPENWAAS_TEST_DATABASE_URL`);
    }
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** A fresh SQLite database file in a temp dir. */
export function freshSqlite(): TestDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'openwaas-test-'));
  return { name: 'sqlite', url: join(dir, 'openwaas.sqlite'), drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

/** A fresh PostgreSQL schema reached through `search_path`, dropped afterwards. */
export async function freshPostgres(): Promise<TestDatabase> {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const url = new URL(pgUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    name: 'postgres',
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: pgUrl });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
    },
  };
}

/** Which database kinds to run on in this environment. */
export async function databaseKinds(): Promise<Array<'sqlite' | 'postgres'>> {
  pgAvailable ??= probePostgres();
  return (await pgAvailable) ? ['sqlite', 'postgres'] : ['sqlite'];
}

/** A fresh database of `kind`. */
export function freshDatabase(kind: 'sqlite' | 'postgres'): Promise<TestDatabase> {
  return kind === 'sqlite' ? Promise.resolve(freshSqlite()) : freshPostgres();
}

/** The PostgreSQL server the storage tests use, without its password (for messages). */
function pgTarget(): string {
  try {
    const u = new URL(pgUrl);
    return `${u.protocol}//${u.username ? `${u.username}@` : ''}${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return 'OPENWAAS_TEST_DATABASE_URL';
  }
}

/**
 * Registers, where PostgreSQL is not reachable, one skipped test standing for a suite's
 * PostgreSQL half, so the runner's count shows it as skipped instead of leaving it out. Call it
 * inside the suite, after `databaseKinds()` has answered (with OPENWAAS_REQUIRE_POSTGRES=1 that
 * answer is a failure, never a skip).
 */
export function skippedWithoutPostgres(kinds: ReadonlyArray<'sqlite' | 'postgres'>, title = 'postgres'): void {
  if (kinds.includes('postgres')) return;
  describe(title, () => {
    it('runs on PostgreSQL too', { skip: `PostgreSQL is not reachable at ${pgTarget()}; set OPENWAAS_TEST_DATABASE_URL` }, () => {});
  });
}
