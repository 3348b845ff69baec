/**
 * Where a withdrawal's approval stands: the distinct platform approvals required, who has
 * approved, how many more are needed, and every decision recorded (both sides). The figures
 * are the server's (approvals_required / approvals_given); nothing is decided here.
 */
import { Time } from './format.js';

export interface QuorumDecision {
  side: string;
  decision: 'approve' | 'reject';
  operator_name: string;
  reason: string;
  created_at: number;
}

export interface QuorumProps {
  required: number;
  given: number;
  decisions: readonly QuorumDecision[];
}

export function Quorum({ required, given, decisions }: QuorumProps) {
  const more = Math.max(0, required - given);
  const approvers = decisions.filter((d) => d.side === 'saas' && d.decision === 'approve').map((d) => d.operator_name);
  return (
    <section className="quorum" aria-label="Approval quorum">
      <p>
        <strong>
          {given} of {required}
        </strong>{' '}
        platform approval{required === 1 ? '' : 's'}
        {' — '}
        {more === 0 ? <span className="badge badge-ok">quorum reached</span> : <span className="badge badge-warn">{more} more needed</span>}
      </p>
      <p>
        Approved by: {approvers.length ? [...new Set(approvers)].join(', ') : <span className="muted">nobody yet</span>}
      </p>
      {decisions.length ? (
        <ul className="decisions">
          {decisions.map((d, i) => (
            <li key={i}>
              <Time ms={d.created_at} /> {d.operator_name} {d.decision === 'approve' ? 'approved' : 'rejected'} for the {d.side === 'saas' ? 'platform' : 'merchant'}
              {d.reason ? `: ${d.reason}` : ''}
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
