import { formatAmount } from '../../money/amount.js';
import { readLimited } from '../../http/read-limited.js';
import { kytAnswerBytesMax as answerBytesMax, kytReasonLengthMax as reasonLengthMax } from '../../limits.js';
import type { KytProvider, KytSubject, KytVerdict } from './provider.js';

export interface HttpKytProviderOptions {
  url: string;
  timeoutMs: number;
  /** Sent as `Authorization: Bearer <token>`; never logged. */
  token?: string | undefined;
}

/** The JSON body POSTed for one deposit or withdrawal. */
export function screeningRequestBody(subject: KytSubject): Record<string, string | number> {
  return {
    side: subject.side,
    chain: subject.chain,
    symbol: subject.symbol,
    contract_address: subject.contractAddress,
    amount: formatAmount(subject.amount, subject.decimals),
    address: subject.address,
    own_address: subject.ownAddress,
    txid: subject.txid,
    merchant_id: subject.merchantId,
    uid: subject.uid,
    record_id: subject.recordId,
  };
}

const unavailable = (reason: string): KytVerdict => ({ outcome: 'pending', reason: `screening service: ${reason}`, unavailable: true });

/** The provider's `reason`, trimmed to something fit to store; `fallback` when it gave none. */
function reasonOf(value: unknown, fallback: string): string {
  const text = typeof value === 'string' ? value.replace(/\s+/g, ' ').trim() : '';
  return text === '' ? fallback : text.slice(0, reasonLengthMax);
}

/** Maps a parsed answer to a verdict; garbage is "pending" (asked again), never "pass". */
export function verdictOfAnswer(answer: unknown): KytVerdict {
  if (typeof answer !== 'object' || answer === null || Array.isArray(answer)) return unavailable('answer is not a JSON object');
  const { result, reason } = answer as { result?: unknown; reason?: unknown };
  switch (result) {
    case 'pass':
      return { outcome: 'pass' };
    case 'review':
      return { outcome: 'review', reason: reasonOf(reason, 'screening service asks for a manual review') };
    case 'pending':
      return { outcome: 'pending', reason: reasonOf(reason, 'screening service is still screening') };
    default:
      return unavailable(`unexpected result ${JSON.stringify(result)?.slice(0, 40) ?? 'undefined'}`);
  }
}

/**
 * An external screening service: one JSON POST per deposit or withdrawal (see
 * screeningRequestBody), answered with `{"result":"pass"|"review"|"pending","reason"?}`.
 * A non-2xx status, a timeout, a network error, a redirect or an answer that is not that
 * shape yields "pending" — the record waits and is asked about again — never "pass".
 */
export class HttpKytProvider implements KytProvider {
  readonly name = 'http';

  constructor(private readonly options: HttpKytProviderOptions) {}

  async screen(subject: KytSubject, signal?: AbortSignal): Promise<KytVerdict> {
    const { url, timeoutMs, token } = this.options;
    const timeout = AbortSignal.timeout(timeoutMs);
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    let text: string | undefined;
    let status: number;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers,
        body: JSON.stringify(screeningRequestBody(subject)),
        // A redirect could carry the token elsewhere; the service must answer at `url` itself.
        redirect: 'error',
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      status = res.status;
      const body = await readLimited(res, answerBytesMax);
      // Longer than the bound: refused whole, never parsed from a cut-off prefix.
      text = body.overLimit ? undefined : body.text;
    } catch (error) {
      if (timeout.aborted) return unavailable(`no answer within ${timeoutMs} ms`);
      if (signal?.aborted) return unavailable('screening interrupted (shutting down)');
      // The message names the failure (refused, reset, DNS); it never carries our headers.
      return unavailable(`request failed (${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message})`);
    }
    if (status < 200 || status > 299) return unavailable(`answered HTTP ${status}`);
    if (text === undefined) return unavailable(`answer is longer than ${answerBytesMax} bytes`);
    let answer: unknown;
    try {
      answer = JSON.parse(text);
    } catch {
      return unavailable('answer is not JSON');
    }
    return verdictOfAnswer(answer);
  }
}
