import { existsSync } from 'node:fs';
import { CommandFailed, exitCode, flag, leaf, str, whole } from './args.js';
import { passphrase, passphraseEnv } from './keys.js';
import { cliConfig } from './context.js';
import { formatStartupSummary } from './serve-summary.js';

export const serve = leaf({
  name: 'serve',
  summary: 'run the wallet service (API, operator API, workers)',
  help: `serve [--host HOST] [--port PORT] [--operator-host HOST] [--operator-port PORT] [--no-workers] [--insecure-dev-keys]

Migrates the database, unlocks the key store (passphrase from OPENWAAS_KEY_PASSPHRASE, or asked
for on a terminal), starts the HTTP API (and the operator API on its own listener when
OPENWAAS_OPERATOR_API=1) and the background workers — notifications, and for every chain in OPENWAAS_CHAINS the
deposit scanner, withdrawal broadcaster and sweeper — and prints a summary: database,
migrations, each chain (node, head, confirmations, hot and fee wallets), key source,
listeners, workers (with --json: one JSON line). 'openwaas config check' validates the
settings first without starting anything (docs/configuration.md lists them). Ctrl-C (SIGINT) or SIGTERM stops it
gracefully: deliveries in flight are handed back to the database for the next start.

  --host HOST      listen address (default HOST or 127.0.0.1)
  --port PORT      listen port (default PORT or 8080; 0 = any free port)
  --operator-host HOST  operator API address (default OPENWAAS_OPERATOR_HOST or 127.0.0.1)
  --operator-port PORT  operator API port (default OPENWAAS_OPERATOR_PORT or 8090; 0 = any free port)
  --no-workers     API only: another process runs the workers
  --insecure-dev-keys
                   development only (OPENWAAS_INSECURE_DEV_KEYS=1): without a key store, use the
                   public development keys (or OPENWAAS_HD_MNEMONIC); without it serve refuses
                   to start with no key store`,
  options: { host: { type: 'string' }, port: { type: 'string' }, 'operator-host': { type: 'string' }, 'operator-port': { type: 'string' }, 'no-workers': { type: 'boolean' }, 'insecure-dev-keys': { type: 'boolean' } },
  async run(p, io) {
    const port = str(p, 'port');
    const host = str(p, 'host');
    const operatorHost = str(p, 'operator-host');
    const operatorPort = str(p, 'operator-port');
    const config = cliConfig(io, {
      ...(operatorHost !== undefined ? { operatorHost } : {}),
      ...(operatorPort !== undefined ? { operatorPort: whole(operatorPort, '--operator-port', 'serve', { min: 0, max: 65_535 }) } : {}),
      ...(host !== undefined ? { host } : {}),
      ...(port !== undefined ? { port: whole(port, '--port', 'serve', { min: 0, max: 65_535 }) } : {}),
      ...(flag(p, 'no-workers') ? { workers: false } : {}),
      ...(flag(p, 'insecure-dev-keys') ? { insecureDevKeys: true } : {}),
    });
    // The key store's passphrase: OPENWAAS_KEY_PASSPHRASE, else asked for on a terminal.
    const env = existsSync(config.keystorePath) ? { ...io.env, [passphraseEnv]: await passphrase(io, passphraseEnv, 'Key store passphrase', false) } : io.env;
    // Loaded here: the whole service (HTTP, workers, HD keys) is heavy for the other commands.
    const { createService } = await import('../service.js');
    const { KeySetupError } = await import('../keys/unlock.js');
    const { KeystoreError } = await import('../keys/keystore.js');
    const { DataKeyMismatchError } = await import('../modules/merchants/index.js');
    const { LimitsError } = await import('../limits.js');
    const service = await createService(config, { env }).catch((error: unknown) => {
      // Missing or wrong keys, or settings that break a bound, are the operator's to fix: the message names the settings, no stack.
      if (error instanceof KeySetupError || error instanceof DataKeyMismatchError || error instanceof LimitsError) throw new CommandFailed(error.message);
      if (error instanceof KeystoreError) throw new CommandFailed(`${error.message} (${error.code})`);
      throw error;
    });
    if (service.keySource === 'insecure-dev-keys') {
      io.stderr.write(`WARNING: INSECURE DEVELOPMENT KEYS (--insecure-dev-keys / OPENWAAS_INSECURE_DEV_KEYS=1): public keys anyone can use; never hold real funds with this service\n`);
    }
    let url: string;
    try {
      url = await service.listen();
    } catch (error) {
      await service.close();
      throw error;
    }
    const operator = service.operatorUrl ? `${service.operatorUrl}/operator/v1` : undefined;
    const summary = await service.summary();
    // Four eyes for admin changes need two admins: until then the summary says so.
    const { fourEyesNotice } = await import('../operator/four-eyes.js');
    const fourEyes = await fourEyesNotice(service.ctx);
    // One line, so a supervisor can read it as soon as it appears.
    if (p.json) io.stdout.write(JSON.stringify({ url, operator: operator ?? null, workers: config.workers, summary, four_eyes: fourEyes === null ? 'active' : fourEyes }) + '\n');
    else io.stdout.write(formatStartupSummary(summary) + `  admin changes    ${fourEyes === null ? 'four-eyed (a second admin approves change requests)' : `NOT four-eyed yet — ${fourEyes}`}\n` + `OpenWaaS listening on ${url}\n`);

    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    // A second signal while closing means "now".
    const force = () => process.exit(exitCode.failed);
    process.once('SIGINT', force);
    process.once('SIGTERM', force);
    io.stderr.write(`${signal}: shutting down…\n`);
    await service.close();
    io.stderr.write('stopped\n');
    return exitCode.ok;
  },
});
