/** Every deposit, filtered and paged by the server; one deposit with its chain position, timeline and the KYT decisions of a held one. */
import { useState } from 'react';
import type { CoinView, DepositDetail, DepositListItem } from '../../../server/src/contracts/operator.js';
import { DepositStatus, WithdrawStatus } from '../../../sdk/src/types/statuses.js';
import { useSession } from '../api/session.js';
import { Action, OutcomeLine, type Outcome } from '../ui/action.js';
import { Amount } from '../ui/amount.js';
import { Copyable } from '../ui/copy.js';
import { CursorTable, type Column } from '../ui/cursor-table.js';
import { FilterBar, dayStartMs, q, type FilterField } from '../ui/filter-bar.js';
import { Fields, Time, YesNo, depositStatusText, withdrawStatusText } from '../ui/format.js';
import { ExplorerLink, PageLink } from '../ui/links.js';
import { Show, useLoad } from '../ui/states.js';
import { Timeline } from '../ui/timeline.js';

/** Rows per page of the deposit and withdrawal lists. */
export const recordPageSize = 50;
/** How often a record list and a record's page ask again (ms): a deposit's confirmations and a withdrawal's payment show without a reload. */
export const recordRefreshMs = 5_000;

const dayMs = 86_400_000;

/** The filters both record lists share, as hash query parameters (dates are days, UTC; "to" includes its day). */
export const recordFilterFields: FilterField[] = [
  { name: 'app_id', label: 'Merchant (app id)' },
  { name: 'symbol', label: 'Coin' },
  { name: 'status', label: 'Status', placeholder: 'e.g. 0 or 1,5' },
  { name: 'from', label: 'From day', type: 'date' },
  { name: 'to', label: 'To day', type: 'date' },
  { name: 'address', label: 'Address' },
  { name: 'txid', label: 'Transaction id' },
];

/** The list query of the hash query's filters (request_id too where `withRequestId`). */
export function recordListQuery(query: URLSearchParams) {
  const to = dayStartMs(query.get('to'));
  return {
    app_id: q(query, 'app_id'),
    symbol: q(query, 'symbol'),
    status: q(query, 'status'),
    from_ms: dayStartMs(query.get('from')),
    to_ms: to === undefined ? undefined : to + dayMs,
    address: q(query, 'address'),
    txid: q(query, 'txid'),
  };
}

/** The transaction id with a copy button and the coin's explorer link. */
export function TxidField({ txid, coin }: { txid: string; coin: CoinView | undefined }) {
  if (!txid) return null;
  return (
    <span>
      <Copyable value={txid} label="transaction id" /> {coin ? <ExplorerLink explorer={coin.explorer} txid={txid} /> : null}
    </span>
  );
}

/** The coin of `symbol`, when the operator may read coins (for its explorer link). */
export async function coinOf(call: ReturnType<typeof useSession>['call'], may: ReturnType<typeof useSession>['may'], symbol: string): Promise<CoinView | undefined> {
  if (!may('GET /coins')) return undefined;
  const { coins } = await call('GET /coins').catch(() => ({ coins: [] as CoinView[] }));
  return coins.find((c) => c.symbol === symbol);
}

const heldDepositStatuses: number[] = [DepositStatus.AwaitingKyt, DepositStatus.KytManualReview, DepositStatus.CircuitBreakerReview];
const heldWithdrawalStatuses: number[] = [WithdrawStatus.AwaitingKyt, WithdrawStatus.KytManualReview];

/** Release or reject a record held by KYT screening, from its own page (the reviewer's buttons; nothing while it is not held). */
export function HeldDecisions({ side, id, status, amount, symbol, reload }: { side: 'deposit' | 'withdrawal'; id: number; status: number; amount: string; symbol: string; reload: () => void }) {
  const { call, may } = useSession();
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const held = (side === 'deposit' ? heldDepositStatuses : heldWithdrawalStatuses).includes(status);
  const text = (s: number) => (side === 'deposit' ? depositStatusText(s) : withdrawStatusText(s));
  const done = (v: { id: number; status: number }) => `Done: ${side} ${v.id} is now ${text(v.status)}.`;
  const release = side === 'deposit' ? 'POST /kyt/deposits/:id/release' : 'POST /kyt/withdrawals/:id/release';
  const reject = side === 'deposit' ? 'POST /kyt/deposits/:id/reject' : 'POST /kyt/withdrawals/:id/reject';
  if (!held) return <OutcomeLine outcome={outcome} />;
  return (
    <section aria-labelledby={`kyt-${side}-${id}`}>
      <h2 id={`kyt-${side}-${id}`}>KYT hold</h2>
      <OutcomeLine outcome={outcome} />
      <div className="actions">
        {may(release) ? (
          <Action
            label="Release"
            confirm={side === 'deposit' ? `Credit deposit ${id} of ${amount} ${symbol}?` : `Let withdrawal ${id} of ${amount} ${symbol} be paid?`}
            send={() => call(release, { params: { id }, body: {} })}
            done={done}
            after={reload}
            onOutcome={setOutcome}
          />
        ) : null}
        {may(reject) ? (
          <Action
            label="Reject"
            danger
            confirm={side === 'deposit' ? `Fail deposit ${id}? The funds stay in suspense.` : `Reject withdrawal ${id}? The funds go back to the user.`}
            reason={{ label: 'Reason', required: true }}
            send={(reason) => call(reject, { params: { id }, body: { reason } })}
            done={done}
            after={reload}
            onOutcome={setOutcome}
          />
        ) : null}
      </div>
    </section>
  );
}

const depositColumns: Array<Column<DepositListItem>> = [
  { header: 'Id', cell: (d) => <a href={`#/deposits/${d.id}`}>{`deposit ${d.id}`}</a> },
  { header: 'Seen', cell: (d) => <Time ms={d.created_at} /> },
  { header: 'Merchant', cell: (d) => d.app_id },
  { header: 'User', cell: (d) => <PageLink path={`/users/${d.uid}`}>{d.uid}</PageLink> },
  { header: 'Amount', cell: (d) => <Amount value={d.amount} symbol={d.symbol} />, num: true },
  { header: 'Deposit address', cell: (d) => <Copyable value={d.address_to} label={`deposit address of deposit ${d.id}`} /> },
  { header: 'Transaction', cell: (d) => <Copyable value={d.txid} label={`transaction of deposit ${d.id}`} /> },
  { header: 'Confirmations', cell: (d) => d.confirmations, num: true },
  { header: 'Status', cell: (d) => depositStatusText(d.status) },
  { header: 'KYT', cell: (d) => d.kyt_reason || <span className="muted">—</span> },
];

export function DepositsPage({ query }: { query: URLSearchParams }) {
  const { call } = useSession();
  const filters = recordListQuery(query);
  return (
    <section>
      <h1>Deposits</h1>
      <FilterBar path="/deposits" query={query} fields={recordFilterFields} />
      <CursorTable
        caption="deposits"
        columns={depositColumns}
        rowKey={(d) => d.id}
        deps={[query.toString()]}
        empty="No deposit matches."
        refreshMs={recordRefreshMs}
        load={async (cursor) => {
          const { deposits, next_cursor } = await call('GET /deposits', { query: { ...filters, limit: recordPageSize, ...(cursor ? { cursor } : {}) } });
          return { rows: deposits, next: next_cursor };
        }}
      />
    </section>
  );
}

export function DepositDetailView({ d, coin }: { d: DepositDetail; coin: CoinView | undefined }) {
  return (
    <Fields
      items={[
        ['Status', depositStatusText(d.status)],
        ['Merchant', <PageLink key="m" path={`/merchants/${d.app_id}`}>{d.app_id}</PageLink>],
        ['User', <PageLink key="u" path={`/users/${d.uid}`}>{d.uid}</PageLink>],
        ['Amount', <Amount key="a" value={d.amount} symbol={d.symbol} />],
        ['From', <Copyable key="from" value={d.address_from} label="sender address" />],
        ['Deposit address', <Copyable key="to" value={d.address_to} label="deposit address" />],
        ['Transaction', <TxidField key="tx" txid={d.txid} coin={coin} />],
        ['Log index', d.tx_index],
        ['Block', d.block_number ?? ''],
        ['Block hash', d.block_hash ? <Copyable key="bh" value={d.block_hash} label="block hash" /> : ''],
        ['Confirmations', d.confirmations],
        ['KYT', d.kyt_reason],
        ['To the collection account', <YesNo key="c" value={d.to_collection} />],
        ['From internal withdrawal', d.withdrawal_id === null ? '' : <PageLink key="w" path={`/withdrawals/${d.withdrawal_id}`}>{d.withdrawal_id}</PageLink>],
        ['Sweep', d.sweep_id ?? ''],
        ['Seen', <Time key="s" ms={d.created_at} />],
        ['Updated', <Time key="up" ms={d.updated_at} />],
      ]}
    />
  );
}

export function DepositPage({ params }: { params: Record<string, string> }) {
  const { call, may } = useSession();
  const id = Number(params.id);
  const loaded = useLoad(
    async () => {
      const [d, timeline] = await Promise.all([call('GET /deposits/:id', { params: { id } }), call('GET /deposits/:id/timeline', { params: { id } })]);
      return { d, timeline, coin: await coinOf(call, may, d.symbol) };
    },
    [id],
    recordRefreshMs,
  );
  return (
    <section>
      <h1>Deposit {params.id}</h1>
      <p>
        <a href="#/deposits">← Deposits</a>
      </p>
      <Show loaded={loaded} what={`deposit ${params.id}`}>
        {({ d, timeline, coin }) => (
          <>
            <DepositDetailView d={d} coin={coin} />
            <HeldDecisions side="deposit" id={d.id} status={d.status} amount={d.amount} symbol={d.symbol} reload={loaded.reload} />
            <h2>Timeline</h2>
            <Timeline events={timeline.events} label={`History of deposit ${d.id}`} />
          </>
        )}
      </Show>
    </section>
  );
}
