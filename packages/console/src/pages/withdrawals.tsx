/**
 * Every withdrawal, filtered and paged by the server; those waiting for review; and one
 * withdrawal with its quorum, chain transaction, timeline and the decisions a reviewer takes.
 */
import type { CoinView, ReviewItem, WithdrawalListItem, WithdrawalTimeline, WithdrawalView } from '../../../server/src/contracts/operator.js';
import { useSession } from '../api/session.js';
import { useState } from 'react';
import { Action, OutcomeLine, type Outcome } from '../ui/action.js';
import { Amount } from '../ui/amount.js';
import { Copyable } from '../ui/copy.js';
import { CursorTable, type Column } from '../ui/cursor-table.js';
import { Fields, Time, auditStatusText, withdrawStatusText } from '../ui/format.js';
import { PageLink } from '../ui/links.js';
import { FilterBar, q } from '../ui/filter-bar.js';
import { Timeline } from '../ui/timeline.js';
import { HeldDecisions, TxidField, coinOf, recordFilterFields, recordListQuery, recordPageSize, recordRefreshMs } from './deposits.js';
import { Quorum } from '../ui/quorum.js';
import { Show, useLoad } from '../ui/states.js';
import { WithdrawStatus } from '../../../sdk/src/types/statuses.js';

/** Rows per page of the review queue. */
export const reviewPageSize = 50;

const reviewColumns: Array<Column<ReviewItem>> = [
  { header: 'Id', cell: (w) => <a href={`#/withdrawals/${w.id}`}>{w.id}</a> },
  { header: 'Requested', cell: (w) => <Time ms={w.created_at} /> },
  { header: 'Merchant', cell: (w) => w.app_id },
  { header: 'User', cell: (w) => <PageLink path={`/users/${w.uid}`}>{w.uid}</PageLink> },
  { header: 'Amount', cell: (w) => <Amount value={w.amount} symbol={w.symbol} />, num: true },
  { header: 'To', cell: (w) => <Copyable value={w.address_to} label={`destination of withdrawal ${w.id}`} /> },
  { header: 'Why in review', cell: (w) => w.review_reason || <span className="muted">—</span> },
  { header: 'Approvals', cell: (w) => `${w.approvals_given} of ${w.approvals_required}`, num: true },
];

const listColumns: Array<Column<WithdrawalListItem>> = [
  { header: 'Id', cell: (w) => <a href={`#/withdrawals/${w.id}`}>{`withdrawal ${w.id}`}</a> },
  { header: 'Requested', cell: (w) => <Time ms={w.created_at} /> },
  { header: 'Merchant', cell: (w) => w.app_id },
  { header: 'Request id', cell: (w) => <code>{w.request_id}</code> },
  { header: 'User', cell: (w) => <PageLink path={`/users/${w.uid}`}>{w.uid}</PageLink> },
  { header: 'Amount', cell: (w) => <Amount value={w.amount} symbol={w.symbol} />, num: true },
  { header: 'To', cell: (w) => <Copyable value={w.address_to} label={`destination of withdrawal ${w.id}`} /> },
  { header: 'Transaction', cell: (w) => (w.txid ? <Copyable value={w.txid} label={`transaction of withdrawal ${w.id}`} /> : <span className="muted">—</span>) },
  { header: 'Status', cell: (w) => withdrawStatusText(w.status) },
];

/** The record filters with the merchant's request id (a function: deposits.js and this module import each other through the registry). */
const withdrawalFilterFields = () => [...recordFilterFields.slice(0, 5), { name: 'request_id', label: 'Request id' }, ...recordFilterFields.slice(5)];

export function WithdrawalsPage({ query }: { query: URLSearchParams }) {
  const { call, may } = useSession();
  const filters = { ...recordListQuery(query), request_id: q(query, 'request_id') };
  return (
    <section>
      <h1>Withdrawals</h1>
      {may('GET /withdrawals/review') ? (
        <p>
          <a href="#/withdrawals/review">Waiting for review →</a>
        </p>
      ) : null}
      <FilterBar path="/withdrawals" query={query} fields={withdrawalFilterFields()} />
      <CursorTable
        caption="withdrawals"
        columns={listColumns}
        rowKey={(w) => w.id}
        deps={[query.toString()]}
        empty="No withdrawal matches."
        refreshMs={recordRefreshMs}
        load={async (cursor) => {
          const { withdrawals, next_cursor } = await call('GET /withdrawals', { query: { ...filters, limit: recordPageSize, ...(cursor ? { cursor } : {}) } });
          return { rows: withdrawals, next: next_cursor };
        }}
      />
    </section>
  );
}

export function ReviewQueuePage() {
  const { call } = useSession();
  return (
    <section>
      <h1>Withdrawals in review</h1>
      <p>
        <a href="#/withdrawals">← All withdrawals</a>
      </p>
      <CursorTable
        caption="withdrawals in review"
        columns={reviewColumns}
        rowKey={(w) => w.id}
        empty="No withdrawal waits for review."
        refreshMs={10_000}
        load={async (cursor) => {
          const { withdrawals } = await call('GET /withdrawals/review', { query: { limit: reviewPageSize, ...(cursor ? { after_id: Number(cursor) } : {}) } });
          return { rows: withdrawals, next: withdrawals.length === reviewPageSize ? String(withdrawals[withdrawals.length - 1]!.id) : null };
        }}
      />
    </section>
  );
}

function Decisions({ w, reload }: { w: WithdrawalView; reload: () => void }) {
  const { call, may } = useSession();
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const open = w.status === WithdrawStatus.Review;
  if (!open)
    return (
      <>
        <OutcomeLine outcome={outcome} />
        <p className="muted">No decision is open: the withdrawal is {withdrawStatusText(w.status)}.</p>
      </>
    );
  const done = (v: WithdrawalView) => `Done: withdrawal ${v.id} is now ${withdrawStatusText(v.status)} (${v.approvals_given} of ${v.approvals_required} approvals).`;
  const params = { id: w.id };
  return (
    <div className="actions">
      <OutcomeLine outcome={outcome} />
      {may('POST /withdrawals/:id/approve') ? (
        <>
          <Action label="Approve for the platform" confirm={`Approve withdrawal ${w.id} of ${w.amount} ${w.symbol} for the platform?`} send={() => call('POST /withdrawals/:id/approve', { params, body: { by: 'saas' } })} done={done} after={reload} onOutcome={setOutcome} />
          <Action label="Approve for the merchant" confirm={`Approve withdrawal ${w.id} of ${w.amount} ${w.symbol} on the merchant's side?`} send={() => call('POST /withdrawals/:id/approve', { params, body: { by: 'company' } })} done={done} after={reload} onOutcome={setOutcome} />
        </>
      ) : null}
      {may('POST /withdrawals/:id/reject') ? (
        <Action
          label="Reject"
          danger
          confirm={`Reject withdrawal ${w.id}? The funds go back to the user.`}
          reason={{ label: 'Reason', required: true }}
          send={(reason) => call('POST /withdrawals/:id/reject', { params, body: { by: 'saas', reason } })}
          done={done}
          after={reload}
          onOutcome={setOutcome}
        />
      ) : null}
      {may('POST /withdrawals/:id/cancel') ? (
        <Action label="Cancel" danger confirm={`Cancel withdrawal ${w.id} before payment? The funds go back to the user.`} send={() => call('POST /withdrawals/:id/cancel', { params })} done={done} after={reload} onOutcome={setOutcome} />
      ) : null}
    </div>
  );
}

export function WithdrawalDetail({ w, coin, timeline, reload }: { w: WithdrawalView; coin: CoinView | undefined; timeline: WithdrawalTimeline; reload: () => void }) {
  return (
    <>
      <Fields
        items={[
          ['Status', withdrawStatusText(w.status)],
          ['Request id', <code key="r">{w.request_id}</code>],
          ['User', <PageLink key="u" path={`/users/${w.uid}`}>{w.uid}</PageLink>],
          ['Amount', <Amount key="a" value={w.amount} symbol={w.symbol} />],
          ['Withdrawal fee', <Amount key="f" value={w.withdraw_fee} symbol={w.withdraw_fee_symbol} />],
          ['Miner fee paid', <Amount key="m" value={w.real_fee} symbol={w.fee_symbol} />],
          ['From', <Copyable key="from" value={w.address_from} label="source address" />],
          ['To', <Copyable key="to" value={w.address_to} label="destination address" />],
          ['Transaction', <TxidField key="tx" txid={w.txid} coin={coin} />],
          ['Confirmations', w.confirmations],
          ['Platform audit', auditStatusText(w.saas_status)],
          ['Merchant audit', auditStatusText(w.company_status)],
          ['Kind', w.withdraw_type === 2 ? 'internal (no chain transaction)' : 'on chain'],
          ['Why in review', w.review_reason],
          ['Requested', <Time key="c" ms={w.created_at} />],
          ['Updated', <Time key="u2" ms={w.updated_at} />],
        ]}
      />
      {w.policy_hits.length ? (
        <>
          <h2>Spending rules it broke</h2>
          <ul>
            {w.policy_hits.map((h, i) => (
              <li key={i}>
                {h.rule === 'velocity'
                  ? `${h.policy} ${h.scope} velocity limit over ${h.window_s} s: ${h.amount_before} ${w.symbol} in ${h.count_before} before, this ${h.amount} ${w.symbol} (max ${h.max_amount} ${w.symbol} / ${h.max_count} withdrawals)`
                  : h.rule === 'allowlist'
                    ? `destination ${h.address} is not on the merchant's allowlist (${h.chain})`
                    : `first payment to ${h.address}: cool-down of ${h.cooldown_s} s until `}
                {h.rule === 'cooldown' ? <Time ms={h.ends_at} /> : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <h2>Approval</h2>
      <Quorum required={timeline.quorum.approvals_required} given={timeline.quorum.approvals_given} decisions={w.decisions} />
      <h2>Decide</h2>
      <Decisions w={w} reload={reload} />
      <HeldDecisions side="withdrawal" id={w.id} status={w.status} amount={w.amount} symbol={w.symbol} reload={reload} />
      <h2>Timeline</h2>
      <Timeline events={timeline.events} label={`History of withdrawal ${w.id}`} />
    </>
  );
}

export function WithdrawalPage({ params }: { params: Record<string, string> }) {
  const { call, may } = useSession();
  const id = Number(params.id);
  const loaded = useLoad(
    async () => {
      const [w, timeline] = await Promise.all([call('GET /withdrawals/:id', { params: { id } }), call('GET /withdrawals/:id/timeline', { params: { id } })]);
      return { w, timeline, coin: await coinOf(call, may, w.symbol) };
    },
    [id],
    recordRefreshMs,
  );
  return (
    <section>
      <h1>Withdrawal {params.id}</h1>
      <p>
        <a href="#/withdrawals">← Withdrawals</a>
      </p>
      <Show loaded={loaded} what={`withdrawal ${params.id}`}>
        {({ w, coin, timeline }) => <WithdrawalDetail w={w} coin={coin} timeline={timeline} reload={loaded.reload} />}
      </Show>
    </section>
  );
}
