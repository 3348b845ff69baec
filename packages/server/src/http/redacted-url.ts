import { redactedUrlSegmentLengthMin } from '../limits.js';

/**
 * A URL as it may be shown (logs, answers, the CLI, `config check`): node, service and database
 * URLs often carry a secret in the user info, the query or a long path segment
 * (https://mainnet.example/v3/<key>, postgres://app:<password>@db/openwaas), so those parts are
 * replaced by "***"; the scheme, host, port and short path segments stay. Text that is not a
 * URL (a SQLite path) is returned as it is; a URL that does not parse keeps only its scheme.
 */
export function redactedUrl(text: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return text;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return text.replace(/:\/\/.*$/s, '://…');
  }
  // A user name beside a password is an account name (shown); alone it is often a provider's key.
  const userinfo = url.password !== '' ? `${url.username}:***@` : url.username !== '' ? '***@' : '';
  const path = url.pathname
    .split('/')
    .map((segment) => (segment.length > redactedUrlSegmentLengthMin ? '***' : segment))
    .join('/');
  const query = url.search !== '' ? '?***' : '';
  const fragment = url.hash !== '' ? '#***' : '';
  return `${url.protocol}//${userinfo}${url.host}${path}${query}${fragment}`;
}
