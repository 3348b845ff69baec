import { parseArgs } from 'node:util';

/** The program's name, as installed by package.json `bin`. */
export const programName = 'openwaas-sdk';

/** Exit codes: 0 success, 1 the operation failed, 2 the command line or configuration is wrong. */
export const exitCode = { ok: 0, failed: 1, usage: 2 } as const;

/** Stdin is read whole; beyond this many bytes it is refused rather than buffered without end. */
export const stdinBytesMax = 64 * 1024 * 1024;

/** A wrong command line or configuration: reported with a pointer to `--help`, exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
  /** The command whose help to point at, if any. */
  readonly command: string | undefined;

  constructor(message: string, command?: string) {
    super(message);
    this.command = command;
  }
}

/** Where a command reads and writes; the process's own streams in the real program. */
export interface Io {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** One subcommand: its help text and what it does; resolves to the exit code. */
export interface Command {
  /** One line for the program's overview. */
  summary: string;
  help: string;
  run(argv: string[], io: Io): Promise<number>;
}

/** Options of a command, in node:util parseArgs' shape. */
export type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string }>;

/** A parsed command line. */
export interface ParsedArgs {
  /** Option values by long name; strings for string options, true for flags given. */
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  /** `--help` or `-h` was given: print help and do nothing else. */
  help: boolean;
}

/**
 * Parses `argv` strictly: unknown options, a missing option value or stray positionals are
 * UsageErrors naming the command. `--help`/`-h` is accepted by every command.
 */
export function parseCommandArgs(command: string, argv: string[], options: OptionSpec, allowPositionals = false): ParsedArgs {
  // --help wins even when the rest of the line would not parse.
  if (argv.includes('--help') || argv.includes('-h')) return { values: {}, positionals: [], help: true };
  try {
    const { values, positionals } = parseArgs({ args: argv, options, strict: true, allowPositionals });
    return { values: values as ParsedArgs['values'], positionals, help: false };
  } catch (error) {
    throw new UsageError((error as Error).message, command);
  }
}

/** A string option's value, or undefined when it was not given. */
export function stringValue(parsed: ParsedArgs, name: string): string | undefined {
  const value = parsed.values[name];
  return typeof value === 'string' ? value : undefined;
}

/** Parses a whole number within bounds, or throws a UsageError naming where it came from. */
export function parseWholeNumber(text: string, what: string, bounds: { min: number; max: number }, command: string): number {
  const value = /^\s*\d+\s*$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < bounds.min || value > bounds.max) {
    throw new UsageError(`${what} must be a whole number from ${bounds.min} to ${bounds.max}, not "${text}"`, command);
  }
  return value;
}

/** Reads stdin to the end as UTF-8 (at most stdinBytesMax bytes). */
export async function readStdin(io: Io, command: string): Promise<string> {
  if (io.stdin.isTTY) io.stderr.write(`${programName} ${command}: reading stdin (end with Ctrl-D)\n`);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of io.stdin) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : (chunk as Buffer);
    total += bytes.byteLength;
    if (total > stdinBytesMax) throw new UsageError(`stdin is larger than ${stdinBytesMax} bytes`, command);
    chunks.push(bytes);
  }
  return Buffer.concat(chunks).toString('utf8');
}
