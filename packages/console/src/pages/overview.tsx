/**
 * What needs attention now, from GET /overview in one answer: every chain's node, scanner and
 * wallets against their low thresholds, open alerts, the queues waiting for an operator, the
 * daily deposit and withdrawal volumes per coin and the notification deliveries. Polls.
 */
import { useId, useState } from 'react';
import type { ChainStatus, OverviewChain, OverviewQueue, OverviewView } from '../../../server/src/contracts/operator.js';
import { useSession } from '../api/session.js';
import { Amount } from '../ui/amount.js';
import { Copyable } from '../ui/copy.js';
import { DailyChart } from '../ui/daily-chart.js';
import { Badge, Time } from '../ui/format.js';
import { PageLink } from '../ui/links.js';
import { Empty, Show, useLoad } from '../ui/states.js';

/** How often the overview asks again (ms). */
export const overviewRefreshMs = 5_000;

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

/** A wallet's balances, each against its low-balance threshold; a low one is marked "low" in words, not by colour alone. */
function WalletLevels({ wallet, label }: { wallet: OverviewChain['hot_wallet']; label: string }) {
  const symbols = Object.keys({ ...wallet.balances, ...wallet.levels });
  return (
    <div className="wallet" aria-label={label} role="group">
      <h4>
        {label} {wallet.low ? <Badge tone="bad">low</Badge> : null}
      </h4>
      <Copyable value={wallet.address} label={`${label} address`} />
      {symbols.length === 0 ? (
        <p className="muted">No balance read.</p>
      ) : (
        <ul className="balances">
          {symbols.map((symbol) => {
            const level = wallet.levels[symbol];
            const balance = level?.balance ?? wallet.balances[symbol] ?? '0';
            return (
              <li key={symbol}>
                <Amount value={balance} symbol={symbol} />{' '}
                {level?.threshold ? (
                  <span className="muted">
                    (low below <Amount value={level.threshold} symbol={symbol} />)
                  </span>
                ) : (
                  <span className="muted">(no threshold)</span>
                )}{' '}
                {level?.low ? <Badge tone="bad">{symbol} low</Badge> : null}
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}

export function OverviewChainCard({ chain }: { chain: OverviewChain }) {
  return (
    <article className="card chain-card" aria-label={`Chain ${chain.chain}`}>
      <h3>
        {chain.chain} {chain.node.ok ? <Badge tone="ok">node ok</Badge> : <Badge tone="bad">node error</Badge>}{' '}
        {chain.last_scanner_error ? <Badge tone="bad">scanner stuck</Badge> : null}
      </h3>
      {chain.node.error ? <p className="error-text">Node: {chain.node.error}</p> : null}
      {chain.last_scanner_error ? (
        <p className="error-text">
          Scanner cannot read block {chain.last_scanner_error.block}: {chain.last_scanner_error.error} (since <Time ms={chain.last_scanner_error.since} />, last seen{' '}
          <Time ms={chain.last_scanner_error.at} />)
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
          <dd>{chain.lag ?? '—'}</dd>
        </div>
      </dl>
      <div className="wallets">
        <WalletLevels wallet={chain.hot_wallet} label="Hot wallet" />
        <WalletLevels wallet={chain.fee_wallet} label="Fee wallet" />
      </div>
    </article>
  );
}

/** The console page that lists a queue's rows. */
const queuePages: Record<keyof OverviewView['queues'], { title: string; path: string; query?: Record<string, string> }> = {
  withdrawals_review: { title: 'Withdrawals in review', path: '/withdrawals/review' },
  kyt_deposits: { title: 'Deposits held by KYT', path: '/kyt' },
  kyt_withdrawals: { title: 'Withdrawals held by KYT', path: '/kyt' },
  change_requests_pending: { title: 'Pending change requests', path: '/operators/changes' },
  notifications_failed: { title: 'Failed notifications', path: '/notifications', query: { state: 'failed' } },
};

function Queues({ queues }: { queues: OverviewView['queues'] }) {
  return (
    <section aria-labelledby="ov-queues">
      <h2 id="ov-queues">Waiting for an operator</h2>
      <ul className="queues">
        {(Object.keys(queuePages) as Array<keyof OverviewView['queues']>).map((key) => {
          const queue: OverviewQueue = queues[key];
          const page = queuePages[key];
          return (
            <li className="queue" key={key}>
              <PageLink path={page.path} {...(page.query ? { query: page.query } : {})}>
                {page.title}
              </PageLink>
              : <strong>{queue.count}</strong>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function Alerts({ alerts }: { alerts: OverviewView['alerts'] }) {
  return (
    <section aria-labelledby="ov-alerts">
      <h2 id="ov-alerts">Open alerts ({alerts.open})</h2>
      <p>
        <PageLink path="/alerts">All alerts</PageLink>
      </p>
      {alerts.latest.length === 0 ? (
        <Empty>No open alerts.</Empty>
      ) : (
        <ul className="alerts">
          {alerts.latest.map((a) => (
            <li key={a.id}>
              <Badge tone="warn">{a.kind}</Badge> {a.message} <span className="muted">({a.count}× since <Time ms={a.created_at} />)</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Volumes({ volumes }: { volumes: OverviewView['volumes'] }) {
  const selectId = useId();
  const [picked, setPicked] = useState<string>('');
  const key = (v: { symbol: string; chain: string }) => `${v.chain} ${v.symbol}`;
  const shown = volumes.find((v) => key(v) === picked) ?? volumes[0];
  return (
    <section aria-labelledby="ov-volumes">
      <h2 id="ov-volumes">Volume per day (last 30 days)</h2>
      {shown === undefined ? (
        <Empty>No coin is configured.</Empty>
      ) : (
        <>
          <p className="field">
            <label htmlFor={selectId}>Coin</label>
            <select id={selectId} value={key(shown)} onChange={(e) => setPicked(e.target.value)}>
              {volumes.map((v) => (
                <option key={key(v)} value={key(v)}>
                  {v.symbol} ({v.chain})
                </option>
              ))}
            </select>
          </p>
          <div className="cards">
            <DailyChart title={`Credited deposits of ${shown.symbol}`} unit={shown.symbol} days={shown.days.map((d) => ({ day: d.day, value: d.deposits.amount }))} />
            <DailyChart title={`Paid withdrawals of ${shown.symbol}`} unit={shown.symbol} days={shown.days.map((d) => ({ day: d.day, value: d.withdrawals.amount }))} />
          </div>
        </>
      )}
    </section>
  );
}

function Deliveries({ days }: { days: OverviewView['notifications'] }) {
  return (
    <section aria-labelledby="ov-notifications">
      <h2 id="ov-notifications">Notification delivery per day</h2>
      <div className="cards">
        <DailyChart title="Notifications delivered" unit="notifications" days={days.map((d) => ({ day: d.day, value: String(d.delivered) }))} />
        <DailyChart title="Notifications failed" unit="notifications" days={days.map((d) => ({ day: d.day, value: String(d.failed) }))} />
      </div>
    </section>
  );
}

export function OverviewPage() {
  const { call } = useSession();
  const loaded = useLoad(() => call('GET /overview'), [], overviewRefreshMs);
  return (
    <section className="overview">
      <h1>Overview</h1>
      <Show loaded={loaded} what="the overview">
        {(o) => (
          <>
            <p className="muted">
              As of <Time ms={o.at} />; updates every {overviewRefreshMs / 1000} s.
            </p>
            <Queues queues={o.queues} />
            <Alerts alerts={o.alerts} />
            <section aria-labelledby="ov-chains">
              <h2 id="ov-chains">Chains</h2>
              {o.chains.length === 0 ? <Empty>No chain is configured.</Empty> : <div className="cards">{o.chains.map((c) => <OverviewChainCard key={c.chain} chain={c} />)}</div>}
            </section>
            <Volumes volumes={o.volumes} />
            <Deliveries days={o.notifications} />
          </>
        )}
      </Show>
    </section>
  );
}
