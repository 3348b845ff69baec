import { z } from 'zod';

/**
 * Screening configuration. `provider`: none (every deposit and withdrawal passes without a
 * KYT step), builtin (address lists and amount rules below) or http (an external screening
 * service at `url`, with the built-in rules applied first).
 */
export const kytConfigSchema = z.object({
  provider: z.enum(['none', 'builtin', 'http']).default('none'),
});
export type KytConfig = z.infer<typeof kytConfigSchema>;
