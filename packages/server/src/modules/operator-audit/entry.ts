import { createHash } from 'node:crypto';
import { operatorAuditSnapshotBytesMax, operatorAuditTargetLengthMax } from '../../limits.js';
import type { Actor } from '../operators/index.js';

/** How an operator action ended: done, refused with an error code (4xx), or failed unexpectedly (500). */
export const auditOutcomes = ['done', 'refused', 'failed'] as const;
export type AuditOutcome = (typeof auditOutcomes)[number];

/** The previous hash of the first entry. */
export const genesisHash = '0'.repeat(64);

/** One operator action or event to record. */
export interface OperatorEvent {
  actor: Actor;
  /** The route key ("PATCH /coins/:symbol"), the CLI command ("cli coin set") or a named event ("login.failed"). */
  action: string;
  /** What it touched, as a path ("/coins/ETH", "/users/42"); "" when nothing in particular. */
  target: string;
  /** The changed record before the action, where there is one. */
  before?: unknown;
  /** The changed record after the action, where there is one. */
  after?: unknown;
  outcome: AuditOutcome;
  /** The error code of a refusal or failure. */
  errorCode?: string;
  nowMs: number;
}

/** The stored fields of an entry (what its hash covers, with prev_hash). */
export interface StoredEntry {
  id: number;
  at: number;
  operatorId: number;
  operatorName: string;
  rolesJson: string;
  action: string;
  target: string;
  beforeJson: string | null;
  afterJson: string | null;
  outcome: string;
  errorCode: string | null;
  sourceIp: string;
  prevHash: string;
  hash: string;
}

/** An entry as the operator API, the CLI and the export show it. */
export interface AuditEntryView {
  id: number;
  at: number;
  operator_id: number;
  operator_name: string;
  roles: string[];
  action: string;
  target: string;
  before: unknown;
  after: unknown;
  outcome: string;
  error_code: string | null;
  source_ip: string;
  prev_hash: string;
  hash: string;
}

/** JSON with object keys sorted at every depth, BigInt as decimal strings: one text per value. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return sortKeys((value as { toJSON(): unknown }).toJSON());
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** A before/after snapshot as stored: canonical JSON, or its size and hash when it is too big to keep. */
export function snapshotJson(value: unknown): string | null {
  if (value === undefined) return null;
  const text = canonicalJson(value);
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes <= operatorAuditSnapshotBytesMax) return text;
  return canonicalJson({ omitted: true, bytes, sha256: sha256(text) });
}

/** A target within its bound (the rest is cut: a target names, it does not carry data). */
export function boundedTarget(target: string): string {
  return [...target].slice(0, operatorAuditTargetLengthMax).join('');
}

/**
 * The hash of an entry: sha256 over the canonical JSON array of its fields in a fixed order,
 * ending with the previous entry's hash. The id is left out on purpose: order is proven by the
 * links, so entries moved between ids show as reordered, and a gap in ids as deleted.
 */
export function entryHash(e: Omit<StoredEntry, 'id' | 'hash'>): string {
  return sha256(
    JSON.stringify([
      'openwaas.operator-audit.v1',
      e.at,
      e.operatorId,
      e.operatorName,
      e.rolesJson,
      e.action,
      e.target,
      e.beforeJson,
      e.afterJson,
      e.outcome,
      e.errorCode,
      e.sourceIp,
      e.prevHash,
    ]),
  );
}

/** The view of a stored entry. */
export function entryView(e: StoredEntry): AuditEntryView {
  const parse = (text: string | null): unknown => (text === null ? null : JSON.parse(text));
  return {
    id: e.id,
    at: e.at,
    operator_id: e.operatorId,
    operator_name: e.operatorName,
    roles: parse(e.rolesJson) as string[],
    action: e.action,
    target: e.target,
    before: parse(e.beforeJson),
    after: parse(e.afterJson),
    outcome: e.outcome,
    error_code: e.errorCode,
    source_ip: e.sourceIp,
    prev_hash: e.prevHash,
    hash: e.hash,
  };
}
