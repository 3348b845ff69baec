/**
 * Change requests (four eyes for admin changes): the list by state, and one request with the
 * change, the record before it, and approve / reject for an admin other than the one who asked
 * (the server refuses the asker; the page says the request waits for another admin).
 */
import { useState } from 'react';
import { changeRequestStates, type ChangeRequestView } from '../../../../server/src/contracts/operator.js';
import { useSession } from '../../api/session.js';
import { href, navigate } from '../../routing.js';
import { OutcomeView, useAction } from '../../ui/outcome.js';
import { Empty, Show, useLoad } from '../../ui/states.js';
import { Time } from '../../ui/time.js';

type State = (typeof changeRequestStates)[number];

function Json({ value }: { value: unknown }) {
  // Focusable: a long value scrolls sideways in its box, by keyboard too.
  return <pre className="json" tabIndex={0}>{value === null || value === undefined ? '—' : JSON.stringify(value, null, 2)}</pre>;
}

export function ChangeRequestsPage({ query }: { query: URLSearchParams }) {
  const { call } = useSession();
  const state = (changeRequestStates as readonly string[]).includes(query.get('state') ?? '') ? (query.get('state') as State) : 'pending';
  const list = useLoad(() => call('GET /change-requests', { query: { state } }), [state], 5_000);
  return (
    <section>
      <h1>Change requests</h1>
      <label className="filter">
        State
        <select name="state" value={state} onChange={(e) => navigate('/operators/changes', { state: e.target.value })}>
          {changeRequestStates.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </label>
      <Show loaded={list} what="change requests">
        {({ change_requests }) =>
          change_requests.length === 0 ? (
            <Empty>No {state} change requests.</Empty>
          ) : (
            <div className="table-wrap">
              <table>
                <caption className="sr-only">{state} change requests</caption>
                <thead>
                  <tr>
                    <th scope="col">Request</th>
                    <th scope="col">Change</th>
                    <th scope="col">Target</th>
                    <th scope="col">Asked by</th>
                    <th scope="col">Asked at</th>
                    <th scope="col">State</th>
                  </tr>
                </thead>
                <tbody>
                  {change_requests.map((r) => (
                    <tr key={r.id}>
                      <td>
                        <a href={href(`/operators/changes/${r.id}`)}>#{r.id}</a>
                      </td>
                      <td>{r.kind}</td>
                      <td>
                        <code>{r.target}</code>
                      </td>
                      <td>{r.requested_by.name}</td>
                      <td>
                        <Time ms={r.created_at} />
                      </td>
                      <td>{r.state}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Show>
    </section>
  );
}

function Decision({ request, reload }: { request: ChangeRequestView; reload: () => void }) {
  const { call, may, session } = useSession();
  const action = useAction();
  const [reason, setReason] = useState('');
  if (request.state !== 'pending') return null;
  if (request.requested_by.id === session?.operator.id) {
    return (
      <p className="pending" role="status">
        You asked for this change: it is waiting for another admin to approve or reject it.
      </p>
    );
  }
  const canApprove = may('POST /change-requests/:id/approve');
  const canReject = may('POST /change-requests/:id/reject');
  if (!canApprove && !canReject) return <p className="pending">Waiting for an admin to decide.</p>;
  return (
    <form className="panel" aria-label="Decide this change request" onSubmit={(e) => e.preventDefault()}>
      <label>
        Reason (needed to reject)
        <input name="reason" value={reason} onChange={(e) => setReason(e.target.value)} />
      </label>
      <div className="buttons">
        {canApprove ? (
          <button
            type="button"
            disabled={action.busy}
            onClick={() =>
              void action.run(async () => {
                const out = await call('POST /change-requests/:id/approve', { params: { id: request.id }, body: reason.trim() ? { reason: reason.trim() } : {} });
                reload();
                return { kind: 'done', text: `Change request #${out.id} ${out.state}.` };
              })
            }
          >
            Approve
          </button>
        ) : null}
        {canReject ? (
          <button
            type="button"
            disabled={action.busy || reason.trim() === ''}
            onClick={() =>
              void action.run(async () => {
                const out = await call('POST /change-requests/:id/reject', { params: { id: request.id }, body: { reason: reason.trim() } });
                reload();
                return { kind: 'done', text: `Change request #${out.id} ${out.state}.` };
              })
            }
          >
            Reject
          </button>
        ) : null}
      </div>
      <OutcomeView outcome={action.outcome} />
    </form>
  );
}

export function ChangeRequestPage({ params }: { params: Record<string, string> }) {
  const { call } = useSession();
  const id = Number(params.id);
  const loaded = useLoad(() => call('GET /change-requests/:id', { params: { id } }), [id], 5_000);
  return (
    <section>
      <p>
        <a href={href('/operators/changes')}>← Change requests</a>
      </p>
      <h1>Change request #{params.id}</h1>
      <Show loaded={loaded} what="the change request">
        {(r) => (
          <>
            <dl className="facts">
              <dt>Change</dt>
              <dd>{r.kind}</dd>
              <dt>Target</dt>
              <dd>
                <code>{r.target}</code>
              </dd>
              <dt>State</dt>
              <dd data-testid="change-state">{r.state}</dd>
              <dt>Asked by</dt>
              <dd>
                {r.requested_by.name} at <Time ms={r.created_at} />
              </dd>
              <dt>Decided by</dt>
              <dd>
                {r.decided_by ? (
                  <>
                    {r.decided_by.name} at <Time ms={r.decided_at} />
                  </>
                ) : (
                  '—'
                )}
              </dd>
              {r.reason ? (
                <>
                  <dt>Reason</dt>
                  <dd>{r.reason}</dd>
                </>
              ) : null}
              {r.error ? (
                <>
                  <dt>Did not apply</dt>
                  <dd>
                    {r.error.message} ({r.error.code})
                  </dd>
                </>
              ) : null}
            </dl>
            <Decision request={r} reload={loaded.reload} />
            <div className="columns">
              <div>
                <h2>Requested change</h2>
                <Json value={r.change} />
              </div>
              <div>
                <h2>Record before</h2>
                <Json value={r.before} />
              </div>
              {r.state === 'approved' ? (
                <div>
                  <h2>Record after</h2>
                  <Json value={r.result} />
                </div>
              ) : null}
            </div>
          </>
        )}
      </Show>
    </section>
  );
}
