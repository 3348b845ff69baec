import { auditAction, chainAuditAction } from '../operator/actions.js';
import { createWriteStream } from 'node:fs';
import { resolve } from 'node:path';
import { once } from 'node:events';
import { exportOperatorAudit, verifyOperatorAudit } from '../modules/operator-audit/index.js';
import { operatorAuditQuery } from '../contracts/operator.js';
import { operatorAuditFilterOf, operatorAuditPage } from '../operator/audit-routes.js';
import { describeZodError } from '../operator/errors.js';
import { exitCode, flag, leaf, print, programName, str, table, UsageError, type GroupCommand } from './args.js';
import { withChainContext } from './chain-context.js';
import { withContext } from './context.js';
import { escapeForTerminal } from './terminal.js';
import { auditProgressEveryEntries } from '../limits.js';

const ledgerAudit = leaf({
  name: 'audit',
  role: 'viewer',
  summary: 'check the ledger (and with --chain, the chain balances); exit 1 on any finding',
  help: `audit [--chain]

Checks that every journal balances, every account's balances equal the sum of its entries and
no account is negative but the external account, the chain mirror, and a collection account
overdrawn by billed miner fees. With --chain, also compares, for every coin of every
configured chain (OPENWAAS_CHAINS), the real balances of all deposit addresses and the hot and
fee wallets with what the ledger says they hold (needs the keys: OPENWAAS_KEY_PASSPHRASE for
the key store). Exit code 0 when clean, 1 with findings.

'${programName} audit operators --help': the operator audit trail (verify, list, export).`,
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

/** Writes `line` to `out`, waiting when its buffer is full: the export's memory stays bounded. */
async function writeLine(out: NodeJS.WritableStream, line: string): Promise<void> {
  if (!out.write(line)) await once(out, 'drain');
}

const operatorsAudit = leaf({
  name: 'audit operators',
  role: 'viewer',
  summary: 'verify the operator audit trail (exit 1 when broken), list or export it',
  help: `audit operators
       audit operators --export FILE|-
       audit operators --list [--operator ID] [--action ACTION] [--target TARGET] [--outcome done|refused|failed]
                              [--from MS] [--to MS] [--after-id ID] [--limit N]

Without options: walks the hash chain of the operator audit trail (every operator action, each
entry holding the hash of the one before) and names the first broken entry: a modified field,
a deleted entry, entries reordered. Exit code 0 when intact, 1 when broken.

  --export FILE|-   write every entry as one JSON line, oldest first, to FILE (or stdout: -)
  --list            one page of entries, oldest first, filtered; page on with --after-id`,
  options: {
    export: { type: 'string' },
    list: { type: 'boolean' },
    operator: { type: 'string' },
    action: { type: 'string' },
    target: { type: 'string' },
    outcome: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    'after-id': { type: 'string' },
    limit: { type: 'string' },
  },
  async run(p, io) {
    const name = 'audit operators';
    const target = str(p, 'export');
    const filters = ['operator', 'action', 'target', 'outcome', 'from', 'to', 'after-id', 'limit'].filter((k) => str(p, k) !== undefined);
    if (target !== undefined && flag(p, 'list')) throw new UsageError('--export and --list exclude each other', name);
    if (!flag(p, 'list') && filters.length > 0) throw new UsageError(`--${filters[0]} goes with --list`, name);
    if (target !== undefined) {
      const toStdout = target === '-';
      const out = toStdout ? io.stdout : createWriteStream(resolve(io.cwd, target), { mode: 0o600 });
      const written = await withContext(io, (ctx) => exportOperatorAudit(ctx.store.db, (line) => writeLine(out, line)));
      if (!toStdout) {
        out.end();
        await once(out, 'finish');
      }
      io.stderr.write(`exported ${written} entr${written === 1 ? 'y' : 'ies'}${toStdout ? '' : ` to ${escapeForTerminal(target)}`}\n`);
      return exitCode.ok;
    }
    if (flag(p, 'list')) {
      const parsed = operatorAuditQuery.safeParse({
        ...(str(p, 'operator') !== undefined ? { operator_id: str(p, 'operator') } : {}),
        ...(str(p, 'action') !== undefined ? { action: str(p, 'action') } : {}),
        ...(str(p, 'target') !== undefined ? { target: str(p, 'target') } : {}),
        ...(str(p, 'outcome') !== undefined ? { outcome: str(p, 'outcome') } : {}),
        ...(str(p, 'from') !== undefined ? { from: str(p, 'from') } : {}),
        ...(str(p, 'to') !== undefined ? { to: str(p, 'to') } : {}),
        ...(str(p, 'after-id') !== undefined ? { after_id: str(p, 'after-id') } : {}),
        ...(str(p, 'limit') !== undefined ? { limit: str(p, 'limit') } : {}),
      });
      if (!parsed.success) throw new UsageError(describeZodError(parsed.error), name);
      const page = await withContext(io, (ctx) => operatorAuditPage(ctx.store.db, parsed.data));
      print(io, p, page, () => {
        const rows = page.entries.map((e) => ({ ...e, at: new Date(e.at).toISOString(), error_code: e.error_code ?? '' }));
        const more = page.next_after_id !== null ? `more: --after-id ${page.next_after_id}\n` : '';
        return table(rows, ['id', 'at', 'operator_id', 'operator_name', 'action', 'target', 'outcome', 'error_code', 'source_ip']) + more;
      });
      return exitCode.ok;
    }
    let next = auditProgressEveryEntries;
    const verdict = await withContext(io, (ctx) =>
      verifyOperatorAudit(ctx.store.db, (entries) => {
        if (entries >= next) {
          io.stderr.write(`checked ${entries} entries …\n`);
          next = entries + auditProgressEveryEntries;
        }
      }),
    );
    print(io, p, verdict, () =>
      verdict.broken
        ? `BROKEN at entry ${verdict.broken.id} (${verdict.broken.kind}): ${verdict.broken.detail}\n${verdict.entries} entries intact before it\n`
        : `${verdict.entries} entries, chain intact; head: entry ${verdict.head.id}, hash ${verdict.head.hash}\n`,
    );
    return verdict.ok ? exitCode.ok : exitCode.failed;
  },
});

/** `audit` checks the ledger; `audit operators` the operator audit trail. */
export const audit: GroupCommand = {
  summary: ledgerAudit.summary,
  help: ledgerAudit.help,
  subcommands: { operators: operatorsAudit },
  run(argv, io) {
    return argv[0] === 'operators' ? operatorsAudit.run(argv.slice(1), io) : ledgerAudit.run(argv, io);
  },
};
