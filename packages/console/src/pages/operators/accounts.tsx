/** Operator accounts (admin): the list with roles and state, create, change roles, disable, reset. */
import { useState } from 'react';
import { operatorRoles, type GuardedEnrolment, type OperatorView } from '../../../../server/src/contracts/operator.js';
import { useSession } from '../../api/session.js';
import { OutcomeView, useAction } from '../../ui/outcome.js';
import { OneTimeCredentials } from '../../ui/credentials.js';
import { WaitingForSecondAdmin } from '../../ui/pending.js';
import { Empty, Show, useLoad } from '../../ui/states.js';
import { Time } from '../../ui/time.js';

type Role = (typeof operatorRoles)[number];

function RolePicker({ legend, value, onChange }: { legend: string; value: Role[]; onChange: (roles: Role[]) => void }) {
  return (
    <fieldset className="roles">
      <legend>{legend}</legend>
      {operatorRoles.map((role) => (
        <label key={role} className="check">
          <input type="checkbox" name="roles" value={role} checked={value.includes(role)} onChange={(e) => onChange(e.target.checked ? [...value, role] : value.filter((r) => r !== role))} />
          {role}
        </label>
      ))}
    </fieldset>
  );
}

function accountState(o: OperatorView): string {
  if (o.disabled) return 'disabled';
  if (o.locked_until !== null && o.locked_until > Date.now()) return 'locked';
  return 'active';
}

export function OperatorsPage() {
  const { call, may, session } = useSession();
  const list = useLoad(() => call('GET /operators'), []);
  const action = useAction();
  const [credentials, setCredentials] = useState<GuardedEnrolment | null>(null);
  const [name, setName] = useState('');
  const [roles, setRoles] = useState<Role[]>(['viewer']);
  const [editing, setEditing] = useState<string | null>(null);
  const [editRoles, setEditRoles] = useState<Role[]>([]);

  const enrolled = (result: GuardedEnrolment) => {
    setCredentials(result);
    list.reload();
    return result.pending_roles ? ({ kind: 'pending', request: result.pending_roles } as const) : null;
  };

  return (
    <section>
      <h1>Operators</h1>
      {credentials ? (
        <>
          <OneTimeCredentials enrolment={credentials} onDone={() => setCredentials(null)} />
          {credentials.pending_roles ? <WaitingForSecondAdmin request={credentials.pending_roles} /> : null}
        </>
      ) : null}
      <OutcomeView outcome={action.outcome?.kind === 'pending' && credentials?.pending_roles ? null : action.outcome} />
      {may('POST /operators') ? (
        <form
          className="panel"
          aria-label="Create an operator account"
          onSubmit={(e) => {
            e.preventDefault();
            void action.run(async () => {
              const result = enrolled(await call('POST /operators', { body: { name: name.trim(), roles } }));
              setName('');
              return result ?? { kind: 'done', text: `Account ${name.trim()} created.` };
            });
          }}
        >
          <h2>New account</h2>
          <label>
            Account name
            <input name="name" value={name} onChange={(e) => setName(e.target.value)} required autoComplete="off" />
          </label>
          <RolePicker legend="Roles" value={roles} onChange={setRoles} />
          <button type="submit" disabled={action.busy || roles.length === 0}>
            Create account
          </button>
        </form>
      ) : null}
      <Show loaded={list} what="operator accounts">
        {({ operators }) =>
          operators.length === 0 ? (
            <Empty>No operator accounts yet.</Empty>
          ) : (
            <div className="table-wrap">
              <table>
                <caption className="sr-only">Operator accounts</caption>
                <thead>
                  <tr>
                    <th scope="col">Account</th>
                    <th scope="col">Roles</th>
                    <th scope="col">State</th>
                    <th scope="col">Created</th>
                    <th scope="col">Actions</th>
                  </tr>
                </thead>
                <tbody>
                  {operators.map((o) => (
                    <tr key={o.id} data-operator={o.name}>
                      <td>
                        {o.name}
                        {o.id === session?.operator.id ? <span className="muted"> (you)</span> : null}
                      </td>
                      <td>
                        {editing === o.name ? (
                          <form
                            aria-label={`Roles of ${o.name}`}
                            onSubmit={(e) => {
                              e.preventDefault();
                              void action.run(async () => {
                                const out = await call.guarded('PUT /operators/:name/roles', { params: { name: o.name }, body: { roles: editRoles } });
                                setEditing(null);
                                list.reload();
                                return 'pending' in out ? { kind: 'pending', request: out.pending } : { kind: 'done', text: `${o.name} now holds ${out.applied.roles.join(', ')}.` };
                              });
                            }}
                          >
                            <RolePicker legend={`New roles of ${o.name}`} value={editRoles} onChange={setEditRoles} />
                            <button type="submit" disabled={action.busy || editRoles.length === 0}>
                              Save roles
                            </button>
                            <button type="button" onClick={() => setEditing(null)}>
                              Cancel
                            </button>
                          </form>
                        ) : (
                          o.roles.join(', ')
                        )}
                      </td>
                      <td>
                        {accountState(o)}
                        {accountState(o) === 'locked' ? (
                          <>
                            {' '}
                            until <Time ms={o.locked_until} />
                          </>
                        ) : null}
                      </td>
                      <td>
                        <Time ms={o.created_at} />
                      </td>
                      <td className="actions">
                        {may('PUT /operators/:name/roles') && !o.disabled && editing !== o.name ? (
                          <button
                            type="button"
                            aria-label={`Change roles of ${o.name}`}
                            onClick={() => {
                              setEditing(o.name);
                              setEditRoles([...o.roles]);
                            }}
                          >
                            Change roles
                          </button>
                        ) : null}
                        {may('POST /operators/:name/reset') ? (
                          <button
                            type="button"
                            aria-label={`Reset ${o.name}`}
                            onClick={() => {
                              if (!window.confirm(`Reset ${o.name}? Their password and authenticator stop working and their sessions and tokens are revoked.`)) return;
                              void action.run(async () => enrolled(await call('POST /operators/:name/reset', { params: { name: o.name } })) ?? { kind: 'done', text: `${o.name} reset.` });
                            }}
                          >
                            Reset
                          </button>
                        ) : null}
                        {may('POST /operators/:name/disable') && !o.disabled ? (
                          <button
                            type="button"
                            aria-label={`Disable ${o.name}`}
                            onClick={() => {
                              if (!window.confirm(`Disable ${o.name}? Their sessions and tokens are revoked.`)) return;
                              void action.run(async () => {
                                const out = await call.guarded('POST /operators/:name/disable', { params: { name: o.name } });
                                list.reload();
                                return 'pending' in out ? { kind: 'pending', request: out.pending } : { kind: 'done', text: `${o.name} disabled.` };
                              });
                            }}
                          >
                            Disable
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
