/** Merchants: the list, creating one, and one merchant's settings, coins and allowlisted destinations. */
import { useEffect, useState, type ReactNode } from 'react';
import type { CoinView, MerchantView } from '../../../server/src/contracts/operator.js';
import { useSession } from '../api/session.js';
import { Action, OutcomeLine, isChangeRequest, type Outcome } from '../ui/action.js';
import { CopyButton, Copyable } from '../ui/copy.js';
import { RowsTable, type Column } from '../ui/cursor-table.js';
import { CheckField, SelectField, TextField } from '../ui/form.js';
import { Fields, Time, YesNo } from '../ui/format.js';
import { Empty, Show, useLoad } from '../ui/states.js';
import { href } from '../routing.js';

const merchantColumns: Array<Column<MerchantView>> = [
  { header: 'App id', cell: (m) => <a href={href(`/merchants/${m.app_id}`)}>{m.app_id}</a> },
  { header: 'Name', cell: (m) => m.name },
  { header: 'Active', cell: (m) => <YesNo value={m.active} /> },
  { header: 'Auto-collect', cell: (m) => <YesNo value={m.auto_collect} /> },
  { header: 'Coins', cell: (m) => m.coins.join(', ') || <span className="muted">none</span> },
  { header: 'Created', cell: (m) => <Time ms={m.created_at} /> },
];

function CreateMerchant({ created }: { created: () => void }) {
  const { call } = useSession();
  const [name, setName] = useState('');
  const [appId, setAppId] = useState('');
  const [notifyUrl, setNotifyUrl] = useState('');
  const [confirmUrl, setConfirmUrl] = useState('');
  return (
    <section aria-labelledby="create-merchant" className="card">
      <h2 id="create-merchant">Create a merchant</h2>
      <div className="form-grid">
        <TextField label="Name" value={name} onChange={setName} required />
        <TextField label="App id (optional)" value={appId} onChange={setAppId} hint="Letters, digits, - or _; generated when empty." />
        <TextField label="Notify URL" type="url" value={notifyUrl} onChange={setNotifyUrl} />
        <TextField label="Confirm URL" type="url" value={confirmUrl} onChange={setConfirmUrl} />
      </div>
      <Action
        label="Create merchant"
        {...(name.trim() ? {} : { notReady: 'Give the merchant a name.' })}
        confirm={`Create merchant "${name.trim()}"? Its wallet key pair is generated now.`}
        send={() =>
          call('POST /merchants', {
            body: {
              name: name.trim(),
              ...(appId.trim() ? { app_id: appId.trim() } : {}),
              ...(notifyUrl.trim() ? { notify_url: notifyUrl.trim() } : {}),
              ...(confirmUrl.trim() ? { confirm_url: confirmUrl.trim() } : {}),
            },
          })
        }
        done={(m) => (
          <span>
            Created <a href={href(`/merchants/${m.app_id}`)}>{m.app_id}</a>.
          </span>
        )}
        after={() => {
          setName('');
          setAppId('');
          setNotifyUrl('');
          setConfirmUrl('');
          created();
        }}
      />
    </section>
  );
}

export function MerchantsPage() {
  const { call, may } = useSession();
  const loaded = useLoad(() => call('GET /merchants'), []);
  return (
    <section>
      <h1>Merchants</h1>
      <Show loaded={loaded} what="merchants">
        {({ merchants }) => (merchants.length === 0 ? <Empty>No merchant yet.</Empty> : <RowsTable caption="merchants" columns={merchantColumns} rows={merchants} rowKey={(m) => m.id} />)}
      </Show>
      {may('POST /merchants') ? <CreateMerchant created={loaded.reload} /> : null}
    </section>
  );
}

/** The settings form: sends only what the operator changed (an unchanged URL is not a change to approve). */
function EditMerchant({ m, saved, outcome, onOutcome }: { m: MerchantView; saved: () => void; outcome: Outcome | null; onOutcome: (o: Outcome) => void }) {
  const { call } = useSession();
  const [name, setName] = useState(m.name);
  const [notifyUrl, setNotifyUrl] = useState(m.notify_url ?? '');
  const [confirmUrl, setConfirmUrl] = useState(m.confirm_url ?? '');
  const [ips, setIps] = useState(m.ip_allowlist.join('\n'));
  const [autoCollect, setAutoCollect] = useState(m.auto_collect);
  const [active, setActive] = useState(m.active);
  const ipList = ips
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);
  const url = (v: string) => (v.trim() ? v.trim() : null);
  const patch = {
    ...(name.trim() !== m.name ? { name: name.trim() } : {}),
    ...(url(notifyUrl) !== m.notify_url ? { notify_url: url(notifyUrl) } : {}),
    ...(url(confirmUrl) !== m.confirm_url ? { confirm_url: url(confirmUrl) } : {}),
    ...(ipList.join('\n') !== m.ip_allowlist.join('\n') ? { ip_allowlist: ipList } : {}),
    ...(autoCollect !== m.auto_collect ? { auto_collect: autoCollect } : {}),
    ...(active !== m.active ? { active } : {}),
  };
  const changed = Object.keys(patch);
  return (
    <section aria-labelledby="edit-merchant" className="card">
      <h2 id="edit-merchant">Settings</h2>
      <OutcomeLine outcome={outcome} />
      <div className="form-grid">
        <TextField label="Name" value={name} onChange={setName} required />
        <TextField label="Notify URL" type="url" value={notifyUrl} onChange={setNotifyUrl} hint="Empty clears it." />
        <TextField label="Confirm URL" type="url" value={confirmUrl} onChange={setConfirmUrl} hint="Empty clears it." />
        <TextField label="IP allowlist" multiline value={ips} onChange={setIps} hint="One IP address or CIDR per line; empty allows any." />
        <CheckField label="Auto-collect deposits" checked={autoCollect} onChange={setAutoCollect} />
        <CheckField label="Active" checked={active} onChange={setActive} />
      </div>
      {changed.length === 0 ? (
        <p className="muted">Change a setting to save it.</p>
      ) : (
        <Action
          label="Save settings"
          confirm={`Change ${changed.join(', ')} of merchant ${m.app_id}?`}
          send={() => call('PATCH /merchants/:appId', { params: { appId: m.app_id }, body: patch })}
          done={() => 'Saved.'}
          onOutcome={onOutcome}
          after={(answer) => {
            if (!isChangeRequest(answer)) saved();
          }}
        />
      )}
    </section>
  );
}

function MerchantCoins({ m, coins, changed }: { m: MerchantView; coins: CoinView[]; changed: () => void }) {
  const { call, may } = useSession();
  const columns: Array<Column<CoinView>> = [
    { header: 'Coin', cell: (c) => c.symbol },
    { header: 'Chain', cell: (c) => c.chain },
    { header: 'Enabled for this merchant', cell: (c) => <YesNo value={m.coins.includes(c.symbol)} /> },
    {
      header: 'Change',
      cell: (c) =>
        m.coins.includes(c.symbol) ? (
          may('DELETE /merchants/:appId/coins/:symbol') ? (
            <Action label={`Disable ${c.symbol}`} danger confirm={`Disable ${c.symbol} for ${m.app_id}?`} send={() => call('DELETE /merchants/:appId/coins/:symbol', { params: { appId: m.app_id, symbol: c.symbol } })} done={() => `${c.symbol} disabled.`} after={changed} />
          ) : null
        ) : may('PUT /merchants/:appId/coins/:symbol') ? (
          <Action label={`Enable ${c.symbol}`} confirm={`Enable ${c.symbol} for ${m.app_id}?`} send={() => call('PUT /merchants/:appId/coins/:symbol', { params: { appId: m.app_id, symbol: c.symbol } })} done={() => `${c.symbol} enabled.`} after={changed} />
        ) : null,
    },
  ];
  return (
    <section aria-labelledby="merchant-coins">
      <h2 id="merchant-coins">Coins</h2>
      {coins.length === 0 ? <Empty>No coin is configured.</Empty> : <RowsTable caption={`coins of ${m.app_id}`} columns={columns} rows={coins} rowKey={(c) => c.symbol} />}
    </section>
  );
}

function Allowlist({ m, coins }: { m: MerchantView; coins: CoinView[] }) {
  const { call, may } = useSession();
  const loaded = useLoad(() => call('GET /merchants/:appId/allowlist', { params: { appId: m.app_id } }), [m.app_id]);
  const [symbol, setSymbol] = useState(coins[0]?.symbol ?? '');
  const [address, setAddress] = useState('');
  const [label, setLabel] = useState('');
  const symbolOf = (chain: string) => coins.find((c) => c.chain === chain)?.symbol;
  return (
    <section aria-labelledby="allowlist">
      <h2 id="allowlist">Allowlisted destinations</h2>
      <Show loaded={loaded} what="allowlisted destinations">
        {({ destinations }) =>
          destinations.length === 0 ? (
            <Empty>No destination is allowlisted.</Empty>
          ) : (
            <RowsTable
              caption={`allowlisted destinations of ${m.app_id}`}
              rowKey={(d) => `${d.chain} ${d.address}`}
              rows={destinations}
              columns={[
                { header: 'Chain', cell: (d) => d.chain },
                { header: 'Address', cell: (d) => <Copyable value={d.address} label={`allowlisted address ${d.label || d.address}`} /> },
                { header: 'Label', cell: (d) => d.label },
                { header: 'Added', cell: (d) => <span>{d.created_by}, <Time ms={d.created_at} /></span> },
                {
                  header: 'Remove',
                  cell: (d) => {
                    const s = symbolOf(d.chain);
                    return may('DELETE /merchants/:appId/allowlist') && s ? (
                      <Action label="Remove" danger confirm={`Take ${d.address} off the allowlist of ${m.app_id}?`} send={() => call('DELETE /merchants/:appId/allowlist', { params: { appId: m.app_id }, query: { symbol: s, address: d.address } })} done={() => 'Removed.'} after={loaded.reload} />
                    ) : null;
                  },
                },
              ]}
            />
          )
        }
      </Show>
      {may('POST /merchants/:appId/allowlist') && coins.length > 0 ? (
        <div className="card">
          <h3>Add a destination</h3>
          <div className="form-grid">
            <SelectField label="Coin" value={symbol} options={coins.map((c) => c.symbol)} onChange={setSymbol} />
            <TextField label="Address" value={address} onChange={setAddress} required />
            <TextField label="Label" value={label} onChange={setLabel} />
          </div>
          <Action
            label="Add destination"
            {...(address.trim() ? {} : { notReady: 'Give the address.' })}
            confirm={`Allow withdrawals of ${m.app_id} to ${address.trim()} (${symbol})?`}
            send={() => call('POST /merchants/:appId/allowlist', { params: { appId: m.app_id }, body: { symbol, address: address.trim(), ...(label.trim() ? { label: label.trim() } : {}) } })}
            done={(d) => `Added ${d.address}.`}
            after={(answer) => {
              if (!isChangeRequest(answer)) {
                setAddress('');
                setLabel('');
                loaded.reload();
              }
            }}
          />
        </div>
      ) : null}
    </section>
  );
}

/** A public key as PEM: as stored when it is PEM already, else its base64 body wrapped at 64 characters. */
export function publicKeyPem(key: string): string {
  const text = key.trim();
  if (text.startsWith('-----BEGIN')) return `${text}\n`;
  const body = text.replace(/\s+/g, '');
  return `-----BEGIN PUBLIC KEY-----\n${body.match(/.{1,64}/g)?.join('\n') ?? ''}\n-----END PUBLIC KEY-----\n`;
}

/** A link that saves `text` as the file `name` (a Blob in the browser's memory, released when the link goes). */
export function DownloadText({ text, name, type, children }: { text: string; name: string; type: string; children: ReactNode }) {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    const made = URL.createObjectURL(new Blob([text], { type }));
    setUrl(made);
    return () => URL.revokeObjectURL(made);
  }, [text, type]);
  if (!url) return null;
  return (
    <a className="button" href={url} download={name}>
      {children}
    </a>
  );
}

/** A PEM key shown in full with its copy button and a download of the .pem file. */
function PemKey({ value, label, file }: { value: string; label: string; file: string }) {
  const pem = publicKeyPem(value);
  return (
    <div className="pem">
      <pre className="pem-text" tabIndex={0} aria-label={label}>
        {pem}
      </pre>
      <p className="actions">
        <CopyButton value={pem} label={label} /> <DownloadText text={pem} name={file} type="application/x-pem-file">
          Download {label} (.pem)
        </DownloadText>
      </p>
    </div>
  );
}

/** A PEM key folded away (it is long), with its copy button and download. */
function PublicKey({ value, label, file }: { value: string; label: string; file: string }) {
  if (!value) return <span className="muted">—</span>;
  return (
    <details>
      <summary>Show the {label}</summary>
      <PemKey value={value} label={label} file={file} />
    </details>
  );
}

/**
 * Rotating the merchant's wallet key pair: answers are sealed with the new key from then on, so
 * the page shows the new public key (copy, download) to hand the merchant. Once four eyes are
 * engaged the rotation waits for a second admin, and the page links the change request.
 */
function RotateKey({ m, rotated }: { m: MerchantView; rotated: (v: MerchantView) => void }) {
  const { call } = useSession();
  const [fresh, setFresh] = useState<MerchantView | null>(null);
  return (
    <section aria-labelledby="rotate-key" className="card">
      <h2 id="rotate-key">Wallet key</h2>
      <p>A new wallet key pair seals every answer to {m.app_id} from then on: the merchant needs the new public key at once.</p>
      <Action
        label="Rotate keys"
        danger
        confirm={`Give ${m.app_id} a new wallet key pair? Its integration must switch to the new public key.`}
        send={async () => {
          const g = await call.guarded('POST /merchants/:appId/rotate-key', { params: { appId: m.app_id } });
          return 'pending' in g ? g.pending : g.applied;
        }}
        done={() => 'New wallet key pair in use: hand the merchant the public key below.'}
        after={(answer) => {
          if (isChangeRequest(answer)) return;
          setFresh(answer);
          rotated(answer);
        }}
      />
      {fresh ? (
        <div>
          <h3>New wallet public key</h3>
          <PemKey value={fresh.rsa_wallet_pub} label="new wallet public key" file={`${m.app_id}-wallet-public-key.pem`} />
        </div>
      ) : null}
    </section>
  );
}

export function MerchantPage({ params }: { params: Record<string, string> }) {
  const { call, may } = useSession();
  const appId = params.appId ?? '';
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const loaded = useLoad(async () => {
    const [m, coins] = await Promise.all([call('GET /merchants/:appId', { params: { appId } }), call('GET /coins')]);
    return { m, coins: coins.coins };
  }, [appId]);
  return (
    <section>
      <h1>Merchant {appId}</h1>
      <p>
        <a href={href('/merchants')}>← Merchants</a>
      </p>
      <Show loaded={loaded} what={`merchant ${appId}`}>
        {({ m, coins }) => (
          <>
            <Fields
              items={[
                ['Name', m.name],
                ['App id', <code key="a">{m.app_id}</code>],
                ['Active', <YesNo key="act" value={m.active} />],
                ['Notify URL', m.notify_url ?? ''],
                ['Confirm URL', m.confirm_url ?? ''],
                ['IP allowlist', m.ip_allowlist.join(', ')],
                ['Auto-collect', <YesNo key="ac" value={m.auto_collect} />],
                ['User limit', m.user_limit === 0 ? 'none' : m.user_limit],
                ['Wallet public key', <PublicKey key="w" value={m.rsa_wallet_pub} label="wallet public key" file={`${m.app_id}-wallet-public-key.pem`} />],
                ['Merchant public key', <PublicKey key="mk" value={m.merchant_public_key ?? ''} label="merchant public key" file={`${m.app_id}-merchant-public-key.pem`} />],
                ['Created', <Time key="c" ms={m.created_at} />],
              ]}
            />
            {may('PATCH /merchants/:appId') ? <EditMerchant key={JSON.stringify(m)} m={m} saved={loaded.reload} outcome={outcome} onOutcome={setOutcome} /> : null}
            {may('POST /merchants/:appId/rotate-key') ? <RotateKey m={m} rotated={loaded.reload} /> : null}
            <MerchantCoins m={m} coins={coins} changed={loaded.reload} />
            <Allowlist m={m} coins={coins} />
          </>
        )}
      </Show>
    </section>
  );
}
