import { Migrator, sql, type DatabaseIntrospector, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely';
import type { Store } from './db.js';
import * as m001 from './migrations/001_initial.js';
import * as m002 from './migrations/002_chains.js';
import * as m003TreasuryReceipts from './migrations/003_treasury_receipts.js';
import * as m004ScannerFaults from './migrations/004_scanner_faults.js';
import * as m005ReplayGuard from './migrations/005_replay_guard.js';
import * as m006SecretsAtRest from './migrations/006_secrets_at_rest.js';
import * as m007Policies from './migrations/007_policies.js';
import * as m008OperatorAudit from './migrations/008_operator_audit.js';
import * as m009NeutralChainTxs from './migrations/009_neutral_chain_txs.js';
import * as m010Operators from './migrations/010_operators.js';
import * as m011ChangeRequests from './migrations/011_change_requests.js';
import * as m012FourEyesEngaged from './migrations/012_four_eyes_engaged.js';
import * as m013NotificationAttempts from './migrations/013_notification_attempts.js';
import * as m014OperatorRecordLists from './migrations/014_operator_record_lists.js';
import * as m015CallbackProfile from './migrations/015_callback_profile.js';
import * as m016CoinLinksSymbolCase from './migrations/016_coin_links_symbol_case.js';

/** Every migration, in order. Names never change once released. */
const migrations = [
  { name: '001_initial', module: m001 },
  { name: '002_chains', module: m002 },
  { name: '003_treasury_receipts', module: m003TreasuryReceipts },
  { name: '004_scanner_faults', module: m004ScannerFaults },
  { name: '005_replay_guard', module: m005ReplayGuard },
  { name: '006_secrets_at_rest', module: m006SecretsAtRest },
  { name: '007_policies', module: m007Policies },
  { name: '008_operator_audit', module: m008OperatorAudit },
  { name: '009_neutral_chain_txs', module: m009NeutralChainTxs },
  { name: '010_operators', module: m010Operators },
  { name: '011_change_requests', module: m011ChangeRequests },
  { name: '012_four_eyes_engaged', module: m012FourEyesEngaged },
  { name: '013_notification_attempts', module: m013NotificationAttempts },
  { name: '014_operator_record_lists', module: m014OperatorRecordLists },
  { name: '015_callback_profile', module: m015CallbackProfile },
  { name: '016_coin_links_symbol_case', module: m016CoinLinksSymbolCase },
] as const;

class CodeMigrationProvider implements MigrationProvider {
  constructor(private readonly store: Store) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    const out: Record<string, Migration> = {};
    for (const { name, module } of migrations) {
      out[name] = { up: (db) => module.up(db, this.store.dialect) };
    }
    return out;
  }
}

/**
 * What the migrator asks of the database's catalog, answered for our schema only. Kysely's own
 * PostgreSQL introspector reads every column of every schema (with a per-column function that
 * fails when another schema is dropped meanwhile): slow where the database holds other schemas,
 * and a start-up that fails for no fault of ours when one of them is dropped at that moment.
 */
function schemaIntrospector(store: Store, schema: string): DatabaseIntrospector {
  return {
    async getSchemas() {
      const rows = await sql<{ name: string }>`select nspname as name from pg_namespace where nspname = ${schema}`.execute(store.db);
      return rows.rows;
    },
    async getTables() {
      const rows = await sql<{ name: string; isView: boolean }>`select table_name as "name", table_type = 'VIEW' as "isView" from information_schema.tables where table_schema = ${schema}`.execute(store.db);
      return rows.rows.map((r) => ({ name: r.name, schema, isView: r.isView, columns: [] }));
    },
    async getMetadata() {
      return { tables: await this.getTables() };
    },
  };
}

/** A migrator over our migrations, its bookkeeping tables pinned to the current schema. */
async function migratorOf(store: Store): Promise<Migrator> {
  if (store.dialect !== 'postgres') return new Migrator({ db: store.db, provider: new CodeMigrationProvider(store) });
  // Kysely looks for its bookkeeping tables in any schema; pin them to ours so several
  // services (or test runs) can share one PostgreSQL database in separate schemas.
  const schema = (await sql<{ s: string }>`select current_schema() as s`.execute(store.db)).rows[0]?.s;
  if (!schema) throw new Error('PostgreSQL has no current schema: check search_path');
  const introspection = schemaIntrospector(store, schema);
  // The same Kysely instance with that introspector: every other member read from (and bound to) the instance itself.
  const db = new Proxy(store.db, {
    get(target, key) {
      if (key === 'introspection') return introspection;
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return new Migrator({ db, provider: new CodeMigrationProvider(store), migrationTableSchema: schema });
}

function reported(result: MigrationResultSet, onProgress?: (line: string) => void): MigrationResultSet {
  for (const r of result.results ?? []) onProgress?.(`migration ${r.migrationName}: ${r.status}`);
  if (result.error) throw result.error;
  return result;
}

/** Applies pending migrations; `onProgress` reports each one (start-up and `openwaas migrate`). */
export async function migrateToLatest(store: Store, onProgress?: (line: string) => void): Promise<MigrationResultSet> {
  return reported(await (await migratorOf(store)).migrateToLatest(), onProgress);
}

/** Applies migrations up to and including `name` only: a database as an earlier version left it (upgrade tests). */
export async function migrateUpTo(store: Store, name: MigrationName): Promise<MigrationResultSet> {
  return reported(await (await migratorOf(store)).migrateTo(name));
}

export type MigrationName = (typeof migrations)[number]['name'];

/** Names of migrations not applied yet; the CLI refuses to work on an outdated schema. */
export async function pendingMigrations(store: Store): Promise<string[]> {
  return (await (await migratorOf(store)).getMigrations()).filter((m) => m.executedAt === undefined).map((m) => m.name);
}

/** Every migration this code knows, oldest first. */
export function knownMigrationNames(): string[] {
  return migrations.map((m) => m.name);
}

/** The newest migration this code knows: the schema version a migrated database is at. */
export function latestMigrationName(): string {
  return migrations[migrations.length - 1]!.name;
}
