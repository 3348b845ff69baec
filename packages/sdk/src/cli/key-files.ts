import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * The names of a merchant key pair on disk: `NAME-private.pem` and `NAME-public.pem`, the names
 * the sandbox writes into its demo folder. keygen used to write `NAME_private.pem` and
 * `NAME_public.pem`; those are still found (see keyFileToRead) so that a key pair made then
 * keeps working after its paths are written the current way.
 */
export function keyPairFiles(dir: string, name: string): { privateKey: string; publicKey: string; oldPrivateKey: string; oldPublicKey: string } {
  return {
    privateKey: join(dir, `${name}-private.pem`),
    publicKey: join(dir, `${name}-public.pem`),
    oldPrivateKey: join(dir, `${name}_private.pem`),
    oldPublicKey: join(dir, `${name}_public.pem`),
  };
}

/** The former name of a key file named the current way (`shop-private.pem` → `shop_private.pem`); undefined for any other name. */
export function formerKeyFileName(path: string): string | undefined {
  const match = /^(.+)-(private|public)\.pem$/.exec(basename(path));
  return match ? join(dirname(path), `${match[1]}_${match[2]}.pem`) : undefined;
}

/**
 * The file to read for a key path: the path itself when it exists; otherwise, when its former
 * name exists beside it (keygen's old naming), that one, with a note saying so.
 */
export function keyFileToRead(path: string): { path: string; note?: string } {
  if (existsSync(path)) return { path };
  const former = formerKeyFileName(path);
  if (former === undefined || !existsSync(former)) return { path };
  return { path: former, note: `reading ${former}: ${basename(path)} does not exist there (rename the file to its current name to silence this)` };
}
