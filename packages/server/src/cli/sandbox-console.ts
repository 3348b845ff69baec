import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { consoleDirDefault } from '../operator/console-static.js';

/**
 * Builds the operator console (`npm run build -w @openwaas/console`, its output kept quiet
 * unless it fails) when its default build folder has no index.html yet, so the sandbox serves it
 * at /console. Says why not when it cannot (no console package here, or the build failed).
 */
export function ensureConsoleBuilt(dir: string = consoleDirDefault): { built: boolean; problem: string } {
  if (existsSync(join(dir, 'index.html'))) return { built: true, problem: '' };
  const consolePackage = resolve(dir, '..');
  if (!existsSync(join(consolePackage, 'package.json'))) return { built: false, problem: `no console package at ${consolePackage}` };
  const root = resolve(consolePackage, '..', '..');
  const run = spawnSync('npm', ['run', 'build', '-w', '@openwaas/console', '--silent'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (run.status === 0 && existsSync(join(dir, 'index.html'))) return { built: true, problem: '' };
  return { built: false, problem: `npm run build -w @openwaas/console failed (${run.status ?? run.signal}): ${(run.stderr || run.stdout).trim().split('\n').slice(-3).join(' ')}` };
}
