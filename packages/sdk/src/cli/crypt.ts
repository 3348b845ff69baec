import { resolve } from 'node:path';
import { open, openText, sealText } from '../envelope/envelope.js';
import { parsePrivateKey, parsePublicKey } from '../envelope/keys.js';
import { defaultSegmentBytes, maxSegmentBytes } from '../envelope/rsa-segments.js';
import { parseCommandArgs, parseWholeNumber, programName, readStdin, stringValue, UsageError, type Command, type Io } from './args.js';
import { readKeyFile } from './config.js';

const encryptHelp = `Usage: ${programName} encrypt --key PRIVATE_KEY_FILE [--segment ${defaultSegmentBytes}] < plain.json

Encrypts stdin (UTF-8 text, normally JSON) into a WaaS v2 \`data\` envelope on stdout:
RSA "private encrypt" (PKCS#1 v1.5) in segments, URL-safe base64 without padding.
One trailing line break of stdin is dropped (so \`echo '{...}' | ${programName} encrypt\` works).
For debugging: the SDK's client does this for every call.

Options:
  -k, --key FILE    the sender's private key: PEM (PKCS#8 or PKCS#1) or base64/binary DER
  --segment N       plaintext bytes per RSA block (default ${defaultSegmentBytes}; at most key bytes − 11)
  -h, --help        show this help
`;

const decryptHelp = `Usage: ${programName} decrypt --key PUBLIC_KEY_FILE [--pretty] < envelope.txt

Decrypts a WaaS v2 \`data\` envelope from stdin (whitespace tolerated) with the sender's
public key and prints its text. Requests decrypt with the merchant's public key,
responses and notifications with the wallet service's public key.

Options:
  -k, --key FILE    the sender's public key: PEM (SPKI or PKCS#1) or base64/binary DER
                    (a private key works too: its public half is used)
  --pretty          parse the text as JSON and print it indented
  -h, --help        show this help
`;

function keyPath(value: string | undefined, command: string, io: Io): string {
  if (value === undefined) throw new UsageError('--key FILE is required', command);
  return resolve(io.cwd, value);
}

function noteTo(io: Io, command: string): (text: string) => void {
  return (text) => io.stderr.write(`${programName} ${command}: ${text}\n`);
}

async function runEncrypt(argv: string[], io: Io): Promise<number> {
  const parsed = parseCommandArgs('encrypt', argv, { key: { type: 'string', short: 'k' }, segment: { type: 'string' } });
  if (parsed.help) {
    io.stdout.write(encryptHelp);
    return 0;
  }
  const path = keyPath(stringValue(parsed, 'key'), 'encrypt', io);
  const privateKey = parsePrivateKey(readKeyFile(path, '--key', 'encrypt', noteTo(io, 'encrypt')), `--key ${path}`);
  const max = maxSegmentBytes(privateKey);
  const segmentText = stringValue(parsed, 'segment');
  const segmentBytes =
    segmentText === undefined
      ? Math.min(defaultSegmentBytes, max)
      : parseWholeNumber(segmentText, '--segment', { min: 1, max }, 'encrypt');
  const text = (await readStdin(io, 'encrypt')).replace(/\r?\n$/, '');
  io.stdout.write(sealText(text, privateKey, { segmentBytes }) + '\n');
  return 0;
}

async function runDecrypt(argv: string[], io: Io): Promise<number> {
  const parsed = parseCommandArgs('decrypt', argv, { key: { type: 'string', short: 'k' }, pretty: { type: 'boolean' } });
  if (parsed.help) {
    io.stdout.write(decryptHelp);
    return 0;
  }
  const path = keyPath(stringValue(parsed, 'key'), 'decrypt', io);
  const publicKey = parsePublicKey(readKeyFile(path, '--key', 'decrypt', noteTo(io, 'decrypt')), `--key ${path}`);
  const envelope = await readStdin(io, 'decrypt');
  const text = parsed.values['pretty'] === true ? JSON.stringify(open(envelope, publicKey), null, 2) : openText(envelope, publicKey);
  io.stdout.write(text + '\n');
  return 0;
}

/** `openwaas-sdk encrypt`: stdin text → envelope. */
export const encrypt: Command = { summary: 'encrypt stdin into a data envelope (debugging)', help: encryptHelp, run: runEncrypt };

/** `openwaas-sdk decrypt`: stdin envelope → text. */
export const decrypt: Command = { summary: 'decrypt a data envelope from stdin (debugging)', help: decryptHelp, run: runDecrypt };
