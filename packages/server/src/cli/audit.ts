import { auditAction } from '../operator/actions.js';
import { exitCode, leaf, print, table } from './args.js';
import { withContext } from './context.js';

/** Progress is printed every this many entries. */
const progressEveryEntries = 50_000;

export const audit = leaf({
  name: 'audit',
  summary: 'check the ledger; exit 1 on any finding',
  help: `audit

Checks that every journal balances, every account's balances equal the sum of its entries and
no account but the external one is negative. Exit code 0 when clean, 1 with findings.`,
  async run(p, io) {
    let next = progressEveryEntries;
    const report = await withContext(io, (ctx) =>
      auditAction(ctx, (entries) => {
        if (entries >= next) {
          io.stderr.write(`read ${entries} entries …\n`);
          next = entries + progressEveryEntries;
        }
      }),
    );
    print(io, p, report, () => {
      const head = `journals ${report.journals}, entries ${report.entries}, accounts ${report.accounts}\n`;
      return report.ok ? `${head}ledger OK: no findings\n` : `${head}${report.findings.length} finding(s):\n${table(report.findings, ['kind', 'detail'])}`;
    });
    return report.ok ? exitCode.ok : exitCode.failed;
  },
});
