/**
 * Backups of the database and the key store, and putting one back.
 *
 * SQLite: SQLite's online backup (better-sqlite3 `backup()`) from a connection of its own, so a
 * running service keeps writing; the copy is one consistent snapshot (WAL readers see a single
 * commit point). PostgreSQL: `pg_dump --format=custom` (a consistent snapshot by its own
 * transaction) and `pg_restore` back into an empty database. The key store is copied as it is:
 * it is encrypted at rest, and its passphrase is never part of a backup. A manifest records
 * what was written with the SHA-256 of each file, checked again before anything is restored.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { openStore, restrictSqliteSidecars } from './db.js';
import { latestMigrationName } from './migrate.js';
import { sql } from 'kysely';

/** What a backup directory holds (manifest.json). */
export interface BackupManifest {
  format: 'openwaas-backup-1';
  created_at: string;
  /** The newest migration of the code that wrote it: a restore by older code is refused. */
  schema: string;
  /** `schema_name`: PostgreSQL only, the schema the tables live in (restored under the same name). */
  database: { kind: 'sqlite' | 'postgres'; file: string; bytes: number; sha256: string; schema_name?: string };
  /** The encrypted key store, when there is one at the configured path. */
  keystore: { file: string; bytes: number; sha256: string } | null;
}

export const manifestFile = 'manifest.json';

/** A backup or restore that cannot be done as asked; the message says why and what to do. */
export class BackupError extends Error {
  override name = 'BackupError';
}

const isPostgres = (url: string) => /^postgres(ql)?:\/\//.test(url);
const sqlitePathOf = (url: string) => url.replace(/^sqlite:/, '');

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function described(dir: string, file: string): Promise<{ file: string; bytes: number; sha256: string }> {
  const path = join(dir, file);
  return { file, bytes: statSync(path).size, sha256: await sha256Of(path) };
}

/** Runs a client program (pg_dump, pg_restore): its standard output, or its stderr as the error. */
function runTool(program: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(program, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', (error: NodeJS.ErrnoException) =>
      reject(
        new BackupError(
          error.code === 'ENOENT'
            ? `${program} was not found: install the PostgreSQL client tools of the server's major version (Debian: postgresql-client) or put them on PATH`
            : `${program}: ${error.message}`,
        ),
      ),
    );
    child.on('close', (code) => (code === 0 ? resolvePromise(stdout) : reject(new BackupError(`${program} failed (exit ${code}): ${stderr.trim().split('\n').slice(-3).join(' ')}`))));
  });
}

/**
 * The connection string without its password, which goes to the client programs through
 * PGPASSWORD instead: a password on a command line is visible to every user of the machine.
 */
function clientConnection(url: string): { url: string; env: NodeJS.ProcessEnv } {
  const parsed = new URL(url);
  const password = decodeURIComponent(parsed.password);
  parsed.password = '';
  // libpq reads %20, not the form encoding's '+', as a space (options=-c search_path=…).
  const query = [...parsed.searchParams].map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
  parsed.search = '';
  return { url: `${parsed.toString()}${query ? `?${query}` : ''}`, env: password ? { ...process.env, PGPASSWORD: password } : { ...process.env } };
}

/** An empty directory for the backup (created 0700: it holds everything the service holds). */
function prepareTarget(dir: string): void {
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new BackupError(`${dir} is not empty: back up into a new directory`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

/** Writes a backup of `databaseUrl` and the key store at `keystorePath` into the new directory `dir`. */
export async function writeBackup(input: { databaseUrl: string; keystorePath: string; dir: string; nowMs: number }): Promise<BackupManifest> {
  const dir = resolve(input.dir);
  prepareTarget(dir);
  let database: BackupManifest['database'];
  if (isPostgres(input.databaseUrl)) {
    const file = 'database.pgdump';
    const client = clientConnection(input.databaseUrl);
    // Only the service's schema: a database may hold others (another service, other tenants).
    const schemaName = await postgresCurrentSchema(input.databaseUrl);
    await runTool('pg_dump', ['--format=custom', '--no-owner', '--no-privileges', `--schema=${schemaName}`, `--file=${join(dir, file)}`, `--dbname=${client.url}`], client.env);
    database = { kind: 'postgres', ...(await described(dir, file)), schema_name: schemaName };
  } else {
    const source = sqlitePathOf(input.databaseUrl);
    if (source === ':memory:' || !existsSync(source)) throw new BackupError(`no SQLite database at ${source}`);
    const file = 'database.sqlite';
    // A connection of its own: the online backup copies pages while the service goes on writing.
    const connection = new SQLite(source, { fileMustExist: true });
    restrictSqliteSidecars(source);
    try {
      connection.pragma('busy_timeout = 5000');
      await connection.backup(join(dir, file));
    } finally {
      connection.close();
    }
    chmodSync(join(dir, file), 0o600);
    database = { kind: 'sqlite', ...(await described(dir, file)) };
  }
  let keystore: BackupManifest['keystore'] = null;
  if (existsSync(input.keystorePath)) {
    const file = 'keystore.json';
    copyFileSync(input.keystorePath, join(dir, file));
    chmodSync(join(dir, file), 0o600);
    keystore = await described(dir, file);
  }
  const manifest: BackupManifest = { format: 'openwaas-backup-1', created_at: new Date(input.nowMs).toISOString(), schema: latestMigrationName(), database, keystore };
  writeFileSync(join(dir, manifestFile), JSON.stringify(manifest, null, 2) + '\n', { mode: 0o600 });
  return manifest;
}

/** The manifest of a backup directory, with every file's checksum verified. */
export async function verifiedBackup(dir: string, knownMigrations: readonly string[]): Promise<BackupManifest> {
  const path = join(dir, manifestFile);
  if (!existsSync(path)) throw new BackupError(`${dir} holds no ${manifestFile}: not a backup written by 'openwaas backup'`);
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as BackupManifest;
  if (manifest.format !== 'openwaas-backup-1') throw new BackupError(`${path}: unknown backup format ${String(manifest.format)}`);
  if (!knownMigrations.includes(manifest.schema)) throw new BackupError(`the backup's schema ${manifest.schema} is newer than this version knows: restore it with the version that wrote it (or a newer one)`);
  for (const part of [manifest.database, manifest.keystore]) {
    if (!part) continue;
    const file = join(dir, basename(part.file));
    if (!existsSync(file)) throw new BackupError(`${file} is missing`);
    const sha256 = await sha256Of(file);
    if (sha256 !== part.sha256) throw new BackupError(`${file} does not match its checksum in the manifest: the backup is damaged`);
  }
  return manifest;
}

/**
 * Puts the database of a verified backup back at `databaseUrl` (a SQLite file that does not
 * exist yet, or an empty PostgreSQL database) and its key store at `keystorePath` (which must
 * not exist yet). Nothing is overwritten: a restore never destroys what is there.
 */
export async function restoreBackup(input: { dir: string; manifest: BackupManifest; databaseUrl: string; keystorePath: string }): Promise<void> {
  const { dir, manifest } = input;
  if (manifest.keystore && existsSync(input.keystorePath)) throw new BackupError(`a key store exists at ${input.keystorePath}: restore into a fresh location (move it away first)`);
  if (manifest.database.kind === 'postgres') {
    if (!isPostgres(input.databaseUrl)) throw new BackupError('the backup is of a PostgreSQL database: DATABASE_URL must name an empty PostgreSQL database');
    const schemaName = manifest.database.schema_name ?? 'public';
    const target = await postgresTarget(input.databaseUrl, schemaName);
    if (!target.onSearchPath) throw new BackupError(`the backup's tables live in schema ${schemaName}: DATABASE_URL must use it (its search_path), as the backed-up service did`);
    if (target.tables > 0) throw new BackupError(`schema ${schemaName} of the target database holds tables: create a new database (createdb) and restore into it`);
    const client = clientConnection(input.databaseUrl);
    const dump = join(dir, basename(manifest.database.file));
    const args = ['--no-owner', '--no-privileges', '--exit-on-error', `--dbname=${client.url}`];
    const listDir = target.schemaExists ? mkdtempSync(join(tmpdir(), 'openwaas-restore-')) : undefined;
    try {
      if (listDir) {
        // The schema is there already (public always is): restore everything but its creation.
        const toc = await runTool('pg_restore', ['--list', dump], client.env);
        const creation = new RegExp(`\\b(SCHEMA - |COMMENT - SCHEMA )${schemaName}\\b`);
        writeFileSync(join(listDir, 'toc.list'), toc.split('\n').filter((line) => !creation.test(line)).join('\n'), { mode: 0o600 });
        args.push(`--use-list=${join(listDir, 'toc.list')}`);
      }
      await runTool('pg_restore', [...args, dump], client.env);
    } finally {
      if (listDir) rmSync(listDir, { recursive: true, force: true });
    }
  } else {
    if (isPostgres(input.databaseUrl)) throw new BackupError('the backup is of a SQLite database: DATABASE_URL must name a SQLite file');
    const target = sqlitePathOf(input.databaseUrl);
    if (existsSync(target)) throw new BackupError(`a database exists at ${target}: restore into a fresh path (move it away first)`);
    mkdirSync(dirname(resolve(target)), { recursive: true, mode: 0o700 });
    copyFileSync(join(dir, basename(manifest.database.file)), target);
    chmodSync(target, 0o600);
  }
  if (manifest.keystore) {
    mkdirSync(dirname(resolve(input.keystorePath)), { recursive: true, mode: 0o700 });
    copyFileSync(join(dir, basename(manifest.keystore.file)), input.keystorePath);
    chmodSync(input.keystorePath, 0o600);
  }
}

/** The schema the service's tables live in (the connection's current schema). */
async function postgresCurrentSchema(url: string): Promise<string> {
  const store = openStore(url);
  try {
    const { rows } = await sql<{ name: string | null }>`select current_schema() as name`.execute(store.db);
    const name = rows[0]?.name;
    if (!name) throw new BackupError('the database connection has no current schema (its search_path names none that exists)');
    return name;
  } finally {
    await store.close();
  }
}

/** What a restore into `schemaName` of the database at `url` would meet. */
async function postgresTarget(url: string, schemaName: string): Promise<{ onSearchPath: boolean; schemaExists: boolean; tables: number }> {
  const store = openStore(url);
  try {
    const path = await sql<{ path: string }>`select current_setting('search_path') as path`.execute(store.db);
    const names = (path.rows[0]?.path ?? '').split(',').map((n) => n.trim().replace(/^"|"$/g, ''));
    const schemas = await sql<{ n: number | string }>`select count(*) as n from information_schema.schemata where schema_name = ${schemaName}`.execute(store.db);
    const tables = await sql<{ n: number | string }>`select count(*) as n from information_schema.tables where table_schema = ${schemaName}`.execute(store.db);
    return { onSearchPath: names.includes(schemaName), schemaExists: Number(schemas.rows[0]?.n ?? 0) > 0, tables: Number(tables.rows[0]?.n ?? 0) };
  } finally {
    await store.close();
  }
}
