/** Users: search (a merchant's, by uid, by deposit address), one user's balances and flags, and freezing or unfreezing. */
import { useState, type FormEvent } from 'react';
import type { UserView } from '../../../server/src/contracts/operator.js';
import { useSession } from '../api/session.js';
import { Action } from '../ui/action.js';
import { Amount } from '../ui/amount.js';
import { CursorTable, RowsTable, type Column } from '../ui/cursor-table.js';
import { FilterBar, q } from '../ui/filter-bar.js';
import { TextField } from '../ui/form.js';
import { Badge, Fields, Time, YesNo } from '../ui/format.js';
import { Empty, Show, useLoad } from '../ui/states.js';
import { href, navigate } from '../routing.js';

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

/** Rows per page of a merchant's users. */
export const userPageSize = 50;

/** A user's balances in one cell: each coin's available amount, and what is locked when any. */
function BalancesCell({ u }: { u: UserView }) {
  if (u.balances.length === 0) return <span className="muted">none</span>;
  return (
    <ul className="plain">
      {u.balances.map((b) => (
        <li key={b.symbol}>
          <Amount value={b.normal} symbol={b.symbol} />
          {/^0(\.0*)?$/.test(b.lock) ? null : (
            <span className="muted">
              {' '}
              (locked <Amount value={b.lock} />)
            </span>
          )}
        </li>
      ))}
    </ul>
  );
}

/**
 * Finding users: a merchant's (by app id, paged), one by uid, or the owner of a deposit
 * address; each with its balances, flags and the freeze or unfreeze the operator may do.
 */
export function UsersPage({ query }: { query: URLSearchParams }) {
  const { call } = useSession();
  const [round, setRound] = useState(0);
  const appId = q(query, 'app_id');
  const uidText = q(query, 'uid');
  const address = q(query, 'address');
  const uid = uidText && /^\d+$/.test(uidText) && Number(uidText) > 0 ? Number(uidText) : undefined;
  const badUid = uidText !== undefined && uid === undefined;
  const searching = !badUid && (appId !== undefined || uid !== undefined || address !== undefined);
  const columns: Array<Column<UserView>> = [
    { header: 'Uid', cell: (u) => <a href={href(`/users/${u.uid}`)}>{u.uid}</a>, num: true },
    { header: 'Merchant', cell: (u) => u.app_id },
    { header: 'Name', cell: (u) => u.nickname || u.email || <span className="muted">—</span> },
    { header: 'Flags', cell: (u) => <UserFlags u={u} /> },
    { header: 'Balances', cell: (u) => <BalancesCell u={u} /> },
    { header: 'Freeze', cell: (u) => <FreezeAction u={u} changed={() => setRound((r) => r + 1)} /> },
  ];
  return (
    <section>
      <h1>Users</h1>
      <FilterBar
        path="/users"
        query={query}
        fields={[
          { name: 'app_id', label: 'Merchant app id' },
          { name: 'uid', label: 'User id (uid)', type: 'number' },
          { name: 'address', label: 'Deposit address' },
        ]}
      />
      {badUid ? (
        <p className="outcome outcome-error" role="alert">
          A uid is a positive whole number.
        </p>
      ) : !searching ? (
        <Empty>Give a merchant app id (its users, page by page), a uid or a deposit address.</Empty>
      ) : (
        <CursorTable
          caption="users found"
          columns={columns}
          rowKey={(u) => u.uid}
          deps={[appId, uid, address, round]}
          empty="No user matches."
          load={async (cursor) => {
            const found = await call('GET /users', {
              query: { limit: userPageSize, ...(appId ? { app_id: appId } : {}), ...(uid !== undefined ? { uid } : {}), ...(address ? { address } : {}), ...(cursor ? { after_id: Number(cursor) } : {}) },
            });
            return { rows: found.users, next: found.next_after_id === null ? null : String(found.next_after_id) };
          }}
        />
      )}
    </section>
  );
}

function UserFlags({ u }: { u: UserView }) {
  return (
    <span>
      {u.frozen ? <Badge tone="bad">frozen</Badge> : <Badge tone="ok">not frozen</Badge>} {u.at_risk ? <Badge tone="warn">at risk</Badge> : null}
    </span>
  );
}

const flagsDone = (v: UserView) => `User ${v.uid} is now ${v.frozen ? 'frozen' : 'not frozen'}${v.at_risk ? ', at risk' : ''}.`;

/** Freeze or unfreeze, when the operator's roles allow it. */
function FreezeAction({ u, changed }: { u: UserView; changed: () => void }) {
  const { call, may } = useSession();
  const params = { uid: u.uid };
  if (u.frozen)
    return may('POST /users/:uid/unfreeze') ? <Action label="Unfreeze" confirm={`Unfreeze user ${u.uid}? Withdrawals are accepted again.`} send={() => call('POST /users/:uid/unfreeze', { params })} done={flagsDone} after={changed} /> : null;
  return may('POST /users/:uid/freeze') ? <Action label="Freeze" danger confirm={`Freeze user ${u.uid}? Its withdrawals are refused until unfrozen.`} send={() => call('POST /users/:uid/freeze', { params })} done={flagsDone} after={changed} /> : null;
}

function Flags({ u, changed }: { u: UserView; changed: () => void }) {
  const { call, may } = useSession();
  const params = { uid: u.uid };
  const done = flagsDone;
  return (
    <div className="actions">
      <FreezeAction u={u} changed={changed} />
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
