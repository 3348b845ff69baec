/**
 * An operator action: a real button that asks for confirmation (and any reason the route
 * needs) before it sends, then shows the answer or the error next to it. A four-eyed route
 * that answered with a change request is shown as waiting for a second admin.
 */
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import type { ChangeRequestView } from '../../../server/src/contracts/operator.js';
import { OperatorApiError } from '../api/client.js';
import { href } from '../routing.js';

/** Whether an answer is a change request (a four-eyed route answered 202) rather than the record. */
export function isChangeRequest(answer: unknown): answer is ChangeRequestView {
  if (!answer || typeof answer !== 'object') return false;
  const a = answer as Partial<ChangeRequestView>;
  return typeof a.id === 'number' && typeof a.kind === 'string' && typeof a.target === 'string' && typeof a.state === 'string' && typeof a.requested_by === 'object';
}

/** The line shown when a change waits for a second admin. */
export function WaitingForSecondAdmin({ request }: { request: ChangeRequestView }) {
  return (
    <span>
      Waiting for a second admin: <a href={href(`/operators/changes/${request.id}`)}>change request #{request.id}</a> ({request.kind} of {request.target}) applies once another admin approves it.
    </span>
  );
}

export type Outcome = { tone: 'ok' | 'error' | 'waiting'; message: ReactNode };

/** Runs `send` and turns its answer or error into what the operator reads. */
export async function outcomeOf<T>(send: () => Promise<T>, done: (answer: T) => ReactNode, after?: (answer: T) => void): Promise<Outcome> {
  let answer: T;
  try {
    answer = await send();
  } catch (e) {
    const error = e as Error;
    return { tone: 'error', message: `Refused${error instanceof OperatorApiError ? ` (${error.code})` : ''}: ${error.message}` };
  }
  after?.(answer);
  if (isChangeRequest(answer) && answer.state === 'pending') return { tone: 'waiting', message: <WaitingForSecondAdmin request={answer} /> };
  return { tone: 'ok', message: done(answer) };
}

export function OutcomeLine({ outcome }: { outcome: Outcome | null }) {
  if (!outcome) return null;
  return (
    <p className={`outcome outcome-${outcome.tone}`} role={outcome.tone === 'error' ? 'alert' : 'status'}>
      {outcome.message}
    </p>
  );
}

export interface ActionProps<T> {
  /** The button's words, e.g. "Approve". */
  label: string;
  /** The question asked before sending, e.g. "Approve withdrawal 7 for the platform?". */
  confirm: string;
  /** A reason field shown in the confirmation: its label, and whether it may be empty. */
  reason?: { label: string; required: boolean };
  send: (reason: string) => Promise<T>;
  /** What the operator reads after success. */
  done: (answer: T) => ReactNode;
  /** Called after success (e.g. reload the page's data). */
  after?: (answer: T) => void;
  danger?: boolean;
  /** Why the action cannot be sent yet (a required field is empty): the button is disabled and says so. */
  notReady?: string;
  /**
   * Hands the outcome to the page instead of showing it here: for actions whose row or
   * section goes away once the action is done (a released hold leaves its list).
   */
  onOutcome?: (outcome: Outcome) => void;
}

export function Action<T>({ label, confirm, reason, send, done, after, danger, notReady, onOutcome }: ActionProps<T>) {
  const [asking, setAsking] = useState(false);
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const fieldId = useId();
  // Keyboard focus follows the confirmation: into it when it opens, back to the button when it closes.
  const trigger = useRef<HTMLButtonElement>(null);
  const wasAsking = useRef(false);
  useEffect(() => {
    if (wasAsking.current && !asking) trigger.current?.focus();
    wasAsking.current = asking;
  }, [asking]);

  async function go() {
    setBusy(true);
    const result = await outcomeOf(() => send(text.trim()), done, after);
    setBusy(false);
    if (onOutcome) onOutcome(result);
    else setOutcome(result);
    if (result.tone !== 'error') {
      setAsking(false);
      setText('');
    }
  }

  return (
    <div className="action">
      {!asking ? (
        <button
          ref={trigger}
          type="button"
          className={danger ? 'danger' : undefined}
          disabled={notReady !== undefined}
          title={notReady}
          onClick={() => {
            setAsking(true);
            setOutcome(null);
          }}
        >
          {label}
        </button>
      ) : (
        <form
          className="confirm"
          aria-label={label}
          onSubmit={(e) => {
            e.preventDefault();
            void go();
          }}
        >
          <p>{confirm}</p>
          {reason ? (
            <p>
              <label htmlFor={fieldId}>{reason.label}</label>{' '}
              <input id={fieldId} value={text} onChange={(e) => setText(e.target.value)} required={reason.required} autoFocus />
            </p>
          ) : null}
          <button type="submit" className={danger ? 'danger' : 'primary'} disabled={busy} autoFocus={!reason}>
            {busy ? 'Sending…' : `Confirm: ${label}`}
          </button>{' '}
          <button type="button" onClick={() => setAsking(false)} disabled={busy}>
            Cancel
          </button>
        </form>
      )}
      {notReady !== undefined && !asking ? <span className="muted not-ready">{notReady}</span> : null}
      <OutcomeLine outcome={outcome} />
    </div>
  );
}
