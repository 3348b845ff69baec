/** The notification outbox: counts per state, the list by state and merchant, one notification, and resending. */
import { useState } from 'react';
import type { NotificationAttemptView, NotificationView } from '../../../server/src/contracts/operator.js';
import { notificationStates } from '../../../server/src/contracts/operator.js';
import { useSession } from '../api/session.js';
import { Action, OutcomeLine, type Outcome } from '../ui/action.js';
import { CursorTable, RowsTable, type Column } from '../ui/cursor-table.js';
import { FilterBar, q } from '../ui/filter-bar.js';
import { TextField } from '../ui/form.js';
import { Badge, Fields, Time } from '../ui/format.js';
import { Empty, Show, useLoad } from '../ui/states.js';
import { PageLink } from '../ui/links.js';
import { href } from '../routing.js';

/** Rows per page of the outbox. */
export const notificationPageSize = 50;
/** How often a notification's page asks again (its delivery attempts go on while it is open). */
export const notificationRefreshMs = 3_000;

/** Every delivery attempt of a notification as the service recorded it, oldest first (a resend appends). */
function Attempts({ attempts }: { attempts: NotificationAttemptView[] }) {
  if (attempts.length === 0) return <Empty>Not attempted yet.</Empty>;
  return (
    <RowsTable
      caption="delivery attempts, oldest first"
      rows={attempts}
      rowKey={(a) => a.attempt}
      columns={[
        { header: 'Attempt', cell: (a) => a.attempt, num: true },
        { header: 'Time', cell: (a) => <Time ms={a.at_ms} /> },
        { header: 'HTTP status', cell: (a) => (a.http_status === null ? <span className="muted">no answer</span> : <Badge tone={a.http_status >= 200 && a.http_status < 300 && !a.error ? 'ok' : 'bad'}>{a.http_status}</Badge>), num: true },
        { header: 'Answer (excerpt)', cell: (a) => (a.answer_excerpt ? <code className="excerpt">{a.answer_excerpt}</code> : <span className="muted">—</span>) },
        { header: 'Error', cell: (a) => a.error || <span className="muted">none (delivered)</span> },
        { header: 'Duration', cell: (a) => `${a.duration_ms} ms`, num: true },
      ]}
    />
  );
}

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

function ResendFailed({ after, initialAppId }: { after: () => void; initialAppId: string }) {
  const { call } = useSession();
  const [appId, setAppId] = useState(initialAppId);
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
      {may('POST /notifications/resend-failed') ? <ResendFailed key={appId ?? ''} initialAppId={appId ?? ''} after={() => setRound((r) => r + 1)} /> : null}
    </section>
  );
}

export function NotificationPage({ params }: { params: Record<string, string> }) {
  const { call, may } = useSession();
  const id = Number(params.id);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  // Polled: a resent or pending notification's next attempt shows up without a reload.
  const loaded = useLoad(() => call('GET /notifications/:id', { params: { id } }), [id], notificationRefreshMs);
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
                ['Merchant', <a key="m" href={href('/notifications', { state: 'failed', app_id: n.app_id })}>{n.app_id} (its failed notifications)</a>],
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
            <h2>Delivery attempts</h2>
            <Attempts attempts={n.attempts_log} />
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
