/** Links between pages and to block explorers. */
import type { ReactNode } from 'react';
import { useSession } from '../api/session.js';
import { pages } from '../pages/registry.js';
import { href, matchPath } from '../routing.js';

/** A link to a console page when the operator may open it; the words alone otherwise. */
export function PageLink({ path, query, children }: { path: string; query?: Record<string, string | number | undefined>; children: ReactNode }) {
  const { may } = useSession();
  const page = pages.find((p) => matchPath(p.pattern, path) !== null);
  if (!page || !may(page.needs)) return <>{children}</>;
  return <a href={href(path, query)}>{children}</a>;
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
