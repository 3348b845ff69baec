/**
 * The operator console's built files (packages/console/dist, or config.consoleDir) served on the
 * operator listener under /console. The console is same-origin with the operator API it calls,
 * so there is no CORS; every answer carries a strict Content-Security-Policy (no inline script,
 * nothing from elsewhere) and refuses to be framed. index.html is revalidated on every load;
 * hashed assets (their name changes with their content) are cached for a year. No path leaves
 * the build folder: dot segments, backslashes and NUL are refused, and the real path of a file
 * (symbolic links followed) must lie inside the folder's real path.
 */
import { createReadStream, realpathSync, statSync } from 'node:fs';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { consoleAssetMaxAgeS, consolePathLengthMax } from '../limits.js';

/** Where the console is served. */
export const consolePath = '/console';

/** The build folder when config.consoleDir is not set: the console package's dist beside this package (src/ or dist/ alike). */
export const consoleDirDefault = fileURLToPath(new URL('../../../console/dist', import.meta.url));

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

/** The headers of every console answer: nothing inline, nothing from elsewhere, never in a frame. */
export const consoleSecurityHeaders: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cross-origin-opener-policy': 'same-origin',
};

/** A file name Vite gave a content hash ("index-B3x_9aQk.js"): safe to cache for good. */
const hashedAsset = /^assets\/.+-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/;

function plain(reply: FastifyReply, status: number, text: string) {
  return reply.code(status).headers(consoleSecurityHeaders).header('content-type', 'text/plain; charset=utf-8').header('cache-control', 'no-store').send(text + '\n');
}

function notBuilt(reply: FastifyReply, dir: string) {
  const page = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>OpenWaaS console not built</title></head><body><h1>The console is not built</h1><p>No build of the operator console in <code>${escapeHtml(dir)}</code>. Build it with <code>npm run build -w @openwaas/console</code> (or <code>npm run build</code> at the repository root), or point <code>consoleDir</code> (OPENWAAS_CONSOLE_DIR) at a build.</p></body></html>\n`;
  return reply.code(503).headers(consoleSecurityHeaders).header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store').send(page);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The file under `root` that `relative` names, or null when it names none (or would leave `root`). */
function fileOf(root: string, relative: string): string | null {
  if (relative.length > consolePathLengthMax || /[\\\0]/.test(relative)) return null;
  const segments = relative.split('/').filter((s) => s !== '');
  if (segments.some((s) => s === '.' || s === '..')) return null;
  const candidate = resolve(root, ...segments);
  try {
    const real = realpathSync(candidate);
    if (!real.startsWith(root + sep)) return null;
    return statSync(real).isFile() ? real : null;
  } catch {
    return null;
  }
}

/** GET (and HEAD) /console and /console/*; register on the operator listener with `app.register(consoleRoutes, { dir })`. */
export async function consoleRoutes(app: FastifyInstance, options: { dir: string | undefined }): Promise<void> {
  const dir = resolve(options.dir ?? consoleDirDefault);

  const serve = (reply: FastifyReply, relative: string) => {
    let root: string;
    try {
      root = realpathSync(dir);
      if (!statSync(resolve(root, 'index.html')).isFile()) return notBuilt(reply, dir);
    } catch {
      return notBuilt(reply, dir);
    }
    const file = fileOf(root, relative === '' ? 'index.html' : relative);
    if (!file) return plain(reply, 404, `no file ${consolePath}/${relative} in the console`);
    const type = contentTypes[extname(file)] ?? 'application/octet-stream';
    const cache = hashedAsset.test(relative) ? `public, max-age=${consoleAssetMaxAgeS}, immutable` : 'no-cache';
    return reply.code(200).headers(consoleSecurityHeaders).header('content-type', type).header('cache-control', cache).header('content-length', statSync(file).size).send(createReadStream(file));
  };

  app.get(consolePath, async (_request, reply) => reply.code(308).headers(consoleSecurityHeaders).header('location', `${consolePath}/`).send());
  app.get(`${consolePath}/*`, async (request, reply) => serve(reply, (request.params as { '*': string })['*']));
}
