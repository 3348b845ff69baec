/** Links between pages and to block explorers. */
import type { ReactNode } from 'react';
import { useSession } from '../api/session.js';
import { pages } from '../pages/registry.js';
import { href, matchPath } from '../routing.js';

/**
 * The console page that lists what an API read route lists: the menu page that needs it
 * ("GET /change-requests" → "/operators/changes"). For links made from the API's own routes
 * (the overview's queues name theirs).
 */
export function pageOfRoute(route: string): string | undefined {
  return pages.find((p) => p.menu && p.needs === route)?.pattern;
}

/**
 * A link to a console page when the operator may open it; the words alone otherwise. `path`
 * is a page's hash path, or an API list path ("/change-requests") standing for its page.
 */
export function PageLink({ path, query, children }: { path: string; query?: Record<string, string | number | undefined>; children: ReactNode }) {
  const { may } = useSession();
  const target = pages.some((p) => matchPath(p.pattern, path) !== null) ? path : (pageOfRoute(`GET ${path}`) ?? path);
  const page = pages.find((p) => matchPath(p.pattern, target) !== null);
  if (!page || !may(page.needs)) return <>{children}</>;
  return <a href={href(target, query)}>{children}</a>;
}

/**
 * A transaction's page on the coin's block explorer: "{txid}" (or "%s") in the coin's
 * `explorer` setting is replaced by the txid; a plain base URL gets "/tx/<txid>". Only http(s)
 * URLs become links; null when the coin has none or the txid is empty.
 */
export function explorerTxUrl(explorer: string, txid: string): string | null {
  const base = explorer.trim();
  if (!base || !txid || !/^https?:\/\//i.test(base)) return null;
  const id = encodeURIComponent(txid);
  if (base.includes('{txid}')) return base.replaceAll('{txid}', id);
  if (base.includes('%s')) return base.replaceAll('%s', id);
  return `${base.replace(/\/+$/, '')}/tx/${id}`;
}

export function ExplorerLink({ explorer, txid }: { explorer: string; txid: string }) {
  const url = explorerTxUrl(explorer, txid);
  if (!url) return null;
  return (
    <a href={url} target="_blank" rel="noopener noreferrer">
      View on explorer<span className="visually-hidden"> (opens a new tab)</span>
    </a>
  );
}
