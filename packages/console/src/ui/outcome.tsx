/** An action's outcome on a page: what it did, what it waits for, or why it was refused. */
import { useCallback, useState, type ReactNode } from 'react';
import type { ChangeRequestView } from '../../../server/src/contracts/operator.js';
import { actionErrorText } from './errors.js';
import { WaitingForSecondAdmin } from './pending.js';

export type Outcome = { kind: 'done'; text: string } | { kind: 'pending'; request: ChangeRequestView } | { kind: 'error'; text: string } | null;

/** `run(fn)` runs an action and keeps its outcome; `busy` while it runs. */
export function useAction() {
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [busy, setBusy] = useState(false);
  const run = useCallback(async (fn: () => Promise<Outcome>) => {
    setBusy(true);
    setOutcome(null);
    try {
      setOutcome(await fn());
    } catch (e) {
      setOutcome({ kind: 'error', text: actionErrorText(e) });
    } finally {
      setBusy(false);
    }
  }, []);
  return { outcome, setOutcome, busy, run };
}

export function OutcomeView({ outcome }: { outcome: Outcome }): ReactNode {
  if (!outcome) return null;
  if (outcome.kind === 'pending') return <WaitingForSecondAdmin request={outcome.request} />;
  if (outcome.kind === 'error')
    return (
      <p className="outcome outcome-error" role="alert">
        {outcome.text}
      </p>
    );
  return (
    <p className="outcome" role="status">
      {outcome.text}
    </p>
  );
}
