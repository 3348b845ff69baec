import {
  listAllowlist,
  listApprovalPolicies,
  listDestinationSettings,
  listVelocityLimits,
  removeAllowlistedDestination,
  type VelocityScope,
} from '../modules/policies/index.js';
import { cliActor } from '../operator/actor-of.js';
import { withAuditedContext } from './audited.js';
import { describe, exitCode, group, leaf, need, print, str, table, toggle, UsageError, whole, type Parsed } from './args.js';
import { withContext } from './context.js';
import { runSensitiveCommand } from './sensitive.js';

/** `--app-id ID` scopes a policy to one merchant (the routes' app_id); without it the policy holds for every merchant. */
const appIdOf = (p: Parsed) => {
  const appId = str(p, 'app-id');
  return appId !== undefined ? { app_id: appId } : {};
};

function scopeOf(p: Parsed, command: string): VelocityScope {
  const scope = need(p, 'scope', command);
  if (scope !== 'user' && scope !== 'merchant') throw new UsageError(`--scope must be user or merchant, not "${scope}"`, command);
  return scope;
}

const listCommand = leaf({
  name: 'policy list',
  role: 'viewer',
  summary: 'approval policies, velocity limits and destination settings',
  help: 'policy list',
  async run(p, io) {
    const view = await withContext(io, async (ctx) => ({
      approval: await listApprovalPolicies(ctx.store.db),
      velocity: await listVelocityLimits(ctx.store.db),
      destinations: await listDestinationSettings(ctx.store.db),
    }));
    print(io, p, view, () =>
      [
        'Approval policies\n' + table(view.approval, ['app_id', 'symbol', 'above_amount', 'approvals_required', 'company_review', 'updated_by', 'updated_at']),
        'Velocity limits\n' + table(view.velocity, ['app_id', 'symbol', 'scope', 'window_s', 'max_amount', 'max_count', 'updated_by', 'updated_at']),
        'Destination settings\n' + table(view.destinations, ['app_id', 'allowlist_enabled', 'new_address_cooldown_s', 'updated_by', 'updated_at']),
      ].join('\n'),
    );
    return exitCode.ok;
  },
});

const approvalSet = leaf({
  name: 'policy approval set',
  role: 'admin',
  summary: "set a coin's approval policy (or a merchant's override)",
  help: `policy approval set <symbol> --above AMOUNT --approvals N [--company-review|--no-company-review] [--app-id ID]

A withdrawal under review above AMOUNT needs N distinct reviewers; at or below it, one.

  --company-review      the merchant's side is approved by hand too (default)
  --no-company-review   the merchant's second confirmation stands for its side
  --app-id ID           this merchant only (replaces the coin's policy for it)`,
  options: { above: { type: 'string' }, approvals: { type: 'string' }, 'company-review': { type: 'boolean' }, 'no-company-review': { type: 'boolean' }, 'app-id': { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run(p, io) {
    const command = 'policy approval set';
    const companyReview = toggle(p, 'company-review', 'no-company-review', command);
    const approvalsRequired = whole(need(p, 'approvals', command), '--approvals', command, { min: 1, max: Number.MAX_SAFE_INTEGER });
    const symbol = p.positionals[0]!;
    await runSensitiveCommand(io, p, {
      command,
      key: 'PUT /policies/approval/:symbol',
      target: `/policies/approval/${encodeURIComponent(symbol)}`,
      raw: { params: { symbol }, body: { ...appIdOf(p), above_amount: need(p, 'above', command), approvals_required: approvalsRequired, ...(companyReview !== undefined ? { company_review: companyReview } : {}) } },
      printApplied: (view) => ({ json: view, text: describe(view) }),
    });
    return exitCode.ok;
  },
});

const approvalClear = leaf({
  name: 'policy approval clear',
  role: 'admin',
  summary: "remove a coin's approval policy (or a merchant's override)",
  help: 'policy approval clear <symbol> [--app-id ID]',
  options: { 'app-id': { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run(p, io) {
    const symbol = p.positionals[0]!;
    await runSensitiveCommand(io, p, {
      command: 'policy approval clear',
      key: 'DELETE /policies/approval/:symbol',
      target: `/policies/approval/${encodeURIComponent(symbol)}`,
      raw: { params: { symbol }, query: appIdOf(p) },
      printApplied: () => ({ json: { cleared: 'approval', symbol, app_id: str(p, 'app-id') ?? null }, text: `approval policy of ${symbol} removed\n` }),
    });
    return exitCode.ok;
  },
});

const velocitySet = leaf({
  name: 'policy velocity set',
  role: 'admin',
  summary: 'set a velocity limit of a coin (per user or per merchant)',
  help: `policy velocity set <symbol> --scope user|merchant --window SECONDS [--max-amount AMOUNT] [--max-count N] [--app-id ID]

Withdrawals that would pass the amount or count within the rolling window go to review.

  --app-id ID   this merchant only (its own limits replace the coin's for it)`,
  options: { scope: { type: 'string' }, window: { type: 'string' }, 'max-amount': { type: 'string' }, 'max-count': { type: 'string' }, 'app-id': { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run(p, io) {
    const command = 'policy velocity set';
    const scope = scopeOf(p, command);
    const windowS = whole(need(p, 'window', command), '--window', command, { min: 1, max: Number.MAX_SAFE_INTEGER });
    const maxAmount = str(p, 'max-amount');
    const maxCount = str(p, 'max-count');
    const symbol = p.positionals[0]!;
    await runSensitiveCommand(io, p, {
      command,
      key: 'PUT /policies/velocity/:symbol',
      target: `/policies/velocity/${encodeURIComponent(symbol)}`,
      raw: {
        params: { symbol },
        body: { ...appIdOf(p), scope, window_s: windowS, ...(maxAmount !== undefined ? { max_amount: maxAmount } : {}), ...(maxCount !== undefined ? { max_count: whole(maxCount, '--max-count', command) } : {}) },
      },
      printApplied: (view) => ({ json: view, text: describe(view) }),
    });
    return exitCode.ok;
  },
});

const velocityClear = leaf({
  name: 'policy velocity clear',
  role: 'admin',
  summary: 'remove a velocity limit',
  help: 'policy velocity clear <symbol> --scope user|merchant --window SECONDS [--app-id ID]',
  options: { scope: { type: 'string' }, window: { type: 'string' }, 'app-id': { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run(p, io) {
    const command = 'policy velocity clear';
    const symbol = p.positionals[0]!;
    const scope = scopeOf(p, command);
    const windowS = whole(need(p, 'window', command), '--window', command, { min: 1, max: Number.MAX_SAFE_INTEGER });
    await runSensitiveCommand(io, p, {
      command,
      key: 'DELETE /policies/velocity/:symbol',
      target: `/policies/velocity/${encodeURIComponent(symbol)}`,
      raw: { params: { symbol }, query: { ...appIdOf(p), scope, window_s: windowS } },
      printApplied: () => ({ json: { cleared: 'velocity', symbol, scope, window_s: windowS }, text: `velocity limit ${scope}/${windowS}s of ${symbol} removed\n` }),
    });
    return exitCode.ok;
  },
});

const destinationsSet = leaf({
  name: 'policy destinations set',
  role: 'admin',
  summary: 'switch the allowlist and set the new-address cool-down',
  help: `policy destinations set [--allowlist|--no-allowlist] [--cooldown SECONDS] [--app-id ID]

  --allowlist        only allowlisted destinations pay without review
  --cooldown N       a first payment to a destination waits N seconds in review (0: off)
  --app-id ID        this merchant only (otherwise: every merchant without settings of its own)`,
  options: { allowlist: { type: 'boolean' }, 'no-allowlist': { type: 'boolean' }, cooldown: { type: 'string' }, 'app-id': { type: 'string' } },
  async run(p, io) {
    const command = 'policy destinations set';
    const allowlistEnabled = toggle(p, 'allowlist', 'no-allowlist', command);
    const cooldown = str(p, 'cooldown');
    await runSensitiveCommand(io, p, {
      command,
      key: 'PUT /policies/destinations',
      target: '/policies/destinations',
      raw: { body: { ...appIdOf(p), ...(allowlistEnabled !== undefined ? { allowlist_enabled: allowlistEnabled } : {}), ...(cooldown !== undefined ? { new_address_cooldown_s: whole(cooldown, '--cooldown', command) } : {}) } },
      printApplied: (view) => ({ json: view, text: describe(view) }),
    });
    return exitCode.ok;
  },
});

const destinationsClear = leaf({
  name: 'policy destinations clear',
  role: 'admin',
  summary: 'remove destination settings',
  help: 'policy destinations clear [--app-id ID]',
  options: { 'app-id': { type: 'string' } },
  async run(p, io) {
    await runSensitiveCommand(io, p, {
      command: 'policy destinations clear',
      key: 'DELETE /policies/destinations',
      target: '/policies/destinations',
      raw: { query: appIdOf(p) },
      printApplied: () => ({ json: { cleared: 'destinations', app_id: str(p, 'app-id') ?? null }, text: 'destination settings removed\n' }),
    });
    return exitCode.ok;
  },
});

const allowlistAdd = leaf({
  name: 'policy allowlist add',
  role: 'admin',
  summary: "add a destination to a merchant's allowlist",
  help: `policy allowlist add <app_id> <symbol> <address> [--label TEXT]

The address is stored in the canonical form of the coin's chain; it is listed for every coin of that chain.`,
  options: { label: { type: 'string' } },
  positionals: { min: 3, max: 3 },
  async run(p, io) {
    const [appId, symbol, address] = p.positionals as [string, string, string];
    const label = str(p, 'label');
    await runSensitiveCommand(io, p, {
      command: 'policy allowlist add',
      key: 'POST /merchants/:appId/allowlist',
      target: `/merchants/${encodeURIComponent(appId)}/allowlist`,
      raw: { params: { appId }, body: { symbol, address, ...(label !== undefined ? { label } : {}) } },
      printApplied: (entry) => ({ json: entry, text: describe(entry) }),
    });
    return exitCode.ok;
  },
});

const allowlistRemove = leaf({
  name: 'policy allowlist remove',
  role: 'admin',
  summary: "take a destination off a merchant's allowlist",
  help: 'policy allowlist remove <app_id> <symbol> <address>',
  positionals: { min: 3, max: 3 },
  async run(p, io) {
    const [appId, symbol, address] = p.positionals as [string, string, string];
    await withAuditedContext(io, { action: 'policy allowlist remove', target: `/merchants/${encodeURIComponent(appId)}/allowlist` }, (ctx) => removeAllowlistedDestination(ctx.store.db, { appId, symbol, address }));
    print(io, p, { removed: address, app_id: appId }, () => `removed ${address} from the allowlist of ${appId}\n`);
    return exitCode.ok;
  },
});

const allowlistList = leaf({
  name: 'policy allowlist list',
  role: 'viewer',
  summary: "a merchant's allowlisted destinations",
  help: 'policy allowlist list <app_id>',
  positionals: { min: 1, max: 1 },
  async run(p, io) {
    const rows = await withContext(io, (ctx) => listAllowlist(ctx.store.db, p.positionals[0]!));
    print(io, p, rows, () => table(rows, ['chain', 'address', 'label', 'created_by', 'created_at']));
    return exitCode.ok;
  },
});

export const policy = group('policy', 'approval and spending policies of withdrawals', {
  list: listCommand,
  approval: group('policy approval', 'how many distinct reviewers a withdrawal needs', { set: approvalSet, clear: approvalClear }),
  velocity: group('policy velocity', 'rolling-window limits per user or merchant', { set: velocitySet, clear: velocityClear }),
  destinations: group('policy destinations', 'allowlist switch and new-address cool-down', { set: destinationsSet, clear: destinationsClear }),
  allowlist: group('policy allowlist', "a merchant's allowlisted destinations", { add: allowlistAdd, remove: allowlistRemove, list: allowlistList }),
});
