import { parseArgs } from 'node:util';
import { escapeForTerminal } from './terminal.js';
import { didYouMean } from './suggest.js';
import type { OperatorRole } from '../modules/operators/index.js';

/** The program's name, as installed by package.json `bin`. */
export const programName = 'openwaas';

/** Exit codes: 0 success, 1 the operation failed (or the audit found problems), 2 wrong command line or configuration. */
export const exitCode = { ok: 0, failed: 1, usage: 2 } as const;

/** A wrong command line or configuration: reported with the command's help, exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
  constructor(
    message: string,
    /** The command whose help to print (e.g. "merchant create"). */
    readonly command?: string,
  ) {
    super(message);
  }
}

/** The command could not do its work for a reason the operator can fix (not a usage error): exit 1. */
export class CommandFailed extends Error {
  override name = 'CommandFailed';
}

/** Where a command reads and writes; the process's own streams and environment in the real program. */
export interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** A runnable command (leaf or group). */
export interface Command {
  /** One line for the parent's overview. */
  summary: string;
  /** Full help text. */
  help: string;
  run(argv: string[], io: Io): Promise<number>;
  /** An operator command: the least role it needs (docs/operators.md); absent for serve, sandbox, migrate, keys, demo. */
  role?: OperatorRole;
}

export type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;

/** A parsed command line. */
export interface Parsed {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
  /** --json was given: machine-readable output on stdout. */
  json: boolean;
}

/** A leaf command's definition. */
export interface LeafSpec {
  /** Full name for messages, e.g. "merchant create". */
  name: string;
  summary: string;
  /** Usage line(s) and option descriptions (without the program name prefix). */
  help: string;
  options?: OptionSpec;
  /** How many positionals are accepted. */
  positionals?: { min: number; max: number };
  /**
   * The least role an operator needs to run it: checked before `run`, against the operator whose
   * API token the command is given (--token-file, OPENWAAS_OPERATOR_TOKEN or
   * OPENWAAS_OPERATOR_TOKEN_FILE; see operator-auth.ts). Absent: not an operator command.
   */
  role?: OperatorRole;
  run(args: Parsed, io: Io): Promise<number>;
}

/** `--json` and `--help` are accepted by every command. */
const common: OptionSpec = { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } };

/** Builds a command that parses its options strictly and prints help on --help. */
export function leaf(spec: LeafSpec): Command {
  const tokenHelp = spec.role ? `  --token-file FILE  act as the operator whose API token FILE holds (default $OPENWAAS_OPERATOR_TOKEN); needs the ${spec.role} role\n` : '';
  const help = `Usage: ${programName} ${spec.help.trim()}\n\n  --json    print JSON instead of text\n  --help    show this help\n${tokenHelp}`;
  const options: OptionSpec = { ...common, ...spec.options, ...(spec.role ? { 'token-file': { type: 'string' } } : {}) };
  return {
    summary: spec.summary,
    help,
    ...(spec.role ? { role: spec.role } : {}),
    async run(argv, io) {
      if (argv.includes('--help') || argv.includes('-h')) {
        io.stdout.write(help);
        return exitCode.ok;
      }
      let parsed: { values: Record<string, unknown>; positionals: string[] };
      try {
        parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: true });
      } catch (error) {
        throw new UsageError((error as Error).message, spec.name);
      }
      const { min, max } = spec.positionals ?? { min: 0, max: 0 };
      if (parsed.positionals.length < min) throw new UsageError(`missing argument${min - parsed.positionals.length > 1 ? 's' : ''}`, spec.name);
      if (parsed.positionals.length > max) throw new UsageError(`unexpected argument "${parsed.positionals[max]}"`, spec.name);
      const args: Parsed = { values: parsed.values as Parsed['values'], positionals: parsed.positionals, json: parsed.values.json === true };
      if (spec.role) {
        // Loaded on use: it opens the database, which plain argument handling never needs.
        const { authorizeCommand } = await import('./operator-auth.js');
        await authorizeCommand(io, { command: spec.name, role: spec.role, tokenFile: str(args, 'token-file') });
      }
      return spec.run(args, io);
    },
  };
}

/** A command made of subcommands; they are exposed for help lookups. */
export interface GroupCommand extends Command {
  subcommands: Record<string, Command>;
}

/** A command made of subcommands ("merchant create", "merchant list", …). */
export function group(name: string, summary: string, subcommands: Record<string, Command>): GroupCommand {
  const help = `Usage: ${programName} ${name} <command> [options]

${summary}

Commands:
${Object.entries(subcommands)
  .map(([sub, c]) => `  ${sub.padEnd(10)} ${c.summary}`)
  .join('\n')}

Run '${programName} ${name} <command> --help' for a command's options.
`;
  return {
    summary,
    help,
    subcommands,
    async run(argv, io) {
      const [sub, ...rest] = argv;
      if (sub === '--help' || sub === '-h' || sub === 'help') {
        io.stdout.write(help);
        return exitCode.ok;
      }
      if (sub === undefined) throw new UsageError(`which ${name} command?`, name);
      const command = Object.hasOwn(subcommands, sub) ? subcommands[sub] : undefined;
      if (!command) throw new UsageError(`unknown command "${name} ${sub}".${didYouMean(sub, Object.keys(subcommands), `${name} `)}`, name);
      return command.run(rest, io);
    },
  };
}

// ---- option readers -----------------------------------------------------------------------------

export function str(p: Parsed, name: string): string | undefined {
  const v = p.values[name];
  return typeof v === 'string' ? v : undefined;
}

export function flag(p: Parsed, name: string): boolean {
  return p.values[name] === true;
}

export function list(p: Parsed, name: string): string[] | undefined {
  const v = p.values[name];
  if (v === undefined) return undefined;
  const items = Array.isArray(v) ? v : [String(v)];
  // "--ip 10.0.0.1,10.0.0.2" and repeated "--ip" both work.
  return items.flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== '');
}

/** A required string option. */
export function need(p: Parsed, name: string, command: string): string {
  const v = str(p, name);
  if (v === undefined || v.trim() === '') throw new UsageError(`--${name} is required`, command);
  return v;
}

/** A whole number within bounds, or a UsageError naming where it came from. */
export function whole(text: string, what: string, command: string, bounds: { min: number; max: number } = { min: 0, max: Number.MAX_SAFE_INTEGER }): number {
  const value = /^\s*\d+\s*$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < bounds.min || value > bounds.max) {
    throw new UsageError(`${what} must be a whole number from ${bounds.min} to ${bounds.max}, not "${text}"`, command);
  }
  return value;
}

/** Positive id (uid, withdrawal id, notification id). */
export function idArg(text: string | undefined, what: string, command: string): number {
  if (text === undefined) throw new UsageError(`missing ${what}`, command);
  return whole(text, what, command, { min: 1, max: Number.MAX_SAFE_INTEGER });
}

/** `--on`/`--off` style pairs: undefined when neither, error when both. */
export function toggle(p: Parsed, on: string, off: string, command: string): boolean | undefined {
  if (flag(p, on) && flag(p, off)) throw new UsageError(`--${on} and --${off} exclude each other`, command);
  return flag(p, on) ? true : flag(p, off) ? false : undefined;
}

// ---- output -------------------------------------------------------------------------------------

/** JSON with BigInt as strings, two-space indented. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2) + '\n';
}

function scalar(v: unknown, key = ''): string {
  // Timestamps are ms numbers in the data; people read dates.
  if (key.endsWith('_at') && typeof v === 'number' && v > 0) return new Date(v).toISOString();
  if (v === null || v === undefined || v === '') return '-';
  if (Array.isArray(v)) return v.length === 0 ? '-' : v.map((x) => scalar(x)).join(', ');
  if (typeof v === 'object') return JSON.stringify(v);
  // Values may come from merchants: escaped before anything reaches the terminal.
  const text = escapeForTerminal(String(v));
  return text.includes('\n') ? '\n' + text.trimEnd().replace(/^/gm, '    ') : text;
}

/** "key: value" lines for one record. */
export function describe(record: object): string {
  const entries = Object.entries(record);
  const width = Math.max(0, ...entries.map(([k]) => k.length));
  return entries.map(([k, v]) => `${k.padEnd(width)}  ${scalar(v, k)}`).join('\n') + '\n';
}

/** A text table of chosen columns; `empty` says what no rows means (default "(none)"). */
export function table<T extends object>(rows: T[], columns: Array<keyof T & string>, empty = '(none)'): string {
  if (rows.length === 0) return `${empty}\n`;
  const cells = rows.map((r) => columns.map((c) => scalar((r as Record<string, unknown>)[c], c).replace(/\n\s*/g, ' ')));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(columns), ...cells.map(line)].join('\n') + '\n';
}

/** Prints `value` as JSON with --json, else the text `human()` renders, escaped for the terminal. */
export function print(io: Io, p: Parsed, value: unknown, human: () => string): void {
  io.stdout.write(p.json ? toJson(value) : escapeForTerminal(human()));
}
