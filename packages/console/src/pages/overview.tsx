/** What needs attention now: every chain's scanner and wallets, open alerts, and the queues waiting for an operator. Polls. */
import type { ChainStatus } from '../../../server/src/contracts/operator.js';
import type { OperatorRoute } from '../../../server/src/contracts/operator.js';
import { useSession } from '../api/session.js';
import { Amount } from '../ui/amount.js';
import { Copyable } from '../ui/copy.js';
import { Badge, Time } from '../ui/format.js';
import { PageLink } from '../ui/links.js';
import { Empty, Show, useLoad } from '../ui/states.js';

/** How often the overview asks again (ms). */
export const overviewRefreshMs = 5_000;
/** Queues are counted up to this many rows; more shows as "N+". */
const queueCountCap = 100;

function Balances({ wallet, label }: { wallet: ChainStatus['hot_wallet']; label: string }) {
  const entries = Object.entries(wallet.balances);
  return (
    <div className="wallet">
      <h4>{label}</h4>
      <Copyable value={wallet.address} label={`${label} address`} />
      {entries.length === 0 ? (
        <p className="muted">No balance read.</p>
      ) : (
        <ul className="balances">
          {entries.map(([symbol, value]) => (
            <li key={symbol}>
              <Amount value={value} symbol={symbol} />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function ChainCard({ chain }: { chain: ChainStatus }) {
  return (
    <article className="card chain-card" aria-label={`Chain ${chain.chain}`}>
      <h3>
        {chain.chain} {chain.node_error ? <Badge tone="bad">node error</Badge> : <Badge tone="ok">node ok</Badge>}{' '}
        {chain.scanner_error ? <Badge tone="bad">scanner stuck</Badge> : null}
      </h3>
      {chain.node_error ? <p className="error-text">Node: {chain.node_error}</p> : null}
      {chain.scanner_error ? (
        <p className="error-text">
          Scanner cannot read block {chain.scanner_error.block}: {chain.scanner_error.error} (since <Time ms={chain.scanner_error.since} />, last seen{' '}
          <Time ms={chain.scanner_error.at} />)
        </p>
      ) : null}
      <dl className="figures">
        <div>
          <dt>Head</dt>
          <dd>{chain.head ?? '—'}</dd>
        </div>
        <div>
          <dt>Scanned</dt>
          <dd>{chain.scanned < 0 ? 'not started' : chain.scanned}</dd>
        </div>
        <div>
          <dt>Lag (blocks)</dt>
          <dd>{chain.behind ?? '—'}</dd>
        </div>
        <div>
          <dt>Deposits confirming</dt>
          <dd>{chain.deposits_confirming}</dd>
        </div>
        <div>
          <dt>Transactions in flight</dt>
          <dd>{chain.transactions_in_flight}</dd>
        </div>
        <div>
          <dt>Sweeps in flight</dt>
          <dd>{chain.sweeps_in_flight}</dd>
        </div>
      </dl>
      <div className="wallets">
        <Balances wallet={chain.hot_wallet} label="Hot wallet" />
        <Balances wallet={chain.fee_wallet} label="Fee wallet" />
      </div>
    </article>
  );
}

function Chains() {
  const { call } = useSession();
  const loaded = useLoad(() => call('GET /chains'), [], overviewRefreshMs);
  return (
    <section aria-labelledby="ov-chains">
      <h2 id="ov-chains">Chains</h2>
      <Show loaded={loaded} what="chains">
        {({ chains }) => (chains.length === 0 ? <Empty>No chain is configured.</Empty> : <div className="cards">{chains.map((c) => <ChainCard key={c.chain} chain={c} />)}</div>)}
      </Show>
    </section>
  );
}

function Alerts() {
  const { call } = useSession();
  const loaded = useLoad(() => call('GET /alerts'), [], overviewRefreshMs);
  return (
    <section aria-labelledby="ov-alerts">
      <h2 id="ov-alerts">Open alerts</h2>
      <p>
        <PageLink path="/alerts">All alerts</PageLink>
      </p>
      <Show loaded={loaded} what="alerts">
        {({ alerts }) =>
          alerts.length === 0 ? (
            <Empty>No open alerts.</Empty>
          ) : (
            <ul className="alerts">
              {alerts.map((a) => (
                <li key={a.id}>
                  <Badge tone="warn">{a.kind}</Badge> {a.message} <span className="muted">({a.count}× since <Time ms={a.created_at} />)</span>
                </li>
              ))}
            </ul>
          )
        }
      </Show>
    </section>
  );
}

function Queue({ title, route, path, query, count, cap }: { title: string; route: OperatorRoute; path: string; query?: Record<string, string>; count: () => Promise<number>; cap?: number }) {
  const { may } = useSession();
  const allowed = may(route);
  const loaded = useLoad(async () => (allowed ? count() : 0), [allowed], overviewRefreshMs);
  if (!allowed) return null;
  return (
    <li className="queue">
      <PageLink path={path} {...(query ? { query } : {})}>
        {title}
      </PageLink>
      :{' '}
      <strong>{loaded.state === 'ready' ? (cap !== undefined && loaded.data >= cap ? `${cap}+` : loaded.data) : loaded.state === 'loading' ? '…' : 'could not load'}</strong>
    </li>
  );
}

function Queues() {
  const { call } = useSession();
  return (
    <section aria-labelledby="ov-queues">
      <h2 id="ov-queues">Waiting for an operator</h2>
      <ul className="queues">
        <Queue
          title="Withdrawals in review"
          route="GET /withdrawals/review"
          path="/withdrawals"
          cap={queueCountCap}
          count={async () => (await call('GET /withdrawals/review', { query: { limit: queueCountCap } })).withdrawals.length}
        />
        <Queue
          title="KYT holds"
          route="GET /kyt"
          path="/kyt"
          cap={queueCountCap}
          count={async () => {
            const held = await call('GET /kyt', { query: { limit: queueCountCap } });
            return held.deposits.length + held.withdrawals.length;
          }}
        />
        <Queue
          title="Pending change requests"
          route="GET /change-requests"
          path="/change-requests"
          cap={queueCountCap}
          count={async () => (await call('GET /change-requests', { query: { state: 'pending', limit: queueCountCap } })).change_requests.length}
        />
        <Queue
          title="Failed notifications"
          route="GET /notifications"
          path="/notifications"
          query={{ state: 'failed' }}
          count={async () => (await call('GET /notifications', { query: { state: 'failed', limit: 1 } })).counts.failed}
        />
      </ul>
    </section>
  );
}

export function OverviewPage() {
  return (
    <section className="overview">
      <h1>Overview</h1>
      <Queues />
      <Alerts />
      <Chains />
    </section>
  );
}
