import { existsSync } from 'node:fs';
import { redactedConfig } from '../config/reference.js';
import { checkLimits, LimitsError } from '../limits.js';
import { exitCode, group, leaf, print, UsageError } from './args.js';
import { cliConfig } from './context.js';

/** "path = value" lines of a redacted configuration, nested keys dotted, arrays indexed. */
function settingLines(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) {
    if (value.length === 0) return [`${prefix} = []`];
    return value.flatMap((item, i) => settingLines(item, `${prefix}[${i}]`));
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return prefix ? [`${prefix} = {}`] : [];
    return entries.flatMap(([key, item]) => settingLines(item, prefix ? `${prefix}.${key}` : key));
  }
  return [`${prefix} = ${JSON.stringify(value)}`];
}

const check = leaf({
  name: 'config check',
  summary: 'validate the configuration and print the effective settings (secrets not shown)',
  help: `config check

Validates the configuration this process would start with — defaults, the OPENWAAS_CONFIG
file, environment variables (docs/configuration.md lists every setting) — with the checks
serve makes before it opens anything: the settings' own rules, the operator listener apart
from the merchant one, the bounds against each chain's settings. Prints the effective
settings with secrets not shown and URLs with their credentials redacted, and what serve
would refuse for lack of keys. Exit 0 when serve would accept it, 2 with every problem.`,
  async run(p, io) {
    const config = cliConfig(io);
    try {
      checkLimits({ chains: config.chains });
    } catch (error) {
      if (error instanceof LimitsError) throw new UsageError(error.message, 'config check');
      throw error;
    }
    const notes: string[] = [];
    if (config.insecureDevKeys) notes.push('insecureDevKeys is on: development keys, never for real funds');
    else if (!existsSync(config.keystorePath)) notes.push(`no key store at ${config.keystorePath}: serve refuses to start until 'openwaas keys init' writes one`);
    if (!config.operatorApi) notes.push('operatorApi is off: no operator listener (set OPENWAAS_OPERATOR_API=1 to open it)');
    const settings = redactedConfig(config);
    print(io, p, { ok: true, settings, notes }, () => [...settingLines(settings), '', ...notes.map((n) => `note: ${n}`), 'configuration is valid'].join('\n') + '\n');
    return exitCode.ok;
  },
});

export const config = group('config', 'check the configuration (docs/configuration.md lists every setting)', { check });
