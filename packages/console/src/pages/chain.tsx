/** The chains: scanner and wallet status, outgoing transactions, collection sweeps and operator alerts. */
import { useState } from 'react';
import type { AlertView, ChainTxView, CoinView, SweepView } from '../../../server/src/contracts/operator.js';
import { chainTxPurposes, chainTxStates, sweepStates } from '../../../server/src/contracts/operator.js';
import { useSession } from '../api/session.js';
import { Action } from '../ui/action.js';
import { Amount } from '../ui/amount.js';
import { Copyable } from '../ui/copy.js';
import { CursorTable, RowsTable, type Column } from '../ui/cursor-table.js';
import { FilterBar, q } from '../ui/filter-bar.js';
import { scaleUnits } from '../ui/form.js';
import { Badge, Time } from '../ui/format.js';
import { ExplorerLink, PageLink } from '../ui/links.js';
import { Empty, Show, useLoad } from '../ui/states.js';
import { ChainCard, overviewRefreshMs } from './overview.js';
import { href } from '../routing.js';

/** Rows per page of transactions and sweeps. */
export const chainPageSize = 50;

export function ChainsPage() {
  const { call } = useSession();
  const loaded = useLoad(() => call('GET /chains'), [], overviewRefreshMs);
  return (
    <section>
      <h1>Chains</h1>
      <p>
        <PageLink path="/chain-txs">Outgoing transactions</PageLink> · <PageLink path="/sweeps">Sweeps</PageLink> · <PageLink path="/alerts">Alerts</PageLink>
      </p>
      <h2>Scanners and wallets</h2>
      <Show loaded={loaded} what="chains">
        {({ chains }) => (chains.length === 0 ? <Empty>No chain is configured.</Empty> : <div className="cards">{chains.map((c) => <ChainCard key={c.chain} chain={c} />)}</div>)}
      </Show>
    </section>
  );
}

/** The coins, for amounts in base units (a transaction's or sweep's) and explorer links; empty when the operator may not list them. */
function useCoins(): CoinView[] {
  const { call, may } = useSession();
  const loaded = useLoad(async () => (may('GET /coins') ? (await call('GET /coins')).coins : []), []);
  return loaded.state === 'ready' ? loaded.data : [];
}

/** Base units of a coin as its amount; the bare units when the coin is not known. */
function Units({ units, coin }: { units: string; coin: CoinView | undefined }) {
  if (!coin) return <span>{units} <span className="muted">base units</span></span>;
  return <Amount value={scaleUnits(units, coin.decimals)} symbol={coin.symbol} />;
}

const txTone = (s: ChainTxView['state']) => (s === 'confirmed' || s === 'mined' ? 'ok' : s === 'reverted' || s === 'dropped' ? 'bad' : 'plain');

export function ChainTxsPage({ query }: { query: URLSearchParams }) {
  const { call } = useSession();
  const coins = useCoins();
  const filter = { chain: q(query, 'chain'), purpose: q(query, 'purpose') as ChainTxView['purpose'] | undefined, state: q(query, 'state') as ChainTxView['state'] | undefined, ref_id: q(query, 'ref_id') };
  const coinOf = (t: ChainTxView) => coins.find((c) => c.chain === t.chain && c.contract_address.toLowerCase() === t.token.toLowerCase());
  const baseOf = (t: ChainTxView) => coins.find((c) => c.chain === t.chain && c.contract_address === '');
  const columns: Array<Column<ChainTxView>> = [
    { header: 'Id', cell: (t) => t.id },
    { header: 'Chain', cell: (t) => t.chain },
    { header: 'For', cell: (t) => (t.purpose === 'withdrawal' ? <PageLink path={`/withdrawals/${t.ref_id}`}>withdrawal {t.ref_id}</PageLink> : `${t.purpose} ${t.ref_id}`) },
    { header: 'State', cell: (t) => <Badge tone={txTone(t.state)}>{t.state}</Badge> },
    { header: 'Value', cell: (t) => <Units units={t.value} coin={coinOf(t)} />, num: true },
    { header: 'Fee', cell: (t) => <Units units={t.fee} coin={baseOf(t)} />, num: true },
    { header: 'To', cell: (t) => <Copyable value={t.to} label={`recipient of transaction ${t.id}`} /> },
    {
      header: 'Hash',
      cell: (t) => (
        <span>
          <Copyable value={t.hash} label={`hash of transaction ${t.id}`} /> {baseOf(t) ? <ExplorerLink explorer={baseOf(t)!.explorer} txid={t.hash} /> : null}
        </span>
      ),
    },
    { header: 'Nonce', cell: (t) => t.sequence, num: true },
    { header: 'Block', cell: (t) => t.block_number ?? '—', num: true },
    { header: 'Broadcasts', cell: (t) => t.broadcasts, num: true },
    { header: 'Last error', cell: (t) => t.last_error || <span className="muted">—</span> },
    { header: 'Updated', cell: (t) => <Time ms={t.updated_at} /> },
  ];
  return (
    <section>
      <h1>Outgoing transactions</h1>
      <FilterBar
        path="/chain-txs"
        query={query}
        fields={[
          { name: 'chain', label: 'Chain', placeholder: 'evm:1' },
          { name: 'purpose', label: 'For', type: 'select', options: chainTxPurposes },
          { name: 'state', label: 'State', type: 'select', options: chainTxStates },
          { name: 'ref_id', label: 'Record id', type: 'number' },
        ]}
      />
      <CursorTable
        caption="outgoing transactions, newest first"
        columns={columns}
        rowKey={(t) => t.id}
        deps={[filter]}
        empty="No transaction matches."
        load={async (cursor) => {
          const { transactions } = await call('GET /chain-txs', {
            query: {
              limit: chainPageSize,
              ...(filter.chain ? { chain: filter.chain } : {}),
              ...(filter.purpose ? { purpose: filter.purpose } : {}),
              ...(filter.state ? { state: filter.state } : {}),
              ...(filter.ref_id ? { ref_id: Number(filter.ref_id) } : {}),
              ...(cursor ? { before_id: Number(cursor) } : {}),
            },
          });
          return { rows: transactions, next: transactions.length === chainPageSize ? String(transactions[transactions.length - 1]!.id) : null };
        }}
      />
    </section>
  );
}

export function SweepsPage({ query }: { query: URLSearchParams }) {
  const { call, may } = useSession();
  const coins = useCoins();
  const [round, setRound] = useState(0);
  const filter = { chain: q(query, 'chain'), state: q(query, 'state') as SweepView['state'] | undefined };
  const columns: Array<Column<SweepView>> = [
    { header: 'Id', cell: (s) => s.id },
    { header: 'Chain', cell: (s) => s.chain },
    { header: 'State', cell: (s) => <Badge tone={s.state === 'done' ? 'ok' : s.state === 'failed' ? 'bad' : 'plain'}>{s.state}</Badge> },
    { header: 'Amount', cell: (s) => <Units units={s.amount} coin={coins.find((c) => c.id === s.coin_id)} />, num: true },
    { header: 'From address', cell: (s) => <Copyable value={s.address} label={`address of sweep ${s.id}`} /> },
    { header: 'Transactions', cell: (s) => [s.topup_tx_id ? `top-up ${s.topup_tx_id}` : '', s.sweep_tx_id ? `sweep ${s.sweep_tx_id}` : ''].filter(Boolean).join(', ') || <span className="muted">—</span> },
    { header: 'Attempts', cell: (s) => s.attempts, num: true },
    { header: 'Last error', cell: (s) => s.last_error || <span className="muted">—</span> },
    { header: 'Updated', cell: (s) => <Time ms={s.updated_at} /> },
    {
      header: 'Retry',
      cell: (s) =>
        s.state === 'failed' && may('POST /sweeps/:id/retry') ? (
          <Action label="Retry" confirm={`Start sweep ${s.id} again?`} send={() => call('POST /sweeps/:id/retry', { params: { id: s.id } })} done={(v) => `Sweep ${v.id} is ${v.state}.`} after={() => setRound((r) => r + 1)} />
        ) : null,
    },
  ];
  return (
    <section>
      <h1>Sweeps</h1>
      <FilterBar
        path="/sweeps"
        query={query}
        fields={[
          { name: 'chain', label: 'Chain', placeholder: 'evm:1' },
          { name: 'state', label: 'State', type: 'select', options: sweepStates },
        ]}
      />
      <CursorTable
        caption="collection sweeps, newest first"
        columns={columns}
        rowKey={(s) => s.id}
        deps={[filter, round]}
        empty="No sweep matches."
        load={async (cursor) => {
          const { sweeps } = await call('GET /sweeps', {
            query: { limit: chainPageSize, ...(filter.chain ? { chain: filter.chain } : {}), ...(filter.state ? { state: filter.state } : {}), ...(cursor ? { before_id: Number(cursor) } : {}) },
          });
          return { rows: sweeps, next: sweeps.length === chainPageSize ? String(sweeps[sweeps.length - 1]!.id) : null };
        }}
      />
    </section>
  );
}

export function AlertsPage({ query }: { query: URLSearchParams }) {
  const { call, may } = useSession();
  const all = query.get('all') === '1';
  const loaded = useLoad(() => call('GET /alerts', { query: all ? { all: '1' } : {} }), [all], overviewRefreshMs);
  const columns: Array<Column<AlertView>> = [
    { header: 'Kind', cell: (a) => <Badge tone={a.resolved_at ? 'plain' : 'warn'}>{a.kind}</Badge> },
    { header: 'Message', cell: (a) => a.message },
    { header: 'Times', cell: (a) => a.count, num: true },
    { header: 'First', cell: (a) => <Time ms={a.created_at} /> },
    { header: 'Last', cell: (a) => <Time ms={a.updated_at} /> },
    { header: 'Resolved', cell: (a) => <Time ms={a.resolved_at} /> },
    {
      header: 'Resolve',
      cell: (a) =>
        !a.resolved_at && may('POST /alerts/:id/resolve') ? (
          <Action label="Resolve" confirm={`Close alert "${a.message}" by hand? It opens again if the cause is still there.`} send={() => call('POST /alerts/:id/resolve', { params: { id: a.id } })} done={() => 'Resolved.'} after={loaded.reload} />
        ) : null,
    },
  ];
  return (
    <section>
      <h1>Alerts</h1>
      <p>
        {all ? <a href={href('/alerts')}>Show open alerts only</a> : <a href={href('/alerts', { all: '1' })}>Show resolved alerts too</a>}
      </p>
      <Show loaded={loaded} what="alerts">
        {({ alerts }) => (alerts.length === 0 ? <Empty>{all ? 'No alert has been raised.' : 'No open alerts.'}</Empty> : <RowsTable caption="alerts" columns={columns} rows={alerts} rowKey={(a) => a.id} />)}
      </Show>
    </section>
  );
}
