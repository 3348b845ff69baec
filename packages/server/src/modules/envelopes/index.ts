/** The envelopes module: the replay guard over accepted request envelopes. */
export type { ReplayGuardDeps } from './deps.js';
export { countSeenEnvelopes, pruneSeenEnvelopes } from './repository.js';
export {
  envelopeDigest,
  recordEnvelope,
  ReplayGuard,
  replayClockMarginMs,
  replayPruneBatchMax,
  replayPruneIntervalMs,
  type EnvelopeSighting,
  type RecordEnvelopeInput,
} from './replay-guard.js';
