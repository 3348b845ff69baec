/** Audits: the ledger audit, the ledger against the chains, the operator audit trail and its hash-chain verification. */
import { useState } from 'react';
import type { AuditEntryView, ChainAuditView, LedgerAuditView, OperatorAuditVerdict } from '../../../server/src/contracts/operator.js';
import { auditOutcomes } from '../../../server/src/contracts/operator.js';
import { OperatorApiError } from '../api/client.js';
import { useSession } from '../api/session.js';
import { CursorTable, RowsTable, type Column } from '../ui/cursor-table.js';
import { FilterBar, dayStartMs, q } from '../ui/filter-bar.js';
import { Badge, Json, Time } from '../ui/format.js';
import { Empty, useLoad } from '../ui/states.js';
import { Amount } from '../ui/amount.js';
import { scaleUnits } from '../ui/form.js';
import { PageLink } from '../ui/links.js';

/** Runs a read-only check on a button press and shows its verdict (or why it could not run). */
function useRun<T>(run: () => Promise<T>) {
  const [state, setState] = useState<{ busy: boolean; result?: T; error?: string }>({ busy: false });
  return {
    ...state,
    start: async () => {
      setState({ busy: true });
      try {
        setState({ busy: false, result: await run() });
      } catch (e) {
        setState({ busy: false, error: `${e instanceof OperatorApiError ? `(${e.code}) ` : ''}${(e as Error).message}` });
      }
    },
  };
}

function Verdict({ ok, good, bad }: { ok: boolean; good: string; bad: string }) {
  return <p role="status">{ok ? <Badge tone="ok">{good}</Badge> : <Badge tone="bad">{bad}</Badge>}</p>;
}

function LedgerAudit() {
  const { call } = useSession();
  const run = useRun<LedgerAuditView>(() => call('POST /audit'));
  return (
    <section aria-labelledby="ledger-audit" className="card">
      <h2 id="ledger-audit">Ledger audit</h2>
      <p>Every journal balances, every account equals the sum of its entries, no account is negative where it must not be.</p>
      <button type="button" className="primary" onClick={() => void run.start()} disabled={run.busy}>
        {run.busy ? 'Auditing…' : 'Run the ledger audit'}
      </button>
      {run.error ? <p role="alert">Could not run it: {run.error}</p> : null}
      {run.result ? (
        <>
          <Verdict ok={run.result.ok} good="No finding" bad={`${run.result.findings.length} finding(s)`} />
          <p>
            {run.result.journals} journals, {run.result.entries} entries, {run.result.accounts} accounts read.
          </p>
          {run.result.findings.length ? (
            <RowsTable
              caption="ledger audit findings"
              rows={run.result.findings}
              rowKey={(f) => `${f.kind} ${f.detail}`}
              columns={[
                { header: 'Kind', cell: (f) => f.kind },
                { header: 'Detail', cell: (f) => f.detail },
              ]}
            />
          ) : null}
        </>
      ) : null}
    </section>
  );
}

function ChainAudit() {
  const { call, may } = useSession();
  const run = useRun<ChainAuditView>(() => call('GET /chains/audit'));
  const coins = useLoad(async () => (may('GET /coins') ? (await call('GET /coins')).coins : []), []);
  const decimalsOf = (symbol: string) => (coins.state === 'ready' ? coins.data.find((c) => c.symbol === symbol)?.decimals : undefined);
  const units = (value: string, symbol: string) => {
    const decimals = decimalsOf(symbol);
    return decimals === undefined ? <code>{value}</code> : <Amount value={scaleUnits(value, decimals)} symbol={symbol} />;
  };
  return (
    <section aria-labelledby="chain-audit" className="card">
      <h2 id="chain-audit">Ledger against the chains</h2>
      <p>What our addresses hold on chain against what the ledger says, at each scanner's block.</p>
      <button type="button" className="primary" onClick={() => void run.start()} disabled={run.busy}>
        {run.busy ? 'Reading the chains…' : 'Run the chain audit'}
      </button>
      {run.error ? <p role="alert">Could not run it: {run.error}</p> : null}
      {run.result ? (
        <>
          <Verdict ok={run.result.ok} good="Ledger and chains agree" bad={`${run.result.findings.length} mismatch(es)`} />
          {run.result.findings.length ? (
            <ul>
              {run.result.findings.map((f, i) => (
                <li key={i}>{f.detail}</li>
              ))}
            </ul>
          ) : null}
          {run.result.lines.length === 0 ? (
            <Empty>No coin to compare.</Empty>
          ) : (
            <RowsTable
              caption="chain audit per coin"
              rows={run.result.lines}
              rowKey={(l) => `${l.chain} ${l.symbol}`}
              columns={[
                { header: 'Chain', cell: (l) => l.chain },
                { header: 'Coin', cell: (l) => [l.symbol, ...(l.alsoSymbols ?? [])].join(', ') },
                { header: 'Status', cell: (l) => <Badge tone={l.status === 'ok' ? 'ok' : l.status === 'mismatch' ? 'bad' : 'plain'}>{l.status}</Badge> },
                { header: 'Block', cell: (l) => l.block, num: true },
                { header: 'Addresses', cell: (l) => l.addresses, num: true },
                { header: 'On chain', cell: (l) => units(l.holdings, l.symbol), num: true },
                { header: 'Ledger', cell: (l) => units(l.expected, l.symbol), num: true },
                { header: 'Detail', cell: (l) => l.detail ?? '' },
              ]}
            />
          )}
        </>
      ) : null}
    </section>
  );
}

export function AuditPage() {
  return (
    <section>
      <h1>Audit</h1>
      <p>
        <PageLink path="/audit/operators">Operator audit trail</PageLink>
      </p>
      <LedgerAudit />
      <ChainAudit />
    </section>
  );
}

/** Entries per page of the trail. */
export const auditPageSize = 50;

const entryColumns: Array<Column<AuditEntryView>> = [
  { header: 'Id', cell: (e) => e.id, num: true },
  { header: 'At', cell: (e) => <Time ms={e.at} /> },
  { header: 'Operator', cell: (e) => `${e.operator_name} (${e.operator_id})` },
  { header: 'Action', cell: (e) => <code>{e.action}</code> },
  { header: 'Target', cell: (e) => <code>{e.target}</code> },
  { header: 'Outcome', cell: (e) => <Badge tone={e.outcome === 'done' ? 'ok' : e.outcome === 'failed' ? 'bad' : 'warn'}>{e.outcome + (e.error_code ? ` (${e.error_code})` : '')}</Badge> },
  { header: 'From IP', cell: (e) => e.source_ip },
  {
    header: 'Change',
    cell: (e) =>
      e.before === null && e.after === null ? (
        <span className="muted">—</span>
      ) : (
        <details>
          <summary>Before and after</summary>
          <Json value={{ before: e.before, after: e.after }} />
        </details>
      ),
  },
];

function VerifyTrail() {
  const { call } = useSession();
  const run = useRun<OperatorAuditVerdict>(() => call('GET /audit/operators/verify'));
  return (
    <section aria-labelledby="verify-trail" className="card">
      <h2 id="verify-trail">Hash-chain verification</h2>
      <button type="button" className="primary" onClick={() => void run.start()} disabled={run.busy}>
        {run.busy ? 'Verifying…' : 'Verify the trail'}
      </button>
      {run.error ? <p role="alert">Could not verify: {run.error}</p> : null}
      {run.result ? (
        <>
          <Verdict ok={run.result.ok} good={`Intact: ${run.result.entries} entries`} bad="Broken" />
          <p>
            Head names entry {run.result.head.id} (<code>{run.result.head.hash}</code>).
          </p>
          {run.result.broken ? (
            <p className="error-text">
              First broken entry {run.result.broken.id} ({run.result.broken.kind}): {run.result.broken.detail}. {run.result.entries} entries before it check out.
            </p>
          ) : null}
        </>
      ) : null}
    </section>
  );
}

export function OperatorAuditPage({ query }: { query: URLSearchParams }) {
  const { call } = useSession();
  const to = dayStartMs(q(query, 'to') ?? null);
  const filter = {
    operator_id: q(query, 'operator_id'),
    action: q(query, 'action'),
    target: q(query, 'target'),
    outcome: q(query, 'outcome') as (typeof auditOutcomes)[number] | undefined,
    from: dayStartMs(q(query, 'from') ?? null),
    // "to" is a day included in full: entries before the next day's start.
    to: to === undefined ? undefined : to + 86_400_000,
  };
  return (
    <section>
      <h1>Operator audit trail</h1>
      <VerifyTrail />
      <h2>Entries</h2>
      <FilterBar
        path="/audit/operators"
        query={query}
        fields={[
          { name: 'operator_id', label: 'Operator id', type: 'number' },
          { name: 'action', label: 'Action', placeholder: 'POST /withdrawals/:id/approve' },
          { name: 'target', label: 'Target', placeholder: '/withdrawals/7' },
          { name: 'outcome', label: 'Outcome', type: 'select', options: auditOutcomes },
          { name: 'from', label: 'From day (UTC)', type: 'date' },
          { name: 'to', label: 'To day (UTC)', type: 'date' },
        ]}
      />
      <CursorTable
        caption="operator audit entries, oldest first"
        columns={entryColumns}
        rowKey={(e) => e.id}
        deps={[filter]}
        empty="No entry matches."
        load={async (cursor) => {
          const page = await call('GET /audit/operators', {
            query: {
              limit: auditPageSize,
              ...(filter.operator_id ? { operator_id: Number(filter.operator_id) } : {}),
              ...(filter.action ? { action: filter.action } : {}),
              ...(filter.target ? { target: filter.target } : {}),
              ...(filter.outcome ? { outcome: filter.outcome } : {}),
              ...(filter.from !== undefined ? { from: filter.from } : {}),
              ...(filter.to !== undefined ? { to: filter.to } : {}),
              ...(cursor ? { after_id: Number(cursor) } : {}),
            },
          });
          return { rows: page.entries, next: page.next_after_id === null ? null : String(page.next_after_id) };
        }}
      />
    </section>
  );
}
