/**
 * The signed-in operator: the session token lives in this tab's sessionStorage only (closing
 * the tab ends it in the browser; the server's expiry ends it everywhere). Any 401 drops it and
 * shows the login page again with the reason.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { OperatorResponse, OperatorRoute } from '../../../server/src/contracts/operator.js';
import { mayCall, operatorClient, type OperatorCall } from './client.js';

const storageKey = 'openwaas.console.session';

/** The longest delay a browser timer takes (about 24.8 days); a later expiry is re-armed then. */
const timerDelayMaxMs = 2_147_483_647;

/** What the login page says when the server refused the session's token (any 401). */
export const sessionEndedMessage = 'Your session ended (signed out elsewhere, revoked or expired). Sign in again.';
/** What the login page says when the session's own expiry came. */
export const sessionExpiredMessage = 'Your session expired. Sign in again.';

/** What the console keeps of a login. */
export interface StoredSession {
  token: string;
  expiresAt: number;
  operator: OperatorResponse<'GET /auth/me'>['operator'];
}

interface SessionState {
  session: StoredSession | null;
  /** Why the last session ended, shown on the login page ('' when none). */
  endedBecause: string;
  call: OperatorCall;
  signIn(session: StoredSession): void;
  signOut(reason?: string): void;
  /** Whether the signed-in operator's roles allow `route`. */
  may(route: OperatorRoute): boolean;
}

const SessionContext = createContext<SessionState | null>(null);

function readStored(): StoredSession | null {
  try {
    const raw = sessionStorage.getItem(storageKey);
    if (!raw) return null;
    const parsed = JSON.parse(raw) as StoredSession;
    return parsed.expiresAt > Date.now() ? parsed : null;
  } catch {
    return null;
  }
}

export function SessionProvider({ children, fetchImpl }: { children: ReactNode; fetchImpl?: typeof fetch }) {
  const [session, setSession] = useState<StoredSession | null>(readStored);
  // A session this tab kept that expired meanwhile (the tab slept, or was reloaded late): say so.
  const [endedBecause, setEndedBecause] = useState(() => (sessionStorage.getItem(storageKey) !== null && readStored() === null ? sessionExpiredMessage : ''));

  const signOut = useCallback((reason = '') => {
    sessionStorage.removeItem(storageKey);
    setSession(null);
    setEndedBecause(reason);
  }, []);

  const signIn = useCallback((next: StoredSession) => {
    sessionStorage.setItem(storageKey, JSON.stringify(next));
    setEndedBecause('');
    setSession(next);
  }, []);

  const call = useMemo(
    () =>
      operatorClient(
        {
          token: () => readStored()?.token ?? null,
          onUnauthorized: () => signOut(sessionEndedMessage),
        },
        fetchImpl,
      ),
    [fetchImpl, signOut],
  );

  // The session's expiry signs out in this tab when it comes, without waiting for a 401.
  useEffect(() => {
    if (!session) return;
    const timer = setTimeout(
      () => {
        if (session.expiresAt <= Date.now()) signOut(sessionExpiredMessage);
        else setSession({ ...session });
      },
      Math.min(timerDelayMaxMs, Math.max(0, session.expiresAt - Date.now())),
    );
    return () => clearTimeout(timer);
  }, [session, signOut]);

  const value = useMemo<SessionState>(
    () => ({
      session,
      endedBecause,
      call,
      signIn,
      signOut,
      may: (route) => (session ? mayCall(session.operator.roles, route) : false),
    }),
    [session, endedBecause, call, signIn, signOut],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error('useSession outside SessionProvider');
  return state;
}
