/** Small display pieces every page uses: times, yes/no, labelled fields, status words. */
import type { ReactNode } from 'react';
import { AuditStatus, DepositStatus, WithdrawStatus } from '../../../sdk/src/types/statuses.js';

/** A time in ms since the epoch as "2026-12-07 23:20:05 UTC" (one zone for every operator); "—" for none. */
export function formatTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms <= 0) return '—';
  return `${new Date(ms).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, '')} UTC`;
}

export function Time({ ms }: { ms: number | null | undefined }) {
  const text = formatTime(ms);
  return text === '—' ? <span className="muted">—</span> : <time dateTime={new Date(ms!).toISOString()}>{text}</time>;
}

export function YesNo({ value }: { value: boolean }) {
  return <span className={value ? 'flag flag-on' : 'flag'}>{value ? 'yes' : 'no'}</span>;
}

/** A list of labelled values (a record's fields). */
export function Fields({ items }: { items: Array<[label: string, value: ReactNode]> }) {
  return (
    <dl className="fields">
      {items.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{value === '' || value === null || value === undefined ? <span className="muted">—</span> : value}</dd>
        </div>
      ))}
    </dl>
  );
}

const withdrawWords: Record<number, string> = {
  [WithdrawStatus.Review]: 'in review',
  [WithdrawStatus.Paying]: 'paying',
  [WithdrawStatus.Rejected]: 'rejected',
  [WithdrawStatus.Failed]: 'failed',
  [WithdrawStatus.Succeeded]: 'succeeded',
  [WithdrawStatus.Cancelled]: 'cancelled',
  [WithdrawStatus.AwaitingKyt]: 'awaiting KYT',
  [WithdrawStatus.KytManualReview]: 'KYT manual review',
};
const depositWords: Record<number, string> = {
  [DepositStatus.Confirming]: 'confirming',
  [DepositStatus.Succeeded]: 'credited',
  [DepositStatus.Failed]: 'failed',
  [DepositStatus.AwaitingKyt]: 'awaiting KYT',
  [DepositStatus.KytManualReview]: 'KYT manual review',
  [DepositStatus.CircuitBreakerReview]: 'circuit-breaker review',
};
const auditWords: Record<number, string> = { [AuditStatus.Pending]: 'pending', [AuditStatus.Approved]: 'approved', [AuditStatus.Rejected]: 'rejected' };

export const withdrawStatusText = (s: number) => `${withdrawWords[s] ?? 'unknown'} (${s})`;
export const depositStatusText = (s: number) => `${depositWords[s] ?? 'unknown'} (${s})`;
export const auditStatusText = (s: number) => `${auditWords[s] ?? 'unknown'} (${s})`;

/** A state word as a badge ("failed", "ok", …). */
export function Badge({ tone, children }: { tone: 'ok' | 'warn' | 'bad' | 'plain'; children: ReactNode }) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}

/** Pretty JSON of an opaque value (payloads, change requests, audit before/after). */
export function Json({ value }: { value: unknown }) {
  // Focusable: a long value scrolls sideways in its box, by keyboard too.
  return (
    <pre className="json" tabIndex={0}>
      {JSON.stringify(value, null, 2)}
    </pre>
  );
}
