/** The notification outbox: counts per state, the list by state and merchant, one notification, and resending. */
import { useState } from 'react';
import type { NotificationView } from '../../../server/src/contracts/operator.js';
import { notificationStates } from '../../../server/src/contracts/operator.js';
import { useSession } from '../api/session.js';
import { Action, OutcomeLine, type Outcome } from '../ui/action.js';
import { CursorTable, RowsTable, type Column } from '../ui/cursor-table.js';
import { FilterBar, q } from '../ui/filter-bar.js';
import { TextField } from '../ui/form.js';
import { Badge, Fields, Time } from '../ui/format.js';
import { Show, useLoad } from '../ui/states.js';
import { PageLink } from '../ui/links.js';
import { href } from '../routing.js';

/** Rows per page of the outbox. */
export const notificationPageSize = 50;

const tone = (s: NotificationView['state']) => (s === 'delivered' ? 'ok' : s === 'failed' ? 'bad' : 'warn');

/** The record a notification is about: a withdrawal links to its page. */
function RecordRef({ n }: { n: NotificationView }) {
  if (n.side === 'withdraw') return <PageLink path={`/withdrawals/${n.record_id}`}>withdrawal {n.record_id}</PageLink>;
  return <span>deposit {n.record_id}</span>;
}

const columns: Array<Column<NotificationView>> = [
  { header: 'Id', cell: (n) => <a href={href(`/notifications/${n.id}`)}>{n.id}</a> },
  { header: 'State', cell: (n) => <Badge tone={tone(n.state)}>{n.state}</Badge> },
  { header: 'Merchant', cell: (n) => n.app_id },
  { header: 'Record', cell: (n) => <RecordRef n={n} /> },
  { header: 'Attempts', cell: (n) => n.attempts, num: true },
  { header: 'Last error', cell: (n) => n.last_error || n.waiting || <span className="muted">—</span> },
  { header: 'Created', cell: (n) => <Time ms={n.created_at} /> },
];

function ResendFailed({ after }: { after: () => void }) {
  const { call } = useSession();
  const [appId, setAppId] = useState('');
  return (
    <div className="card">
      <h2>Resend failed notifications</h2>
      <TextField label="Only of merchant (app id, optional)" value={appId} onChange={setAppId} />
      <Action
        label="Resend all failed"
        confirm={appId.trim() ? `Deliver every failed notification of ${appId.trim()} again?` : 'Deliver every failed notification of every merchant again?'}
        send={() => call('POST /notifications/resend-failed', { body: appId.trim() ? { app_id: appId.trim() } : {} })}
        done={(r) => `${r.count} notification${r.count === 1 ? '' : 's'} queued again.`}
        after={after}
      />
    </div>
  );
}

export function NotificationsPage({ query }: { query: URLSearchParams }) {
  const { call, may } = useSession();
  const [round, setRound] = useState(0);
  const state = q(query, 'state') as NotificationView['state'] | undefined;
  const appId = q(query, 'app_id');
  const counts = useLoad(() => call('GET /notifications', { query: { limit: 1, ...(appId ? { app_id: appId } : {}) } }), [appId, round], 10_000);
  return (
    <section>
      <h1>Notifications</h1>
      <Show loaded={counts} what="notification counts">
        {({ counts: c }) => (
          <ul className="counts" aria-label="Notifications per state">
            {notificationStates.map((s) => (
              <li key={s}>
                <a href={href('/notifications', { state: s, app_id: appId })}>
                  {s}: <strong>{c[s]}</strong>
                </a>
              </li>
            ))}
          </ul>
        )}
      </Show>
      <FilterBar
        path="/notifications"
        query={query}
        fields={[
          { name: 'state', label: 'State', type: 'select', options: notificationStates },
          { name: 'app_id', label: 'Merchant app id' },
        ]}
      />
      <CursorTable
        caption="notifications"
        columns={columns}
        rowKey={(n) => n.id}
        deps={[state, appId, round]}
        empty="No notification matches."
        load={async (cursor) => {
          const { notifications } = await call('GET /notifications', {
            query: { limit: notificationPageSize, ...(state ? { state } : {}), ...(appId ? { app_id: appId } : {}), ...(cursor ? { after_id: Number(cursor) } : {}) },
          });
          return { rows: notifications, next: notifications.length === notificationPageSize ? String(notifications[notifications.length - 1]!.id) : null };
        }}
      />
      {may('POST /notifications/resend-failed') ? <ResendFailed after={() => setRound((r) => r + 1)} /> : null}
    </section>
  );
}

export function NotificationPage({ params }: { params: Record<string, string> }) {
  const { call, may } = useSession();
  const id = Number(params.id);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const loaded = useLoad(() => call('GET /notifications/:id', { params: { id } }), [id]);
  return (
    <section>
      <h1>Notification {params.id}</h1>
      <p>
        <a href={href('/notifications')}>← Notifications</a>
      </p>
      <OutcomeLine outcome={outcome} />
      <Show loaded={loaded} what={`notification ${params.id}`}>
        {(n) => (
          <>
            <Fields
              items={[
                ['State', <Badge key="s" tone={tone(n.state)}>{n.state}</Badge>],
                ['Merchant', n.app_id],
                ['Record', <RecordRef key="r" n={n} />],
                ['Attempts', n.attempts],
                ['Next attempt', n.state === 'pending' ? <Time key="n" ms={n.next_attempt_at} /> : ''],
                ['Last error', n.last_error],
                ['Waiting because', n.waiting],
                ['Created', <Time key="c" ms={n.created_at} />],
                ['Delivered', <Time key="d" ms={n.delivered_at} />],
              ]}
            />
            {may('POST /notifications/:id/resend') ? (
              <Action
                label="Resend"
                confirm={`Deliver notification ${n.id} to ${n.app_id} again?`}
                send={() => call('POST /notifications/:id/resend', { params: { id: n.id } })}
                done={(v) => `Queued again: notification ${v.id} is ${v.state}.`}
                after={loaded.reload}
                onOutcome={setOutcome}
              />
            ) : null}
            <h2>Payload</h2>
            <RowsTable
              caption="payload fields as sent"
              rows={Object.entries(n.payload)}
              rowKey={([k]) => k}
              columns={[
                { header: 'Field', cell: ([k]) => <code>{k}</code> },
                { header: 'Value', cell: ([, v]) => <code>{v}</code> },
              ]}
            />
          </>
        )}
      </Show>
    </section>
  );
}
