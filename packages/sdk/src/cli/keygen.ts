import { generateKeyPair } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { parseCommandArgs, programName, stringValue, UsageError, type Command, type Io } from './args.js';
import { keyPairFiles } from './key-files.js';

const generateKeyPairAsync = promisify(generateKeyPair);

/** Key sizes keygen offers; 2048 is what the vendor and the spec recommend. */
const allowedBits = [2048, 3072, 4096] as const;
const defaultName = 'merchant';

const help = `Usage: ${programName} keygen [--out DIR] [--name NAME] [--bits 2048] [--force]

Generates a merchant RSA key pair for the WaaS v2 envelope:
  NAME-private.pem   PKCS#8 private key, file mode 0600 (keep it secret)
  NAME-public.pem    SPKI public key
and prints the bare base64 public key: the value to register with the wallet service.
These are the names the sandbox writes too. A pair under the names keygen used before
(NAME_private.pem, NAME_public.pem) counts as existing: it is replaced only with --force.

Options:
  --out DIR     directory to write into (created if missing; default: current directory)
  --name NAME   file name prefix (default: "${defaultName}")
  --bits N      key size: ${allowedBits.join(', ')} (default: 2048)
  --force       replace an existing pair (refused otherwise)
  -h, --help    show this help
`;

async function run(argv: string[], io: Io): Promise<number> {
  const parsed = parseCommandArgs('keygen', argv, {
    out: { type: 'string' },
    name: { type: 'string' },
    bits: { type: 'string' },
    force: { type: 'boolean' },
  });
  if (parsed.help) {
    io.stdout.write(help);
    return 0;
  }

  const name = stringValue(parsed, 'name') ?? defaultName;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) {
    throw new UsageError(`--name must be letters, digits, ".", "_" or "-" (no path separators), not "${name}"`, 'keygen');
  }
  const bitsText = stringValue(parsed, 'bits') ?? '2048';
  const bits = allowedBits.find((b) => String(b) === bitsText.trim());
  if (bits === undefined) throw new UsageError(`--bits must be one of ${allowedBits.join(', ')}, not "${bitsText}"`, 'keygen');
  const outDir = resolve(io.cwd, stringValue(parsed, 'out') ?? '.');
  const force = parsed.values['force'] === true;

  const files = keyPairFiles(outDir, name);
  const privatePath = files.privateKey;
  const publicPath = files.publicKey;
  // Check every file before writing any, so a refusal leaves nothing half-done; a pair under
  // the former names is the same key pair and is not silently joined by a second one.
  const existing = [privatePath, publicPath, files.oldPrivateKey, files.oldPublicKey].filter((path) => existsSync(path));
  if (existing.length > 0 && !force) {
    throw new UsageError(`refusing to overwrite ${existing.join(' and ')} (use --force to replace)`, 'keygen');
  }

  const { privateKey, publicKey } = await generateKeyPairAsync('rsa', { modulusLength: bits });
  const privatePem = privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
  const publicPem = publicKey.export({ format: 'pem', type: 'spki' }) as string;
  const publicBase64 = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');

  mkdirSync(outDir, { recursive: true });
  for (const path of existing) rmSync(path, { force: true }); // only with --force
  // 'wx': create, never follow or reuse an existing file; the mode applies because it is new.
  writeFileSync(privatePath, privatePem, { mode: 0o600, flag: 'wx' });
  writeFileSync(publicPath, publicPem, { mode: 0o644, flag: 'wx' });

  io.stdout.write(
    `private key: ${privatePath} (RSA-${bits}, PKCS#8, mode 0600; keep it secret)\n` +
      `public key:  ${publicPath} (SPKI)\n` +
      `\nPublic key to register with the wallet service (bare base64 DER):\n${publicBase64}\n`,
  );
  return 0;
}

/** `openwaas-sdk keygen`: writes a merchant key pair. */
export const keygen: Command = { summary: 'generate a merchant RSA key pair (PEM files)', help, run };
