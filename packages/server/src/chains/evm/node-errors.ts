/**
 * What a node said, for logs, alerts and `chain status`: viem's short message and details of
 * each cause, never its full message (which repeats the request body and the node's URL).
 */

import { nodeErrorCauseDepthMax, nodeErrorLengthMax } from '../../limits.js';

/** The node's own words, wherever viem put them (details and short messages down the cause chain). */
export function nodeErrorText(error: unknown, lengthMax: number = nodeErrorLengthMax): string {
  const parts: string[] = [];
  let e = error as { details?: string; shortMessage?: string; message?: string; cause?: unknown } | undefined;
  for (let depth = 0; e && depth < nodeErrorCauseDepthMax; depth++) {
    if (e.details && !parts.includes(e.details)) parts.push(e.details);
    if (e.shortMessage && !parts.includes(e.shortMessage)) parts.push(e.shortMessage);
    e = e.cause as typeof e;
  }
  if (parts.length === 0) parts.push(String((error as Error)?.message ?? error).split('\n')[0]!);
  return withoutUrlSecrets(parts.join(' | ')).slice(0, lengthMax);
}

/** RPC URLs often carry an API key in their path, query or user part: keep only the origin. */
export function withoutUrlSecrets(text: string): string {
  return text.replace(/\bhttps?:\/\/[^\s"'<>]+/gi, (url) => {
    try {
      return new URL(url).origin;
    } catch {
      return '<url>';
    }
  });
}
