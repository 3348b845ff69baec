/** Deposits and withdrawals held by KYT screening, with release and reject. */
import { useState } from 'react';
import type { HeldRecords } from '../../../server/src/contracts/operator.js';
import { useSession } from '../api/session.js';
import { Action, OutcomeLine, type Outcome } from '../ui/action.js';
import { Amount } from '../ui/amount.js';
import { Copyable } from '../ui/copy.js';
import { CursorTable, type Column } from '../ui/cursor-table.js';
import { Time, depositStatusText, withdrawStatusText } from '../ui/format.js';
import { PageLink } from '../ui/links.js';

/** Rows per page of each side. */
export const heldPageSize = 50;

type HeldDeposit = HeldRecords['deposits'][number];
type HeldWithdrawal = HeldRecords['withdrawals'][number];

export function KytPage() {
  const { call, may } = useSession();
  const [round, setRound] = useState(0);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const again = () => setRound((r) => r + 1);
  const decided = (v: { id: number; status: number }, side: 'deposit' | 'withdrawal') =>
    `Done: ${side} ${v.id} is now ${side === 'deposit' ? depositStatusText(v.status) : withdrawStatusText(v.status)}.`;

  const depositColumns: Array<Column<HeldDeposit>> = [
    { header: 'Id', cell: (d) => d.id },
    { header: 'Seen', cell: (d) => <Time ms={d.created_at} /> },
    { header: 'Merchant', cell: (d) => d.app_id },
    { header: 'User', cell: (d) => <PageLink path={`/users/${d.uid}`}>{d.uid}</PageLink> },
    { header: 'Amount', cell: (d) => <Amount value={d.amount} symbol={d.symbol} />, num: true },
    { header: 'From', cell: (d) => <Copyable value={d.address_from} label={`sender of deposit ${d.id}`} /> },
    { header: 'Transaction', cell: (d) => <Copyable value={d.txid} label={`transaction of deposit ${d.id}`} /> },
    { header: 'Status', cell: (d) => depositStatusText(d.status) },
    { header: 'Why held', cell: (d) => d.review_reason || <span className="muted">—</span> },
    {
      header: 'Decide',
      cell: (d) => (
        <div className="row-actions">
          {may('POST /kyt/deposits/:id/release') ? (
            <Action label="Release" confirm={`Credit deposit ${d.id} of ${d.amount} ${d.symbol} to user ${d.uid}?`} send={() => call('POST /kyt/deposits/:id/release', { params: { id: d.id }, body: {} })} done={(v) => decided(v, 'deposit')} after={again}
              onOutcome={setOutcome} />
          ) : null}
          {may('POST /kyt/deposits/:id/reject') ? (
            <Action
              label="Reject"
              danger
              confirm={`Fail deposit ${d.id}? The funds stay in suspense.`}
              reason={{ label: 'Reason', required: true }}
              send={(reason) => call('POST /kyt/deposits/:id/reject', { params: { id: d.id }, body: { reason } })}
              done={(v) => decided(v, 'deposit')}
              after={again}
              onOutcome={setOutcome}
            />
          ) : null}
        </div>
      ),
    },
  ];

  const withdrawalColumns: Array<Column<HeldWithdrawal>> = [
    { header: 'Id', cell: (w) => <PageLink path={`/withdrawals/${w.id}`}>{w.id}</PageLink> },
    { header: 'Requested', cell: (w) => <Time ms={w.created_at} /> },
    { header: 'Merchant', cell: (w) => w.app_id },
    { header: 'User', cell: (w) => <PageLink path={`/users/${w.uid}`}>{w.uid}</PageLink> },
    { header: 'Amount', cell: (w) => <Amount value={w.amount} symbol={w.symbol} />, num: true },
    { header: 'To', cell: (w) => <Copyable value={w.address_to} label={`destination of withdrawal ${w.id}`} /> },
    { header: 'Status', cell: (w) => withdrawStatusText(w.status) },
    { header: 'Why held', cell: (w) => [w.kyt_reason, w.review_reason].filter(Boolean).join('; ') || <span className="muted">—</span> },
    {
      header: 'Decide',
      cell: (w) => (
        <div className="row-actions">
          {may('POST /kyt/withdrawals/:id/release') ? (
            <Action label="Release" confirm={`Let withdrawal ${w.id} of ${w.amount} ${w.symbol} be paid?`} send={() => call('POST /kyt/withdrawals/:id/release', { params: { id: w.id }, body: {} })} done={(v) => decided(v, 'withdrawal')} after={again}
              onOutcome={setOutcome} />
          ) : null}
          {may('POST /kyt/withdrawals/:id/reject') ? (
            <Action
              label="Reject"
              danger
              confirm={`Reject withdrawal ${w.id}? The funds go back to the user.`}
              reason={{ label: 'Reason', required: true }}
              send={(reason) => call('POST /kyt/withdrawals/:id/reject', { params: { id: w.id }, body: { reason } })}
              done={(v) => decided(v, 'withdrawal')}
              after={again}
              onOutcome={setOutcome}
            />
          ) : null}
        </div>
      ),
    },
  ];

  return (
    <section>
      <h1>KYT holds</h1>
      <OutcomeLine outcome={outcome} />
      <h2>Deposits</h2>
      <CursorTable
        caption="held deposits"
        columns={depositColumns}
        rowKey={(d) => d.id}
        deps={[round]}
        empty="No deposit is held."
        load={async (cursor) => {
          const { deposits } = await call('GET /kyt', { query: { side: 'deposit', limit: heldPageSize, ...(cursor ? { after_id: Number(cursor) } : {}) } });
          return { rows: deposits, next: deposits.length === heldPageSize ? String(deposits[deposits.length - 1]!.id) : null };
        }}
      />
      <h2>Withdrawals</h2>
      <CursorTable
        caption="held withdrawals"
        columns={withdrawalColumns}
        rowKey={(w) => w.id}
        deps={[round]}
        empty="No withdrawal is held."
        load={async (cursor) => {
          const { withdrawals } = await call('GET /kyt', { query: { side: 'withdrawal', limit: heldPageSize, ...(cursor ? { after_id: Number(cursor) } : {}) } });
          return { rows: withdrawals, next: withdrawals.length === heldPageSize ? String(withdrawals[withdrawals.length - 1]!.id) : null };
        }}
      />
    </section>
  );
}
