import { resolve } from 'node:path';
import { auditLedger } from '../modules/ledger/index.js';
import { BackupError, restoreBackup, verifiedBackup, writeBackup } from '../store/backup.js';
import { openStore } from '../store/db.js';
import { knownMigrationNames, migrateToLatest } from '../store/migrate.js';
import { redactedUrl } from '../http/redacted-url.js';
import { CommandFailed, exitCode, leaf, print, UsageError } from './args.js';
import { cliConfig } from './context.js';

function backupCall<T>(run: () => Promise<T>): Promise<T> {
  return run().catch((error: unknown) => {
    if (error instanceof BackupError) throw new CommandFailed(error.message);
    throw error;
  });
}

export const backup = leaf({
  name: 'backup',
  summary: 'write a consistent copy of the database and the key store, with a manifest',
  help: `backup <DIR>

Writes into the new directory DIR (created 0700) a consistent copy of the database named by
DATABASE_URL, while the service keeps running: SQLite through its online backup, PostgreSQL
through pg_dump (the client tools of the server's major version must be on PATH; the password
goes to them through the environment, never the command line). The encrypted key store
(keystorePath) is copied as it is — its passphrase is never part of a backup: keep it where
you keep it today. manifest.json lists every file with its SHA-256. Put it back with
'openwaas restore DIR' (docs/backups.md).`,
  positionals: { min: 1, max: 1 },
  async run(p, io) {
    const config = cliConfig(io);
    const dir = resolve(io.cwd, p.positionals[0]!);
    const manifest = await backupCall(() => writeBackup({ databaseUrl: config.databaseUrl, keystorePath: resolve(io.cwd, config.keystorePath), dir, nowMs: Date.now() }));
    print(io, p, { dir, ...manifest }, () =>
      [
        `backed up ${redactedUrl(config.databaseUrl)} (${manifest.database.kind}) into ${dir}`,
        `  ${manifest.database.file}  ${manifest.database.bytes} bytes  sha256 ${manifest.database.sha256}`,
        manifest.keystore ? `  ${manifest.keystore.file}  ${manifest.keystore.bytes} bytes  sha256 ${manifest.keystore.sha256}` : `  no key store at ${config.keystorePath} (development keys?): none copied`,
        `  schema ${manifest.schema}`,
      ].join('\n') + '\n',
    );
    return exitCode.ok;
  },
});

export const restore = leaf({
  name: 'restore',
  summary: 'put a backup back into a fresh database and key store path, then audit it',
  help: `restore <DIR>

Checks every file of the backup in DIR against its manifest, then puts the database back at
DATABASE_URL — a SQLite path where no file exists yet, or an empty PostgreSQL database
(createdb first; restored with pg_restore) — and the key store at keystorePath, which must not
exist yet: a restore never overwrites anything. Then migrates the restored database to this
version's schema and runs the ledger audit. Exit 0 when the audit is clean, 1 with findings.`,
  positionals: { min: 1, max: 1 },
  async run(p, io) {
    const config = cliConfig(io);
    const dir = resolve(io.cwd, p.positionals[0]!);
    const manifest = await backupCall(() => verifiedBackup(dir, knownMigrationNames()));
    if ((manifest.database.kind === 'postgres') !== /^postgres(ql)?:\/\//.test(config.databaseUrl)) {
      throw new UsageError(`the backup holds a ${manifest.database.kind} database: set DATABASE_URL to a fresh ${manifest.database.kind === 'postgres' ? 'empty PostgreSQL database' : 'SQLite path'}`, 'restore');
    }
    await backupCall(() => restoreBackup({ dir, manifest, databaseUrl: config.databaseUrl, keystorePath: resolve(io.cwd, config.keystorePath) }));
    const store = openStore(config.databaseUrl);
    try {
      const migrated = await migrateToLatest(store);
      const applied = (migrated.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
      const audit = await auditLedger(store.db);
      const result = { dir, database: redactedUrl(config.databaseUrl), keystore: manifest.keystore ? config.keystorePath : null, migrations_applied: applied, audit: { ok: audit.findings.length === 0, ...audit } };
      print(io, p, result, () =>
        [
          `restored ${manifest.database.kind} backup of ${manifest.created_at} into ${result.database}${manifest.keystore ? ` and ${config.keystorePath}` : ''}`,
          applied.length > 0 ? `migrated: ${applied.join(', ')}` : 'schema current',
          `audit: journals ${audit.journals}, entries ${audit.entries}, accounts ${audit.accounts}: ${result.audit.ok ? 'no findings' : `${audit.findings.length} finding(s)`}`,
          ...audit.findings.map((f) => `  ${f.kind}: ${f.detail}`),
        ].join('\n') + '\n',
      );
      return result.audit.ok ? exitCode.ok : exitCode.failed;
    } finally {
      await store.close();
    }
  },
});
