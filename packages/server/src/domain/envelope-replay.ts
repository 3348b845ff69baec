export {
  countSeenEnvelopes,
  envelopeDigest,
  pruneSeenEnvelopes,
  recordEnvelope,
  ReplayGuard,
  replayClockMarginMs,
  replayPruneBatchMax,
  replayPruneIntervalMs,
  type EnvelopeSighting,
  type RecordEnvelopeInput,
} from '../modules/envelopes/index.js';
