import { addToBlacklist, listBlacklist } from '../modules/withdrawals/index.js';
import { describe, exitCode, group, leaf, print, str, table } from './args.js';
import { withAuditedContext } from './audited.js';
import { runSensitiveCommand } from './sensitive.js';
import { withContext } from './context.js';

const add = leaf({
  name: 'blacklist add',
  role: 'admin',
  summary: 'refuse withdrawals to an address (110037)',
  help: 'blacklist add <address> [--reason TEXT]',
  options: { reason: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run(p, io) {
    const reason = str(p, 'reason');
    const address = p.positionals[0]!;
    const entry = await withAuditedContext(io, { action: 'blacklist add', target: `/blacklist/${encodeURIComponent(address)}` }, async (ctx, note) => {
      const added = await addToBlacklist(ctx.store.db, { address, ...(reason !== undefined ? { reason } : {}), nowMs: ctx.clock.nowMs() });
      note({ target: `/blacklist/${encodeURIComponent(added.address)}`, after: added });
      return added;
    });
    print(io, p, entry, () => describe(entry));
    return exitCode.ok;
  },
});

const remove = leaf({
  name: 'blacklist remove',
  role: 'admin',
  summary: 'take an address off the blacklist',
  help: 'blacklist remove <address>',
  positionals: { min: 1, max: 1 },
  async run(p, io) {
    const address = p.positionals[0]!;
    await runSensitiveCommand(io, p, {
      command: 'blacklist remove',
      key: 'DELETE /blacklist/:address',
      target: `/blacklist/${encodeURIComponent(address)}`,
      raw: { params: { address } },
      printApplied: () => ({ json: { removed: address.toLowerCase() }, text: `removed ${address.toLowerCase()}\n` }),
    });
    return exitCode.ok;
  },
});

const listCommand = leaf({
  name: 'blacklist list',
  role: 'viewer',
  summary: 'blacklisted addresses',
  help: 'blacklist list',
  async run(p, io) {
    const rows = await withContext(io, (ctx) => listBlacklist(ctx.store.db));
    print(io, p, rows, () => table(rows, ['address', 'reason', 'created_at']));
    return exitCode.ok;
  },
});

export const blacklist = group('blacklist', 'addresses withdrawals may not go to', { add, remove, list: listCommand });
