import { auditAction, chainAuditAction } from '../operator/actions.js';
import { exitCode, flag, leaf, print, table } from './args.js';
import { withChainContext } from './chain-context.js';
import { withContext } from './context.js';
import { escapeForTerminal } from './terminal.js';
import { auditProgressEveryEntries } from '../limits.js';

export const audit = leaf({
  name: 'audit',
  role: 'viewer',
  summary: 'check the ledger (and with --chain, the chain balances); exit 1 on any finding',
  help: `audit [--chain]

Checks that every journal balances, every account's balances equal the sum of its entries and
no account is negative but the external account, the chain mirror, and a collection account
overdrawn by billed miner fees. With --chain, also compares, for every coin of every
configured chain (OPENWAAS_CHAINS), the real balances of all deposit addresses and the hot and
fee wallets with what the ledger says they hold (needs the keys: OPENWAAS_KEY_PASSPHRASE for
the key store). Exit code 0 when clean, 1 with findings.`,
  options: { chain: { type: 'boolean' } },
  async run(p, io) {
    let next = auditProgressEveryEntries;
    const onEntries = (entries: number) => {
      if (entries >= next) {
        io.stderr.write(`read ${entries} entries …\n`);
        next = entries + auditProgressEveryEntries;
      }
    };
    const withChain = flag(p, 'chain');
    const report = withChain
      ? await withChainContext(io, async (ctx) => {
          const ledger = await auditAction(ctx, onEntries);
          const chain = await chainAuditAction(ctx, (line) => io.stderr.write(escapeForTerminal(line) + '\n'));
          return { ...ledger, ok: ledger.ok && chain.ok, findings: [...ledger.findings, ...chain.findings], chain: chain.lines };
        })
      : await withContext(io, (ctx) => auditAction(ctx, onEntries));
    print(io, p, report, () => {
      const head = `journals ${report.journals}, entries ${report.entries}, accounts ${report.accounts}\n`;
      const chainLines = 'chain' in report ? `${table(report.chain, ['chain', 'symbol', 'block', 'addresses', 'holdings', 'expected', 'status'])}` : '';
      const verdict = report.ok ? `no findings\n` : `${report.findings.length} finding(s):\n${table(report.findings, ['kind', 'detail'])}`;
      return head + chainLines + verdict;
    });
    return report.ok ? exitCode.ok : exitCode.failed;
  },
});
