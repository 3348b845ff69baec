/** A record's history as a list of events, oldest first, each with its time, kind, summary and who did it. */
import { Empty } from './states.js';
import { Json, Time } from './format.js';


export interface TimelineEvent {
  at_ms: number;
  /** A short word for the event, e.g. "approved", "broadcast". */
  kind: string;
  summary: string;
  /** Who did it (an operator's name, "system"). */
  actor?: string;
  /** More about it: text, or a value shown as JSON. */
  detail?: unknown;
}

export function Timeline({ events, label = 'History' }: { events: readonly TimelineEvent[]; label?: string }) {
  if (events.length === 0) return <Empty>Nothing has happened to this record yet.</Empty>;
  return (
    <ol className="timeline" aria-label={label}>
      {events.map((e, i) => (
        <li key={`${e.at_ms}-${i}`}>
          <Time ms={e.at_ms} /> <span className="badge badge-plain">{e.kind}</span> <span>{e.summary}</span>
          {e.actor ? <span className="muted"> — by {e.actor}</span> : null}
          {e.detail === undefined || e.detail === null ? null : typeof e.detail === 'string' ? (
            <p className="detail">{e.detail}</p>
          ) : (
            <details>
              <summary>Details</summary>
              <Json value={e.detail} />
            </details>
          )}
        </li>
      ))}
    </ol>
  );
}
