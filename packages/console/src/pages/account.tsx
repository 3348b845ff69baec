/** The signed-in operator's own page: roles, their API tokens (create, shown once; revoke), sign out. */
import { useState } from 'react';
import type { IssuedToken } from '../../../server/src/contracts/operator.js';
import { useSession } from '../api/session.js';
import { Copyable } from '../ui/copy.js';
import { actionErrorText } from '../ui/errors.js';
import { Empty, Show, useLoad } from '../ui/states.js';
import { Time } from '../ui/time.js';

export function AccountPage() {
  const { session, call, may, signOut } = useSession();
  const name = session?.operator.name ?? '';
  const tokens = useLoad(() => call('GET /operator-tokens', { query: { name } }), [name]);
  const [issued, setIssued] = useState<IssuedToken | null>(null);
  const [days, setDays] = useState('');
  const [message, setMessage] = useState('');

  async function create() {
    setMessage('');
    try {
      const days_ = days.trim() === '' ? undefined : Number(days);
      setIssued(await call('POST /auth/tokens', { body: days_ === undefined ? {} : { expires_days: days_ } }));
      tokens.reload();
    } catch (e) {
      setMessage(actionErrorText(e));
    }
  }
  async function revoke(id: number) {
    setMessage('');
    try {
      await call('DELETE /operator-tokens/:id', { params: { id } });
      setMessage(`Token #${id} revoked.`);
      tokens.reload();
    } catch (e) {
      setMessage(actionErrorText(e));
    }
  }

  if (!session) return null;
  return (
    <section>
      <h1>Account</h1>
      <dl className="facts">
        <dt>Name</dt>
        <dd>{session.operator.name}</dd>
        <dt>Roles</dt>
        <dd>{session.operator.roles.join(', ')}</dd>
        <dt>Session ends</dt>
        <dd>
          <Time ms={session.expiresAt} />
        </dd>
      </dl>
      <h2>API tokens</h2>
      <p className="muted">For scripts and the command line (OPENWAAS_OPERATOR_TOKEN). A token acts with your roles until it expires or is revoked.</p>
      {may('POST /auth/tokens') ? (
        <form
          className="inline-form"
          aria-label="Create an API token"
          onSubmit={(e) => {
            e.preventDefault();
            void create();
          }}
        >
          <label>
            Expires after (days)
            <input name="expires_days" inputMode="numeric" pattern="[0-9]*" value={days} onChange={(e) => setDays(e.target.value)} placeholder="default" />
          </label>
          <button type="submit">Create API token</button>
        </form>
      ) : null}
      {issued ? (
        <div className="one-time" role="status">
          <p>New token #{issued.id}: shown once, copy it now.</p>
          <Copyable value={issued.token} label="API token" />
          <button type="button" onClick={() => setIssued(null)}>
            Hide
          </button>
        </div>
      ) : null}
      {message ? <p role="status">{message}</p> : null}
      <Show loaded={tokens} what="your API tokens">
        {({ tokens: list }) =>
          list.length === 0 ? (
            <Empty>You have no API tokens.</Empty>
          ) : (
            <div className="table-wrap">
              <table>
                <caption className="sr-only">Your API tokens</caption>
                <thead>
                  <tr>
                    <th scope="col">Token</th>
                    <th scope="col">Created</th>
                    <th scope="col">Expires</th>
                    <th scope="col">Revoked</th>
                    <th scope="col">Actions</th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((t) => (
                    <tr key={t.id}>
                      <td>#{t.id}</td>
                      <td>
                        <Time ms={t.created_at} />
                      </td>
                      <td>
                        <Time ms={t.expires_at} />
                      </td>
                      <td>
                        <Time ms={t.revoked_at} />
                      </td>
                      <td>
                        {t.revoked_at === null && may('DELETE /operator-tokens/:id') ? (
                          <button type="button" onClick={() => void revoke(t.id)} aria-label={`Revoke token #${t.id}`}>
                            Revoke
                          </button>
                        ) : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Show>
      <h2>Session</h2>
      <button
        type="button"
        onClick={() => {
          void call('POST /auth/logout').finally(() => signOut('You signed out.'));
        }}
      >
        Sign out
      </button>
    </section>
  );
}
