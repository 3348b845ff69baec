import { openStore } from '../store/db.js';
import { migrateToLatest } from '../store/migrate.js';
import { exitCode, leaf, print } from './args.js';
import { cliConfig } from './context.js';
import { redactedUrl } from '../http/redacted-url.js';

export const migrate = leaf({
  name: 'migrate',
  summary: 'bring the database schema up to date',
  help: `migrate

Applies pending migrations to DATABASE_URL (SQLite path or postgres:// URL), one line per
migration. Safe to run again.`,
  async run(p, io) {
    const config = cliConfig(io);
    const store = openStore(config.databaseUrl);
    const lines: string[] = [];
    try {
      if (!p.json) io.stdout.write(`migrating ${redactedUrl(config.databaseUrl)}\n`);
      const result = await migrateToLatest(store, (line) => {
        lines.push(line);
        if (!p.json) io.stdout.write(`${line}\n`);
      });
      const applied = (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
      print(io, p, { database: redactedUrl(config.databaseUrl), applied }, () => (applied.length === 0 ? 'database is up to date\n' : `applied ${applied.length} migration(s)\n`));
      return exitCode.ok;
    } finally {
      await store.close();
    }
  },
});
