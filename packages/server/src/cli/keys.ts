import { resolve } from 'node:path';
import { initKeystore, initSecretsKeystore, KeystoreError, rotatePassphrase, unlockKeystore } from '../keys/keystore.js';
import { CommandFailed, flag, group, leaf, print, str, whole, type Io, type Parsed } from './args.js';
import { cliConfig } from './context.js';

/** Key addresses are shown per chain family; every EVM chain shares them. */
const family = 'evm';

export { keyPassphraseEnv as passphraseEnv } from '../keys/unlock.js';
import { keyPassphraseEnv as passphraseEnv } from '../keys/unlock.js';
const newPassphraseEnv = 'OPENWAAS_NEW_KEY_PASSPHRASE';

/** The key store path: --keystore, else the configured keystorePath (OPENWAAS_KEYSTORE), from the working directory. */
function keystorePath(p: Parsed, io: Io): string {
  return resolve(io.cwd, str(p, 'keystore') ?? cliConfig(io).keystorePath);
}

/** Reads one line from the terminal without echo. */
function promptHidden(io: Io, question: string): Promise<string> {
  const stdin = process.stdin;
  return new Promise((resolvePrompt, reject) => {
    // Echo goes off before the question appears, so nothing typed early is shown.
    stdin.setRawMode(true);
    io.stderr.write(question);
    let answer = '';
    stdin.resume();
    stdin.setEncoding('utf8');
    const done = (error?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      io.stderr.write('\n');
      if (error) reject(error);
      else resolvePrompt(answer);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return done();
        if (ch === '\u0003') return done(new CommandFailed('cancelled'));
        if (ch === '\u007f' || ch === '\b') answer = answer.slice(0, -1);
        else answer += ch;
      }
    };
    stdin.on('data', onData);
  });
}

const interactive = () => process.stdin.isTTY === true && process.stderr.isTTY === true;

/** A passphrase from `envName`, else prompted (twice when `confirm`), else a clear failure. */
export async function passphrase(io: Io, envName: string, question: string, confirm: boolean): Promise<string> {
  const fromEnv = io.env[envName];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (!interactive()) throw new CommandFailed(`no passphrase: set ${envName} or run on a terminal to be prompted`);
  const first = await promptHidden(io, `${question}: `);
  if (confirm && (await promptHidden(io, `${question} (again): `)) !== first) throw new CommandFailed('the passphrases differ');
  return first;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** KeystoreErrors are the operator's to fix: exit 1 with the message (never a secret). */
async function keystoreCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof KeystoreError) throw new CommandFailed(`${error.message} (${error.code})`);
    throw error;
  }
}

const keystoreOption = { keystore: { type: 'string' } } as const;

const init = leaf({
  name: 'keys init',
  summary: 'create the encrypted key store (new or imported HD seed, and the data key)',
  help: `keys init [--mnemonic-from-stdin] [--show-mnemonic] [--secrets-only] [--keystore PATH]

Creates the key store (default ./data/keystore.json, or OPENWAAS_KEYSTORE / keystorePath)
holding a BIP-39 seed and a random data key (which encrypts merchants' wallet keys in the
database), encrypted with scrypt + AES-256-GCM, mode 0600. Never overwrites an existing key
store. Prints the hot and fee wallet addresses.

The passphrase (at least 12 characters) comes from ${passphraseEnv}, or is prompted
for twice on a terminal.

  --mnemonic-from-stdin   import an existing mnemonic read from standard input (hidden
                          prompt on a terminal) instead of generating a new 24-word one
  --show-mnemonic         also print the mnemonic (write it down offline, then clear the screen)
  --secrets-only          only the data key, no HD seed: for a service without chains
  --keystore PATH         the key store file`,
  options: { ...keystoreOption, 'mnemonic-from-stdin': { type: 'boolean' }, 'show-mnemonic': { type: 'boolean' }, 'secrets-only': { type: 'boolean' } },
  async run(p, io) {
    const path = keystorePath(p, io);
    if (flag(p, 'secrets-only')) {
      if (flag(p, 'mnemonic-from-stdin') || flag(p, 'show-mnemonic')) throw new CommandFailed('--secrets-only holds no mnemonic: drop --mnemonic-from-stdin and --show-mnemonic');
      const secret = await passphrase(io, passphraseEnv, 'New key store passphrase', true);
      await keystoreCall(() => initSecretsKeystore({ path, passphrase: secret }));
      io.stderr.write(`A new data key exists only in ${path}: back up this file and its passphrase with the database's backups.\n`);
      print(io, p, { keystore: path, secrets_only: true }, () => `key store  ${path}  (data key only, no HD seed)\n`);
      return 0;
    }
    let mnemonic: string | undefined;
    if (flag(p, 'mnemonic-from-stdin')) {
      mnemonic = process.stdin.isTTY ? await promptHidden(io, 'Mnemonic: ') : await readStdin();
      if (mnemonic.trim() === '') throw new CommandFailed('no mnemonic on standard input');
    }
    const secret = await passphrase(io, passphraseEnv, 'New key store passphrase', true);
    const show = flag(p, 'show-mnemonic');
    const { ring, generated, mnemonic: shown } = await keystoreCall(() => initKeystore({ path, passphrase: secret, mnemonic, revealMnemonic: show }));
    const result: Record<string, unknown> = { keystore: path, generated, hot: ring.hotAddress(family), fee: ring.feeAddress(family) };
    if (show && shown) {
      // Only here, on explicit request, does the mnemonic leave the key store.
      io.stderr.write('WARNING: the mnemonic below controls every wallet of this service. Write it down offline; do not store or share it.\n');
      result.mnemonic = shown;
    } else if (generated) {
      io.stderr.write(`A new seed was generated and exists only in ${path}: back up this file and its passphrase.\n`);
    }
    print(io, p, result, () =>
      [`key store  ${path}`, `hot        ${String(result.hot)}`, `fee        ${String(result.fee)}`, ...(result.mnemonic ? [`mnemonic   ${String(result.mnemonic)}`] : [])].join('\n') + '\n',
    );
    return 0;
  },
});

const showAddresses = leaf({
  name: 'keys show-addresses',
  summary: 'print the hot, fee and first N deposit addresses',
  help: `keys show-addresses [--deposit N] [--keystore PATH]

Unlocks the key store (passphrase from ${passphraseEnv} or a prompt) and prints the hot
wallet, fee wallet and the first N (default 0) deposit addresses. EVM addresses are the same
on every EVM chain.

  --deposit N       how many deposit addresses to list (0-10000)
  --keystore PATH   the key store file`,
  options: { ...keystoreOption, deposit: { type: 'string' } },
  async run(p, io) {
    const path = keystorePath(p, io);
    const count = whole(str(p, 'deposit') ?? '0', '--deposit', 'keys show-addresses', { min: 0, max: 10_000 });
    const secret = await passphrase(io, passphraseEnv, 'Key store passphrase', false);
    const ring = await keystoreCall(() => unlockKeystore({ path, passphrase: secret }));
    const deposits = Array.from({ length: count }, (_, index) => ({ index, address: ring.deriveAddress(family, index) }));
    const result = { keystore: path, chain_family: family, hot: ring.hotAddress(family), fee: ring.feeAddress(family), deposits };
    print(io, p, result, () =>
      [`key store  ${path}`, `hot        ${result.hot}`, `fee        ${result.fee}`, ...deposits.map((d) => `deposit ${String(d.index).padStart(3)}  ${d.address}`)].join('\n') + '\n',
    );
    return 0;
  },
});

const rotate = leaf({
  name: 'keys rotate-passphrase',
  summary: 're-encrypt the key store under a new passphrase',
  help: `keys rotate-passphrase [--keystore PATH]

Re-encrypts the key store with a new passphrase (fresh salt and IV) and replaces the file
atomically. The seed, every address and the data key stay the same: the database's encrypted
values are not touched. The current passphrase comes from
${passphraseEnv}, the new one from ${newPassphraseEnv}; either is prompted for on a
terminal when not set.

  --keystore PATH   the key store file`,
  options: keystoreOption,
  async run(p, io) {
    const path = keystorePath(p, io);
    const oldSecret = await passphrase(io, passphraseEnv, 'Current key store passphrase', false);
    const newSecret = await passphrase(io, newPassphraseEnv, 'New key store passphrase', true);
    if (newSecret === oldSecret) throw new CommandFailed('the new passphrase equals the current one');
    const ring = await keystoreCall(() => rotatePassphrase({ path, oldPassphrase: oldSecret, newPassphrase: newSecret }));
    const wallets = ring ? { hot: ring.hotAddress(family), fee: ring.feeAddress(family) } : undefined;
    const result = { keystore: path, rotated: true, ...(wallets ?? { secrets_only: true }) };
    print(io, p, result, () => `passphrase changed for ${path}\n${wallets ? `hot        ${wallets.hot}\nfee        ${wallets.fee}\n` : ''}`);
    return 0;
  },
});

export const keys = group('keys', 'manage the encrypted HD key store (init, show-addresses, rotate-passphrase)', {
  init,
  'show-addresses': showAddresses,
  'rotate-passphrase': rotate,
});
