/** Withdrawals waiting for review, and one withdrawal with its quorum, chain transaction and the decisions a reviewer takes. */
import type { CoinView, ReviewItem, WithdrawalView } from '../../../server/src/contracts/operator.js';
import { useSession } from '../api/session.js';
import { useState } from 'react';
import { Action, OutcomeLine, type Outcome } from '../ui/action.js';
import { Amount } from '../ui/amount.js';
import { Copyable } from '../ui/copy.js';
import { CursorTable, type Column } from '../ui/cursor-table.js';
import { Fields, Time, auditStatusText, withdrawStatusText } from '../ui/format.js';
import { ExplorerLink, PageLink } from '../ui/links.js';
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

export function ReviewQueuePage() {
  const { call } = useSession();
  return (
    <section>
      <h1>Withdrawals in review</h1>
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

export function WithdrawalDetail({ w, coin, reload }: { w: WithdrawalView; coin: CoinView | undefined; reload: () => void }) {
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
          [
            'Transaction',
            w.txid ? (
              <span key="tx">
                <Copyable value={w.txid} label="transaction id" /> {coin ? <ExplorerLink explorer={coin.explorer} txid={w.txid} /> : null}
              </span>
            ) : (
              ''
            ),
          ],
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
      <Quorum required={w.approvals_required} given={w.approvals_given} decisions={w.decisions} />
      <h2>Decide</h2>
      <Decisions w={w} reload={reload} />
    </>
  );
}

export function WithdrawalPage({ params }: { params: Record<string, string> }) {
  const { call, may } = useSession();
  const id = Number(params.id);
  const loaded = useLoad(async () => {
    const w = await call('GET /withdrawals/:id', { params: { id } });
    const coins = may('GET /coins') ? (await call('GET /coins').catch(() => ({ coins: [] as CoinView[] }))).coins : [];
    return { w, coin: coins.find((c) => c.symbol === w.symbol) };
  }, [id]);
  return (
    <section>
      <h1>Withdrawal {params.id}</h1>
      <p>
        <a href="#/withdrawals">← Withdrawals in review</a>
      </p>
      <Show loaded={loaded} what={`withdrawal ${params.id}`}>
        {({ w, coin }) => <WithdrawalDetail w={w} coin={coin} reload={loaded.reload} />}
      </Show>
    </section>
  );
}
