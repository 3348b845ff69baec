import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { CompiledQuery, Kysely, PostgresDialect, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver, type SqliteDialectConfig } from 'kysely';
import pg from 'pg';
import type { DialectName } from './dialect.js';
import { SqliteRowLocksPlugin } from './row-locks.js';
import type { Database } from './schema.js';
import { postgresPoolConnectionsMax } from '../limits.js';

/** The database handle shared by the whole service. */
export interface Store {
  db: Kysely<Database>;
  dialect: DialectName;
  close(): Promise<void>;
}

/**
 * SQLite transactions start with BEGIN IMMEDIATE: a deferred transaction that reads first and
 * writes later cannot wait for another process's write lock (SQLite answers BUSY at once to
 * avoid a deadlock), so two processes on one file (a second service, a CLI command) would fail
 * instead of queueing behind busy_timeout.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
}

/** Default SQLite file when no DATABASE_URL is given. */
export const defaultSqlitePath = './data/openwaas.sqlite';

/**
 * Opens SQLite (a file path, `sqlite:PATH`, or `:memory:`) or PostgreSQL (`postgres://…`).
 * PostgreSQL bigint (ids, ms timestamps) is parsed into numbers; numeric amounts stay strings.
 */
export function openStore(url: string = defaultSqlitePath): Store {
  if (/^postgres(ql)?:\/\//.test(url)) {
    const pool = new pg.Pool({
      connectionString: url,
      max: postgresPoolConnectionsMax,
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
          oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
      },
    });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, dialect: 'postgres', close: () => db.destroy() };
  }
  const path = url.replace(/^sqlite:/, '');
  if (path !== ':memory:') prepareSqliteFile(path);
  const sqlite = new SQLite(path);
  sqlite.pragma('journal_mode = WAL');
  if (path !== ':memory:') restrictSqliteSidecars(path);
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: sqlite }), plugins: [new SqliteRowLocksPlugin()] });
  return { db, dialect: 'sqlite', close: () => db.destroy() };
}

/**
 * The database holds every merchant's records (and encrypted secrets): its directory is created
 * 0700 and the file 0600 whatever the umask — created empty with that mode before SQLite opens
 * it, and tightened if an earlier version left it readable by others.
 */
function prepareSqliteFile(path: string): void {
  const dir = dirname(resolve(path));
  const created = mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (created !== undefined) chmodSync(dir, 0o700);
  if (!existsSync(path)) {
    try {
      closeSync(openSync(path, 'wx', 0o600));
    } catch (error) {
      // Another process created it first; its mode is fixed below.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  restrict(path);
}

/** SQLite creates -wal and -shm itself: 0600 too once they exist. */
export function restrictSqliteSidecars(path: string): void {
  for (const sidecar of [`${path}-wal`, `${path}-shm`]) if (existsSync(sidecar)) restrict(sidecar);
}

function restrict(file: string): void {
  try {
    chmodSync(file, 0o600);
  } catch (error) {
    // A file owned by another user (a shared read-only copy) keeps its mode; opening decides.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') throw error;
  }
}

/** True when `error` is a unique-constraint violation on either database. */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string } | undefined;
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
