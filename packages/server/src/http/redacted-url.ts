import { redactedUrlSegmentLengthMin } from '../limits.js';

/**
 * A URL as it may be shown (logs, answers, `config check`): node and service URLs often carry
 * a provider key in the password, the query or a long path segment
 * (https://mainnet.example/v3/<key>), so those parts are replaced by "***". Text that is not
 * a URL (a SQLite path) is returned as it is.
 */
export function redactedUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return text;
  }
  if (!url.host) return text;
  if (url.password) url.password = '***';
  for (const key of [...new Set(url.searchParams.keys())]) url.searchParams.set(key, '***');
  url.pathname = url.pathname
    .split('/')
    .map((segment) => (segment.length > redactedUrlSegmentLengthMin ? '***' : segment))
    .join('/');
  // URLSearchParams escapes the stars; they are shown as written.
  return url.toString().replaceAll('%2A%2A%2A', '***');
}
