import { z } from 'zod';
import { addressCodec } from '../chains/address-codec.js';

const evmAddress = z
  .string()
  .trim()
  .regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 0x-prefixed 20-byte hex address')
  .transform((a) => addressCodec('evm').canonical(a));

/**
 * An external signer for the hot and fee wallets (the `remoteSigner` setting; OPENWAAS_REMOTE_SIGNER
 * holds it as JSON): a JSON-RPC endpoint answering `eth_signTransaction` — Web3Signer, Clef, a
 * KMS/HSM bridge, or a node with those accounts unlocked. The service then holds no key for
 * the two wallets; deposit addresses (and their sweeps) stay derived from the service's seed.
 *
 * `token` is sent as a Bearer token (a secret: never logged or printed).
 */
export const remoteSignerSchema = z
  .object({
    url: z.string().url().refine((u) => /^https?:/i.test(u), 'must be an http or https URL').meta({ redact: 'url' }).describe('JSON-RPC endpoint answering eth_signTransaction.'),
    token: z.string().min(1).optional().meta({ secret: true }).describe('Bearer token of the signer.'),
    hotAddress: evmAddress.describe('The address the signer signs for as the hot wallet (pays withdrawals, receives sweeps).'),
    feeAddress: evmAddress.describe('The address the signer signs for as the fee wallet (gas top-ups of token sweeps).'),
    timeoutMs: z.coerce.number().int().positive().max(120_000).default(10_000).describe('How long the signer may take (ms).'),
  })
  .strict()
  .refine((c) => c.hotAddress !== c.feeAddress, { path: ['feeAddress'], message: 'must differ from hotAddress' });

export type RemoteSignerConfig = z.infer<typeof remoteSignerSchema>;
