/** API tokens of every operator (never the tokens themselves): who holds which, and revoking one. */
import { useSession } from '../../api/session.js';
import { OutcomeView, useAction } from '../../ui/outcome.js';
import { Empty, Show, useLoad } from '../../ui/states.js';
import { Time } from '../../ui/time.js';

export function TokensPage() {
  const { call, may } = useSession();
  const list = useLoad(() => call('GET /operator-tokens', { query: {} }), []);
  const action = useAction();
  return (
    <section>
      <h1>API tokens</h1>
      <OutcomeView outcome={action.outcome} />
      <Show loaded={list} what="API tokens">
        {({ tokens }) =>
          tokens.length === 0 ? (
            <Empty>No operator holds an API token.</Empty>
          ) : (
            <div className="table-wrap">
              <table>
                <caption className="sr-only">API tokens of all operators</caption>
                <thead>
                  <tr>
                    <th scope="col">Token</th>
                    <th scope="col">Operator</th>
                    <th scope="col">Created</th>
                    <th scope="col">Expires</th>
                    <th scope="col">Revoked</th>
                    <th scope="col">Actions</th>
                  </tr>
                </thead>
                <tbody>
                  {tokens.map((t) => (
                    <tr key={t.id}>
                      <td>#{t.id}</td>
                      <td>{t.name}</td>
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
                          <button
                            type="button"
                            aria-label={`Revoke token #${t.id} of ${t.name}`}
                            onClick={() =>
                              void action.run(async () => {
                                await call('DELETE /operator-tokens/:id', { params: { id: t.id } });
                                list.reload();
                                return { kind: 'done', text: `Token #${t.id} of ${t.name} revoked.` };
                              })
                            }
                          >
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
    </section>
  );
}
