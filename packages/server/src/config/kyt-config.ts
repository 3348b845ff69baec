import { z } from 'zod';

/** A positive decimal amount in a coin's units, as operators write it ("1000", "0.5"). */
const decimalAmount = z.string().trim().regex(/^\d+(\.\d+)?$/, 'must be a decimal amount like "1000" or "0.5"');
/** Decimal amounts by coin symbol (exact symbol, e.g. "USDT"). */
const perSymbol = z.record(z.string().min(1), decimalAmount);

/**
 * The deposit circuit breaker: per merchant and coin, the deposits created within `windowMs`
 * up to and including the one screened. More than `maxCount` of them, or a total above
 * `maxAmount[symbol]`, holds the deposit for an operator (status 6). Either limit may be left out.
 */
export const kytBreakerSchema = z
  .object({
    windowMs: z.coerce.number().int().positive().describe('The window deposits are counted and added up over (ms), per merchant and coin.'),
    maxCount: z.coerce.number().int().positive().optional().describe('The (maxCount + 1)-th deposit within a window trips the breaker.'),
    maxAmount: perSymbol.default({}).describe('Per coin symbol: a window total above this trips the breaker (coins not listed: no amount limit).'),
  })
  .strict();

/**
 * Screening configuration (the `kyt` setting; OPENWAAS_KYT holds it as JSON).
 *
 * `provider`: none (no KYT step: every deposit and withdrawal passes; the rules below are then
 * ignored), builtin (the rules below) or http (the rules below first, then the screening
 * service at `url`).
 *
 * Rules: `denyAddresses` (deposits from or withdrawals to one of them go to manual review),
 * `reviewAbove` (per coin symbol: amounts above it go to manual review) and `breaker`
 * (deposits only, see kytBreakerSchema).
 *
 * HTTP: `url` receives a JSON POST per deposit/withdrawal and answers
 * `{"result":"pass"|"review"|"pending","reason"?}`; `token` is sent as a Bearer token (never
 * logged); anything but a well-formed 2xx answer within `timeoutMs` counts as "pending" and
 * is asked again later (between `retryMinMs` and `retryMaxMs`, doubling), never as "pass".
 */
export const kytConfigSchema = z
  .object({
    provider: z.enum(['none', 'builtin', 'http']).default('none').describe('none (every deposit and withdrawal passes; the rules are ignored), builtin (the rules) or http (the rules, then the screening service at url).'),
    denyAddresses: z
      .array(z.string().trim().min(1))
      .default([])
      .transform((list) => list.map((a) => a.toLowerCase()))
      .describe("Counterparty addresses that always need an operator's decision (compared case-insensitively)."),
    reviewAbove: perSymbol.default({}).describe("Per coin symbol: deposits and withdrawals above this amount need an operator's decision."),
    breaker: kytBreakerSchema.optional().describe('The deposit circuit breaker (deposits only): too many or too much within a window holds the deposit.'),
    url: z.string().url().optional().meta({ redact: 'url' }).describe('The screening service (provider http): a JSON POST per deposit and withdrawal.'),
    timeoutMs: z.coerce.number().int().positive().max(120_000).default(5_000).describe('How long the screening service may take (ms); no answer counts as "pending", never "pass".'),
    token: z.string().min(1).optional().meta({ secret: true }).describe('Bearer token of the screening service.'),
    retryMinMs: z.coerce.number().int().positive().default(5_000).describe('First delay before asking again about a record the provider could not screen yet (ms).'),
    retryMaxMs: z.coerce.number().int().positive().default(300_000).describe('Longest delay between two screenings of the same record (ms).'),
  })
  .strict()
  .superRefine((c, issue) => {
    if (c.provider === 'http' && c.url === undefined) issue.addIssue({ code: 'custom', path: ['url'], message: 'is required with provider "http"' });
    if (c.url !== undefined && !/^https?:/i.test(c.url)) issue.addIssue({ code: 'custom', path: ['url'], message: 'must be an http or https URL' });
    if (c.retryMaxMs < c.retryMinMs) issue.addIssue({ code: 'custom', path: ['retryMaxMs'], message: 'must not be below retryMinMs' });
  });
export type KytConfig = z.infer<typeof kytConfigSchema>;
export type KytBreakerConfig = z.infer<typeof kytBreakerSchema>;
