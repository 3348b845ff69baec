/** Coins (their settings, and changing them for admins) and the withdrawal address blacklist. */
import { useState } from 'react';
import type { BlacklistEntry, CoinView } from '../../../server/src/contracts/operator.js';
import { useSession } from '../api/session.js';
import { Action, OutcomeLine, isChangeRequest, type Outcome } from '../ui/action.js';
import { Amount } from '../ui/amount.js';
import { Copyable } from '../ui/copy.js';
import { RowsTable, type Column } from '../ui/cursor-table.js';
import { CheckField, TextField } from '../ui/form.js';
import { Time, YesNo } from '../ui/format.js';
import { Empty, Show, useLoad } from '../ui/states.js';

/** The decimal settings of a coin an admin may change here (strings as sent, never through a float). */
const amountFields = ['min_withdraw', 'max_withdraw', 'withdraw_fee', 'auto_approve_max', 'daily_limit', 'min_deposit'] as const;
type AmountField = (typeof amountFields)[number];
const amountLabels: Record<AmountField, string> = {
  min_withdraw: 'Minimum withdrawal',
  max_withdraw: 'Maximum withdrawal',
  withdraw_fee: 'Withdrawal fee',
  auto_approve_max: 'Auto-approve up to',
  daily_limit: 'Daily limit per user',
  min_deposit: 'Minimum deposit',
};

function EditCoin({ coin, saved, onOutcome }: { coin: CoinView; saved: () => void; onOutcome: (o: Outcome) => void }) {
  const { call } = useSession();
  const [amounts, setAmounts] = useState<Record<AmountField, string>>(() => Object.fromEntries(amountFields.map((f) => [f, coin[f]])) as Record<AmountField, string>);
  const [confirmations, setConfirmations] = useState(String(coin.confirmations));
  const [explorer, setExplorer] = useState(coin.explorer);
  const [enabled, setEnabled] = useState(coin.enabled);
  const patch = {
    ...Object.fromEntries(amountFields.flatMap((f) => (amounts[f].trim() !== coin[f] ? [[f, amounts[f].trim()]] : []))),
    ...(confirmations.trim() !== String(coin.confirmations) && /^\d+$/.test(confirmations.trim()) ? { confirmations: Number(confirmations.trim()) } : {}),
    ...(explorer.trim() !== coin.explorer ? { explorer: explorer.trim() } : {}),
    ...(enabled !== coin.enabled ? { enabled } : {}),
  };
  const changed = Object.keys(patch);
  return (
    <details className="card">
      <summary>Change {coin.symbol}</summary>
      <div className="form-grid">
        {amountFields.map((f) => (
          <TextField key={f} label={`${amountLabels[f]} (${f === 'withdraw_fee' ? coin.withdraw_fee_symbol : coin.symbol})`} value={amounts[f]} inputMode="decimal" onChange={(v) => setAmounts((a) => ({ ...a, [f]: v }))} />
        ))}
        <TextField label="Confirmations" value={confirmations} inputMode="numeric" onChange={setConfirmations} />
        <TextField label="Explorer URL" value={explorer} onChange={setExplorer} hint="{txid} is replaced by the transaction id." />
        <CheckField label="Enabled" checked={enabled} onChange={setEnabled} />
      </div>
      {changed.length === 0 ? (
        <p className="muted">Change a setting to save it.</p>
      ) : (
        <Action
          label={`Save ${coin.symbol}`}
          confirm={`Change ${changed.join(', ')} of ${coin.symbol}?`}
          send={() => call('PATCH /coins/:symbol', { params: { symbol: coin.symbol }, body: patch })}
          done={(c) => `Saved ${c.symbol}.`}
          onOutcome={onOutcome}
          after={(answer) => {
            if (!isChangeRequest(answer)) saved();
          }}
        />
      )}
    </details>
  );
}

const coinColumns: Array<Column<CoinView>> = [
  { header: 'Coin', cell: (c) => `${c.symbol} (${c.name})` },
  { header: 'Chain', cell: (c) => c.chain },
  { header: 'Contract', cell: (c) => (c.contract_address ? <Copyable value={c.contract_address} label={`contract of ${c.symbol}`} /> : <span className="muted">native</span>) },
  { header: 'Decimals', cell: (c) => c.decimals, num: true },
  { header: 'Confirmations', cell: (c) => c.confirmations, num: true },
  { header: 'Withdrawal min – max', cell: (c) => <span><Amount value={c.min_withdraw} /> – <Amount value={c.max_withdraw} /></span>, num: true },
  { header: 'Fee', cell: (c) => <Amount value={c.withdraw_fee} symbol={c.withdraw_fee_symbol} />, num: true },
  { header: 'Auto-approve up to', cell: (c) => <Amount value={c.auto_approve_max} />, num: true },
  { header: 'Daily limit', cell: (c) => <Amount value={c.daily_limit} />, num: true },
  { header: 'Enabled', cell: (c) => <YesNo value={c.enabled} /> },
];

export function CoinsPage() {
  const { call, may } = useSession();
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const loaded = useLoad(() => call('GET /coins'), []);
  return (
    <section>
      <h1>Coins</h1>
      <OutcomeLine outcome={outcome} />
      <Show loaded={loaded} what="coins">
        {({ coins }) =>
          coins.length === 0 ? (
            <Empty>No coin is configured.</Empty>
          ) : (
            <>
              <RowsTable caption="coins" columns={coinColumns} rows={coins} rowKey={(c) => c.symbol} />
              {may('PATCH /coins/:symbol') ? coins.map((c) => <EditCoin key={JSON.stringify(c)} coin={c} saved={loaded.reload} onOutcome={setOutcome} />) : null}
            </>
          )
        }
      </Show>
    </section>
  );
}

export function BlacklistPage() {
  const { call, may } = useSession();
  const loaded = useLoad(() => call('GET /blacklist'), []);
  const [address, setAddress] = useState('');
  const [reason, setReason] = useState('');
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const columns: Array<Column<BlacklistEntry>> = [
    { header: 'Address', cell: (b) => <Copyable value={b.address} label={`blacklisted address ${b.address}`} /> },
    { header: 'Reason', cell: (b) => b.reason || <span className="muted">—</span> },
    { header: 'Added', cell: (b) => <Time ms={b.created_at} /> },
    {
      header: 'Remove',
      cell: (b) =>
        may('DELETE /blacklist/:address') ? (
          <Action label="Remove" danger confirm={`Take ${b.address} off the blacklist? Withdrawals to it are accepted again.`} send={() => call('DELETE /blacklist/:address', { params: { address: b.address } })} done={() => `${b.address} removed.`} onOutcome={setOutcome} after={loaded.reload} />
        ) : null,
    },
  ];
  return (
    <section>
      <h1>Blacklist</h1>
      <OutcomeLine outcome={outcome} />
      <Show loaded={loaded} what="blacklisted addresses">
        {({ addresses }) => (addresses.length === 0 ? <Empty>No address is blacklisted.</Empty> : <RowsTable caption="blacklisted withdrawal addresses" columns={columns} rows={addresses} rowKey={(b) => b.address} />)}
      </Show>
      {may('POST /blacklist') ? (
        <div className="card">
          <h2>Add an address</h2>
          <div className="form-grid">
            <TextField label="Address" value={address} onChange={setAddress} required />
            <TextField label="Reason" value={reason} onChange={setReason} />
          </div>
          <Action
            label="Add to blacklist"
            {...(address.trim() ? {} : { notReady: 'Give the address.' })}
            danger
            confirm={`Refuse every withdrawal to ${address.trim()}?`}
            send={() => call('POST /blacklist', { body: { address: address.trim(), ...(reason.trim() ? { reason: reason.trim() } : {}) } })}
            done={(b) => `${b.address} is blacklisted.`}
            after={() => {
              setAddress('');
              setReason('');
              loaded.reload();
            }}
          />
        </div>
      ) : null}
    </section>
  );
}
