/**
 * Spending policies (admin): approval policies, velocity limits, destination settings, and a
 * merchant's allowlist — listed, set and removed. Amounts are typed and sent as decimal strings
 * (the service checks them against the coin's decimals); loosening changes wait for a second
 * admin once four eyes are engaged.
 */
import { useState, type FormEvent, type ReactNode } from 'react';
import { velocityScopes } from '../../../../server/src/contracts/operator.js';
import { useSession } from '../../api/session.js';
import type { Guarded, FourEyesRoute } from '../../api/client.js';
import { Amount } from '../../ui/amount.js';
import { Copyable } from '../../ui/copy.js';
import { OutcomeView, useAction, type Outcome } from '../../ui/outcome.js';
import { Empty, Show, useLoad } from '../../ui/states.js';
import { Time } from '../../ui/time.js';

const decimalPattern = '[0-9]+(\\.[0-9]+)?';

function outcomeOf<R extends FourEyesRoute>(out: Guarded<R>, done: string): Outcome {
  return 'pending' in out ? { kind: 'pending', request: out.pending } : { kind: 'done', text: done };
}

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <label>
      {label}
      {children}
    </label>
  );
}

const scopeText = (appId: string | null) => (appId === null ? 'all merchants' : appId);
const optional = (text: string) => (text.trim() === '' ? undefined : text.trim());

export function PoliciesPage() {
  const { call, may } = useSession();
  const policies = useLoad(() => call('GET /policies'), []);
  const action = useAction();
  const run = (fn: () => Promise<Outcome>) => void action.run(async () => {
    const out = await fn();
    policies.reload();
    return out;
  });

  const [ap, setAp] = useState({ symbol: '', app_id: '', above_amount: '', approvals_required: '2', company_review: false });
  const [vl, setVl] = useState({ symbol: '', app_id: '', scope: 'user' as (typeof velocityScopes)[number], window_s: '86400', max_amount: '', max_count: '' });
  const [ds, setDs] = useState({ app_id: '', allowlist_enabled: false, new_address_cooldown_s: '0' });

  const submit = (fn: () => Promise<Outcome>) => (e: FormEvent) => {
    e.preventDefault();
    run(fn);
  };

  return (
    <section>
      <h1>Policies</h1>
      <OutcomeView outcome={action.outcome} />
      <Show loaded={policies} what="policies">
        {({ approval, velocity, destinations }) => (
          <>
            <h2>Approval policies</h2>
            {approval.length === 0 ? (
              <Empty>No approval policies: withdrawals above a coin's auto-approve amount need one review.</Empty>
            ) : (
              <div className="table-wrap">
                <table>
                  <caption className="sr-only">Approval policies</caption>
                  <thead>
                    <tr>
                      <th scope="col">Coin</th>
                      <th scope="col">Merchant</th>
                      <th scope="col" className="num">Above</th>
                      <th scope="col" className="num">Approvals</th>
                      <th scope="col">Merchant review</th>
                      <th scope="col">Set by</th>
                      <th scope="col">Actions</th>
                    </tr>
                  </thead>
                  <tbody>
                    {approval.map((p) => (
                      <tr key={`${p.symbol}/${p.app_id ?? ''}`}>
                        <td>{p.symbol}</td>
                        <td>{scopeText(p.app_id)}</td>
                        <td className="num">
                          <Amount value={p.above_amount} symbol={p.symbol} />
                        </td>
                        <td className="num">{p.approvals_required}</td>
                        <td>{p.company_review ? 'yes' : 'no'}</td>
                        <td>
                          {p.updated_by}, <Time ms={p.updated_at} />
                        </td>
                        <td className="actions">
                          {may('PUT /policies/approval/:symbol') ? (
                            <button
                              type="button"
                              aria-label={`Edit the approval policy of ${p.symbol} for ${scopeText(p.app_id)}`}
                              onClick={() => setAp({ symbol: p.symbol, app_id: p.app_id ?? '', above_amount: p.above_amount, approvals_required: String(p.approvals_required), company_review: p.company_review })}
                            >
                              Edit
                            </button>
                          ) : null}
                          {may('DELETE /policies/approval/:symbol') ? (
                            <button
                              type="button"
                              aria-label={`Remove the approval policy of ${p.symbol} for ${scopeText(p.app_id)}`}
                              onClick={() =>
                                run(async () => outcomeOf(await call.guarded('DELETE /policies/approval/:symbol', { params: { symbol: p.symbol }, query: { app_id: p.app_id ?? undefined } }), `Approval policy of ${p.symbol} removed.`))
                              }
                            >
                              Remove
                            </button>
                          ) : null}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            {may('PUT /policies/approval/:symbol') ? (
              <form
                className="panel grid-form"
                aria-label="Set an approval policy"
                onSubmit={submit(async () =>
                  outcomeOf(
                    await call.guarded('PUT /policies/approval/:symbol', {
                      params: { symbol: ap.symbol.trim() },
                      body: { app_id: optional(ap.app_id), above_amount: ap.above_amount.trim(), approvals_required: Number(ap.approvals_required), company_review: ap.company_review },
                    }),
                    `Approval policy of ${ap.symbol.trim()} set.`,
                  ),
                )}
              >
                <h3>Set an approval policy</h3>
                <Field label="Coin">
                  <input name="symbol" value={ap.symbol} onChange={(e) => setAp({ ...ap, symbol: e.target.value })} required />
                </Field>
                <Field label="Merchant app_id (empty: all)">
                  <input name="app_id" value={ap.app_id} onChange={(e) => setAp({ ...ap, app_id: e.target.value })} />
                </Field>
                <Field label="Above amount">
                  <input name="above_amount" inputMode="decimal" pattern={decimalPattern} value={ap.above_amount} onChange={(e) => setAp({ ...ap, above_amount: e.target.value })} required />
                </Field>
                <Field label="Approvals required">
                  <input name="approvals_required" inputMode="numeric" pattern="[0-9]+" value={ap.approvals_required} onChange={(e) => setAp({ ...ap, approvals_required: e.target.value })} required />
                </Field>
                <label className="check">
                  <input type="checkbox" name="company_review" checked={ap.company_review} onChange={(e) => setAp({ ...ap, company_review: e.target.checked })} />
                  Merchant review too
                </label>
                <button type="submit" disabled={action.busy}>
                  Set approval policy
                </button>
              </form>
            ) : null}

            <h2>Velocity limits</h2>
            {velocity.length === 0 ? (
              <Empty>No velocity limits.</Empty>
            ) : (
              <div className="table-wrap">
                <table>
                  <caption className="sr-only">Velocity limits</caption>
                  <thead>
                    <tr>
                      <th scope="col">Coin</th>
                      <th scope="col">Merchant</th>
                      <th scope="col">Per</th>
                      <th scope="col" className="num">Window (s)</th>
                      <th scope="col" className="num">Max amount</th>
                      <th scope="col" className="num">Max count</th>
                      <th scope="col">Actions</th>
                    </tr>
                  </thead>
                  <tbody>
                    {velocity.map((v) => (
                      <tr key={`${v.symbol}/${v.app_id ?? ''}/${v.scope}/${v.window_s}`}>
                        <td>{v.symbol}</td>
                        <td>{scopeText(v.app_id)}</td>
                        <td>{v.scope}</td>
                        <td className="num">{v.window_s}</td>
                        <td className="num">{v.max_amount === '0' ? '—' : <Amount value={v.max_amount} symbol={v.symbol} />}</td>
                        <td className="num">{v.max_count === 0 ? '—' : v.max_count}</td>
                        <td className="actions">
                          {may('PUT /policies/velocity/:symbol') ? (
                            <button
                              type="button"
                              aria-label={`Edit the ${v.scope} velocity limit of ${v.symbol} over ${v.window_s} s for ${scopeText(v.app_id)}`}
                              onClick={() => setVl({ symbol: v.symbol, app_id: v.app_id ?? '', scope: v.scope, window_s: String(v.window_s), max_amount: v.max_amount === '0' ? '' : v.max_amount, max_count: v.max_count === 0 ? '' : String(v.max_count) })}
                            >
                              Edit
                            </button>
                          ) : null}
                          {may('DELETE /policies/velocity/:symbol') ? (
                            <button
                              type="button"
                              aria-label={`Remove the ${v.scope} velocity limit of ${v.symbol} over ${v.window_s} s for ${scopeText(v.app_id)}`}
                              onClick={() =>
                                run(async () =>
                                  outcomeOf(await call.guarded('DELETE /policies/velocity/:symbol', { params: { symbol: v.symbol }, query: { app_id: v.app_id ?? undefined, scope: v.scope, window_s: v.window_s } }), `Velocity limit of ${v.symbol} removed.`),
                                )
                              }
                            >
                              Remove
                            </button>
                          ) : null}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            {may('PUT /policies/velocity/:symbol') ? (
              <form
                className="panel grid-form"
                aria-label="Set a velocity limit"
                onSubmit={submit(async () =>
                  outcomeOf(
                    await call.guarded('PUT /policies/velocity/:symbol', {
                      params: { symbol: vl.symbol.trim() },
                      body: { app_id: optional(vl.app_id), scope: vl.scope, window_s: Number(vl.window_s), max_amount: optional(vl.max_amount), max_count: vl.max_count.trim() === '' ? undefined : Number(vl.max_count) },
                    }),
                    `Velocity limit of ${vl.symbol.trim()} set.`,
                  ),
                )}
              >
                <h3>Set a velocity limit</h3>
                <Field label="Coin">
                  <input name="symbol" value={vl.symbol} onChange={(e) => setVl({ ...vl, symbol: e.target.value })} required />
                </Field>
                <Field label="Merchant app_id (empty: all)">
                  <input name="app_id" value={vl.app_id} onChange={(e) => setVl({ ...vl, app_id: e.target.value })} />
                </Field>
                <Field label="Per">
                  <select name="scope" value={vl.scope} onChange={(e) => setVl({ ...vl, scope: e.target.value as (typeof velocityScopes)[number] })}>
                    {velocityScopes.map((s) => (
                      <option key={s} value={s}>
                        {s}
                      </option>
                    ))}
                  </select>
                </Field>
                <Field label="Window (seconds)">
                  <input name="window_s" inputMode="numeric" pattern="[0-9]+" value={vl.window_s} onChange={(e) => setVl({ ...vl, window_s: e.target.value })} required />
                </Field>
                <Field label="Max amount">
                  <input name="max_amount" inputMode="decimal" pattern={decimalPattern} value={vl.max_amount} onChange={(e) => setVl({ ...vl, max_amount: e.target.value })} />
                </Field>
                <Field label="Max count">
                  <input name="max_count" inputMode="numeric" pattern="[0-9]*" value={vl.max_count} onChange={(e) => setVl({ ...vl, max_count: e.target.value })} />
                </Field>
                <button type="submit" disabled={action.busy}>
                  Set velocity limit
                </button>
              </form>
            ) : null}

            <h2>Destination settings</h2>
            {destinations.length === 0 ? (
              <Empty>No destination settings: no allowlist and no cool-down for new addresses.</Empty>
            ) : (
              <div className="table-wrap">
                <table>
                  <caption className="sr-only">Destination settings</caption>
                  <thead>
                    <tr>
                      <th scope="col">Merchant</th>
                      <th scope="col">Allowlist</th>
                      <th scope="col" className="num">New-address cool-down (s)</th>
                      <th scope="col">Set by</th>
                      <th scope="col">Actions</th>
                    </tr>
                  </thead>
                  <tbody>
                    {destinations.map((d) => (
                      <tr key={d.app_id ?? ''}>
                        <td>{scopeText(d.app_id)}</td>
                        <td>{d.allowlist_enabled ? 'required' : 'off'}</td>
                        <td className="num">{d.new_address_cooldown_s}</td>
                        <td>
                          {d.updated_by}, <Time ms={d.updated_at} />
                        </td>
                        <td className="actions">
                          {may('PUT /policies/destinations') ? (
                            <button
                              type="button"
                              aria-label={`Edit the destination settings of ${scopeText(d.app_id)}`}
                              onClick={() => setDs({ app_id: d.app_id ?? '', allowlist_enabled: d.allowlist_enabled, new_address_cooldown_s: String(d.new_address_cooldown_s) })}
                            >
                              Edit
                            </button>
                          ) : null}
                          {may('DELETE /policies/destinations') ? (
                            <button
                              type="button"
                              aria-label={`Remove the destination settings of ${scopeText(d.app_id)}`}
                              onClick={() => run(async () => outcomeOf(await call.guarded('DELETE /policies/destinations', { query: { app_id: d.app_id ?? undefined } }), 'Destination settings removed.'))}
                            >
                              Remove
                            </button>
                          ) : null}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            {may('PUT /policies/destinations') ? (
              <form
                className="panel grid-form"
                aria-label="Set destination settings"
                onSubmit={submit(async () =>
                  outcomeOf(
                    await call.guarded('PUT /policies/destinations', { body: { app_id: optional(ds.app_id), allowlist_enabled: ds.allowlist_enabled, new_address_cooldown_s: Number(ds.new_address_cooldown_s) } }),
                    'Destination settings set.',
                  ),
                )}
              >
                <h3>Set destination settings</h3>
                <Field label="Merchant app_id (empty: all)">
                  <input name="app_id" value={ds.app_id} onChange={(e) => setDs({ ...ds, app_id: e.target.value })} />
                </Field>
                <label className="check">
                  <input type="checkbox" name="allowlist_enabled" checked={ds.allowlist_enabled} onChange={(e) => setDs({ ...ds, allowlist_enabled: e.target.checked })} />
                  Only allowlisted destinations
                </label>
                <Field label="New-address cool-down (seconds)">
                  <input name="new_address_cooldown_s" inputMode="numeric" pattern="[0-9]+" value={ds.new_address_cooldown_s} onChange={(e) => setDs({ ...ds, new_address_cooldown_s: e.target.value })} required />
                </Field>
                <button type="submit" disabled={action.busy}>
                  Set destination settings
                </button>
              </form>
            ) : null}
          </>
        )}
      </Show>
      <Allowlist />
    </section>
  );
}

/** One merchant's allowlisted destinations: pick the merchant, then add or remove. */
function Allowlist() {
  const { call, may } = useSession();
  const merchants = useLoad(() => call('GET /merchants'), []);
  const [appId, setAppId] = useState('');
  const list = useLoad(() => (appId ? call('GET /merchants/:appId/allowlist', { params: { appId } }) : Promise.resolve({ destinations: [] })), [appId]);
  const action = useAction();
  const [entry, setEntry] = useState({ symbol: '', address: '', label: '' });
  return (
    <>
      <h2>Allowlists</h2>
      <Show loaded={merchants} what="merchants">
        {({ merchants: all }) =>
          all.length === 0 ? (
            <Empty>No merchants yet.</Empty>
          ) : (
            <label className="filter">
              Merchant
              <select name="allowlist_app_id" value={appId} onChange={(e) => setAppId(e.target.value)}>
                <option value="">Choose a merchant…</option>
                {all.map((m) => (
                  <option key={m.app_id} value={m.app_id}>
                    {m.name} ({m.app_id})
                  </option>
                ))}
              </select>
            </label>
          )
        }
      </Show>
      <OutcomeView outcome={action.outcome} />
      {appId ? (
        <Show loaded={list} what="the allowlist">
          {({ destinations }) =>
            destinations.length === 0 ? (
              <Empty>No allowlisted destinations for {appId}.</Empty>
            ) : (
              <div className="table-wrap">
                <table>
                  <caption className="sr-only">Allowlist of {appId}</caption>
                  <thead>
                    <tr>
                      <th scope="col">Chain</th>
                      <th scope="col">Address</th>
                      <th scope="col">Label</th>
                      <th scope="col">Added</th>
                      <th scope="col">Actions</th>
                    </tr>
                  </thead>
                  <tbody>
                    {destinations.map((d) => (
                      <tr key={`${d.chain}/${d.address}`}>
                        <td>{d.chain}</td>
                        <td>
                          <Copyable value={d.address} label="address" />
                        </td>
                        <td>{d.label}</td>
                        <td>
                          {d.created_by}, <Time ms={d.created_at} />
                        </td>
                        <td>
                          {may('DELETE /merchants/:appId/allowlist') ? (
                            <RemoveAllowlisted appId={appId} address={d.address} onDone={list.reload} />
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
      ) : null}
      {appId && may('POST /merchants/:appId/allowlist') ? (
        <form
          className="panel grid-form"
          aria-label={`Add a destination to the allowlist of ${appId}`}
          onSubmit={(e) => {
            e.preventDefault();
            void action.run(async () => {
              const out = await call.guarded('POST /merchants/:appId/allowlist', { params: { appId }, body: { symbol: entry.symbol.trim(), address: entry.address.trim(), ...(entry.label.trim() ? { label: entry.label.trim() } : {}) } });
              list.reload();
              return outcomeOf(out, 'Destination allowlisted.');
            });
          }}
        >
          <h3>Add a destination</h3>
          <Field label="Coin">
            <input name="symbol" value={entry.symbol} onChange={(e) => setEntry({ ...entry, symbol: e.target.value })} required />
          </Field>
          <Field label="Address">
            <input name="address" value={entry.address} onChange={(e) => setEntry({ ...entry, address: e.target.value })} required />
          </Field>
          <Field label="Label">
            <input name="label" value={entry.label} onChange={(e) => setEntry({ ...entry, label: e.target.value })} />
          </Field>
          <button type="submit" disabled={action.busy}>
            Add to allowlist
          </button>
        </form>
      ) : null}
    </>
  );
}

function RemoveAllowlisted({ appId, address, onDone }: { appId: string; address: string; onDone: () => void }) {
  const { call } = useSession();
  const [symbol, setSymbol] = useState('');
  const action = useAction();
  return (
    <form
      className="inline-form"
      aria-label={`Remove ${address}`}
      onSubmit={(e) => {
        e.preventDefault();
        void action.run(async () => {
          await call('DELETE /merchants/:appId/allowlist', { params: { appId }, query: { symbol: symbol.trim(), address } });
          onDone();
          return { kind: 'done', text: 'Removed.' };
        });
      }}
    >
      <label>
        Coin
        <input name="symbol" size={6} value={symbol} onChange={(e) => setSymbol(e.target.value)} required />
      </label>
      <button type="submit">Remove</button>
      <OutcomeView outcome={action.outcome} />
    </form>
  );
}
