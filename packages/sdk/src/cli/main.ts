import { WaasError } from '../errors/api.js';
import { programName, UsageError, exitCode, type Command, type Io } from './args.js';
import { call } from './call.js';
import { decrypt, encrypt } from './crypt.js';
import { doctor } from './doctor.js';
import { listen } from './listen.js';
import { notifications } from './notifications.js';
import { keygen } from './keygen.js';

/** The program's entry point: picks the command and turns every failure into a message and an exit code. */

const commands: Record<string, Command> = { keygen, encrypt, decrypt, call, doctor, listen, notifications };

const overview = `Usage: ${programName} <command> [options]

Commands:
${Object.entries(commands)
  .map(([name, command]) => `  ${name.padEnd(13)} ${command.summary}`)
  .join('\n')}

Run '${programName} <command> --help' for a command's options.
`;

function report(error: unknown, command: string | undefined, io: Io): number {
  if (error instanceof UsageError) {
    const where = error.command ?? command;
    const hint = where ? `${programName} ${where} --help` : `${programName} --help`;
    io.stderr.write(`${programName}${where ? ` ${where}` : ''}: ${error.message}\nRun '${hint}' for usage.\n`);
    return exitCode.usage;
  }
  if (error instanceof WaasError) {
    io.stderr.write(`error ${error.code}: ${error.msg}\n`);
    if (error.data !== undefined && error.data !== null) io.stderr.write(`data: ${JSON.stringify(error.data)}\n`);
    return exitCode.failed;
  }
  io.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  return exitCode.failed;
}

async function main(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.stderr.write(overview);
    return exitCode.usage;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    const topic = rest[0] !== undefined ? commands[rest[0]] : undefined;
    io.stdout.write(topic ? topic.help : overview);
    return exitCode.ok;
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!command) return report(new UsageError(`unknown command "${name}"`), undefined, io);
  try {
    return await command.run(rest, io);
  } catch (error) {
    return report(error, name, io);
  }
}

const io: Io = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
// A reader that stops early (`| head`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
});
process.exitCode = await main(process.argv.slice(2), io);
