/** Users: look one up by uid; its balances per coin, its flags, and freezing or unfreezing it. */
import { useState, type FormEvent } from 'react';
import type { UserView } from '../../../server/src/contracts/operator.js';
import { useSession } from '../api/session.js';
import { Action } from '../ui/action.js';
import { Amount } from '../ui/amount.js';
import { RowsTable } from '../ui/cursor-table.js';
import { TextField } from '../ui/form.js';
import { Badge, Fields, Time, YesNo } from '../ui/format.js';
import { Empty, Show, useLoad } from '../ui/states.js';
import { navigate } from '../routing.js';

function Lookup({ initial = '' }: { initial?: string }) {
  const [uid, setUid] = useState(initial);
  const valid = /^\d+$/.test(uid.trim()) && Number(uid.trim()) > 0;
  return (
    <form
      className="lookup"
      role="search"
      aria-label="Find a user"
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        if (valid) navigate(`/users/${uid.trim()}`);
      }}
    >
      <TextField label="User id (uid)" value={uid} onChange={setUid} inputMode="numeric" required />
      <button type="submit" className="primary" disabled={!valid}>
        Show user
      </button>
    </form>
  );
}

export function UsersPage() {
  return (
    <section>
      <h1>Users</h1>
      <Lookup />
    </section>
  );
}

function Flags({ u, changed }: { u: UserView; changed: () => void }) {
  const { call, may } = useSession();
  const params = { uid: u.uid };
  const done = (v: UserView) => `User ${v.uid} is now ${v.frozen ? 'frozen' : 'not frozen'}${v.at_risk ? ', at risk' : ''}.`;
  return (
    <div className="actions">
      {u.frozen
        ? may('POST /users/:uid/unfreeze') && <Action label="Unfreeze" confirm={`Unfreeze user ${u.uid}? Withdrawals are accepted again.`} send={() => call('POST /users/:uid/unfreeze', { params })} done={done} after={changed} />
        : may('POST /users/:uid/freeze') && <Action label="Freeze" danger confirm={`Freeze user ${u.uid}? Its withdrawals are refused until unfrozen.`} send={() => call('POST /users/:uid/freeze', { params })} done={done} after={changed} />}
      {may('PATCH /users/:uid') ? (
        <Action
          label={u.at_risk ? 'Clear at-risk flag' : 'Flag at risk'}
          confirm={u.at_risk ? `Clear the at-risk flag of user ${u.uid}?` : `Flag user ${u.uid} at risk?`}
          send={() => call('PATCH /users/:uid', { params, body: { at_risk: !u.at_risk } })}
          done={done}
          after={changed}
        />
      ) : null}
    </div>
  );
}

export function UserPage({ params }: { params: Record<string, string> }) {
  const { call } = useSession();
  const uid = Number(params.uid);
  const loaded = useLoad(() => call('GET /users/:uid', { params: { uid } }), [uid]);
  return (
    <section>
      <h1>User {params.uid}</h1>
      <Lookup initial={params.uid ?? ''} />
      <Show loaded={loaded} what={`user ${params.uid}`}>
        {(u) => (
          <>
            <p>
              {u.frozen ? <Badge tone="bad">frozen</Badge> : <Badge tone="ok">not frozen</Badge>} {u.at_risk ? <Badge tone="warn">at risk</Badge> : null}
            </p>
            <Fields
              items={[
                ['Merchant', u.app_id],
                ['Nickname', u.nickname],
                ['Email', u.email ?? ''],
                ['Mobile', u.mobile ? `${u.country ? `+${u.country} ` : ''}${u.mobile}` : ''],
                ['Frozen', <YesNo key="f" value={u.frozen} />],
                ['At risk', <YesNo key="r" value={u.at_risk} />],
                ['Created', <Time key="c" ms={u.created_at} />],
              ]}
            />
            <Flags u={u} changed={loaded.reload} />
            <h2>Balances</h2>
            {u.balances.length === 0 ? (
              <Empty>No balance yet.</Empty>
            ) : (
              <RowsTable
                caption={`balances of user ${u.uid}`}
                rows={u.balances}
                rowKey={(b) => b.symbol}
                columns={[
                  { header: 'Coin', cell: (b) => b.symbol },
                  { header: 'Available', cell: (b) => <Amount value={b.normal} />, num: true },
                  { header: 'Locked', cell: (b) => <Amount value={b.lock} />, num: true },
                ]}
              />
            )}
          </>
        )}
      </Show>
    </section>
  );
}
