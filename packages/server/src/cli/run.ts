import { ConfigError } from '../config/config.js';
import { asAdminError } from '../operator/errors.js';
import { CommandFailed, exitCode, programName, UsageError, type Command, type GroupCommand, type Io } from './args.js';
import { didYouMean } from './suggest.js';
import { alerts } from './alerts.js';
import { audit } from './audit.js';
import { balance } from './balance.js';
import { blacklist } from './blacklist.js';
import { policy } from './policy.js';
import { change } from './change.js';
import { chain } from './chain.js';
import { coin } from './coin.js';
import { demo } from './demo.js';
import { keys } from './keys.js';
import { kyt } from './kyt.js';
import { merchant } from './merchant.js';
import { migrate } from './migrate.js';
import { notifications } from './notifications.js';
import { operator } from './operator.js';
import { sandbox } from './sandbox.js';
import { serve } from './serve.js';
import { sweeps } from './sweeps.js';
import { backup, restore } from './backup.js';
import { config } from './config.js';
import { user } from './user.js';
import { withdrawal } from './withdrawal.js';
import { escapeForTerminal } from './terminal.js';

/** Every command, in the order the overview lists them. */
export const commands: Record<string, Command> = { sandbox, serve, migrate, config, backup, restore, demo, merchant, coin, user, balance, withdrawal, kyt, blacklist, policy, change, notifications, audit, alerts, chain, sweeps, operator, keys };

export const overview = `Usage: ${programName} <command> [options]

OpenWaaS wallet service: run it and operate it. Works on the database named by DATABASE_URL
(SQLite path, default ./data/openwaas.sqlite, or postgres://…); settings also come from
OPENWAAS_CONFIG (a JSON file) and OPENWAAS_* variables.

Commands:
${Object.entries(commands)
  .map(([name, c]) => `  ${name.padEnd(14)} ${c.summary}`)
  .join('\n')}

Run '${programName} <command> --help' for a command's options; add --json for JSON output.
`;

/** Finds the help text of "merchant create" (or "operator token create") style command paths. */
function helpOf(path: string | undefined): string {
  if (!path) return overview;
  const [head, ...subs] = path.split(' ');
  const top = head !== undefined && Object.hasOwn(commands, head) ? commands[head] : undefined;
  if (!top) return overview;
  let command: Command = top;
  // Groups nest ("operator token create"): the deepest command the path names.
  for (const sub of subs) {
    const next: Command | undefined = (command as Partial<GroupCommand>).subcommands?.[sub];
    if (!next) break;
    command = next;
  }
  return command.help;
}

/** Runs the CLI: picks the command and turns every failure into a message and an exit code. */
export async function runCli(argv: string[], io: Io, helpFor: (path: string | undefined) => string = helpOf): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.stderr.write(overview);
    return exitCode.usage;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(helpFor(rest.join(' ') || undefined));
    return exitCode.ok;
  }
  if (name === '--version') {
    io.stdout.write('openwaas 0.1.0\n');
    return exitCode.ok;
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  try {
    if (!command) throw new UsageError(`unknown command "${name}".${didYouMean(name, Object.keys(commands))}`);
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`${programName}${error.command ? ` ${error.command}` : ''}: ${escapeForTerminal(error.message)}\n\n${helpFor(error.command ?? (command ? name : undefined))}`);
      return exitCode.usage;
    }
    if (error instanceof CommandFailed) {
      io.stderr.write(`${programName}: ${escapeForTerminal(error.message)}\n`);
      return exitCode.failed;
    }
    if (error instanceof ConfigError) {
      io.stderr.write(`${programName}: ${escapeForTerminal(error.message)}\n`);
      return exitCode.usage;
    }
    const known = asAdminError(error);
    if (known) {
      io.stderr.write(`error (${known.code}): ${escapeForTerminal(known.message)}\n`);
      return exitCode.failed;
    }
    // Messages may quote stored values (an address, a request id): escaped like every other output.
    io.stderr.write(`error: ${escapeForTerminal(error instanceof Error ? error.message : String(error))}\n`);
    if (io.env.LOG_LEVEL === 'debug' || io.env.LOG_LEVEL === 'trace') io.stderr.write(`${(error as Error)?.stack ?? ''}\n`);
    return exitCode.failed;
  }
}
