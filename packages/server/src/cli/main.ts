/**
 * The `openwaas` program. Built: bin/openwaas.js imports dist/cli/main.js. In development:
 * node --conditions=source --import tsx packages/server/src/cli/main.ts <command> …
 */
import type { Io } from './args.js';
import { runCli } from './run.js';

const io: Io = { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
// A reader that stops early (`| head`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
});
process.exitCode = await runCli(process.argv.slice(2), io);
