/** The loading, empty and error states every page shows, and the hook that drives them. */
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { OperatorApiError } from '../api/client.js';

export type Loaded<T> = { state: 'loading' } | { state: 'error'; error: Error } | { state: 'ready'; data: T };

/**
 * Loads `load()` now, again when `deps` change, and every `refreshMs` when given (live pages
 * poll; the server is the only source of truth). `reload()` reloads at once, e.g. after an action.
 */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[], refreshMs?: number): Loaded<T> & { reload: () => void } {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: 'loading' });
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    let live = true;
    loadRef.current().then(
      (data) => live && setLoaded({ state: 'ready', data }),
      (error: Error) => live && setLoaded({ state: 'error', error }),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  useEffect(() => {
    if (!refreshMs) return;
    const timer = setInterval(() => setTick((t) => t + 1), refreshMs);
    return () => clearInterval(timer);
  }, [refreshMs]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...loaded, reload };
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="state state-loading" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="state state-empty">{children}</p>;
}

export function ErrorState({ error, onRetry }: { error: Error; onRetry?: () => void }) {
  const code = error instanceof OperatorApiError ? ` (${error.code})` : '';
  return (
    <div className="state state-error" role="alert">
      <p>
        Could not load this{code}: {error.message}
      </p>
      {onRetry ? (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

/** Renders the three states of `loaded` and `children(data)` when ready. */
export function Show<T>({ loaded, what, children }: { loaded: Loaded<T> & { reload?: () => void }; what: string; children: (data: T) => ReactNode }) {
  if (loaded.state === 'loading') return <Loading what={what} />;
  if (loaded.state === 'error') return <ErrorState error={loaded.error} {...(loaded.reload ? { onRetry: loaded.reload } : {})} />;
  return <>{children(loaded.data)}</>;
}
