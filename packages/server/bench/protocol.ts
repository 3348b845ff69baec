/**
 * Messages between the API bench (bench/api.ts, the parent) and its load generator
 * (bench/load.ts, a forked child process). Plain JSON over the fork IPC channel.
 */

/** The measured API calls. */
export type ScenarioName = 'getByUidAndSymbol' | 'syncDepositList' | 'withdraw';

/** Parent → load generator: the service to hit and the merchant's credentials. */
export interface InitMessage {
  type: 'init';
  baseUrl: string;
  appId: string;
  /** The merchant's private key (PKCS#8 PEM): seals requests. */
  privateKeyPem: string;
  /** The service's public key for this merchant: opens responses. */
  walletPublicKeyPem: string;
  /** Seeded users with balances, used round-robin. */
  uids: number[];
  /** Requests in flight at most. */
  concurrency: number;
  /** Per-request timeout of the SDK client. */
  timeoutMs: number;
  /** Prefix of withdrawal request_ids: unique per database run. */
  requestIdPrefix: string;
  /** On-chain destination of the withdrawals (not an address this service issued). */
  withdrawTo: string;
  withdrawAmount: string;
  symbol: string;
}

/** Parent → load generator: run one scenario and report. */
export interface RunMessage {
  type: 'run';
  scenario: ScenarioName;
  warmupMs: number;
  durationMs: number;
}

export type ToLoad = InitMessage | RunMessage | { type: 'exit' };

/** The exact plaintext of one response, to check the block count derived from the ciphertext. */
export interface PlainCheck {
  /** UTF-8 bytes of the decrypted response JSON. */
  plainBytes: number;
  /** ceil(plainBytes / 234). */
  computedBlocks: number;
  /** Blocks in the response ciphertext (bytes / 256). */
  cipherBlocks: number;
}

export interface ScenarioResult {
  scenario: ScenarioName;
  /** The measured window, epoch ms (the parent matches confirmation callbacks against it). */
  windowStartEpochMs: number;
  windowEndEpochMs: number;
  windowSeconds: number;
  /** Calls that completed inside the window: successes and failures. */
  ok: number;
  errors: number;
  /** Failures by API code or error class, with one message each. */
  errorKinds: Record<string, { count: number; example: string }>;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  maxMs: number;
  /** RSA private-key blocks in the responses completed inside the window (server side, sealed). */
  responseBlocks: number;
  /** RSA private-key blocks in the requests completed inside the window (load-generator side). */
  requestBlocks: number;
  /** Latency samples not kept (the sample buffer is bounded). */
  samplesDropped: number;
  plainCheck: PlainCheck | undefined;
  /** Calls started during warm-up and measurement in all (bounded). */
  calls: number;
}

export type FromLoad =
  | { type: 'ready' }
  | { type: 'inited'; depositAddresses: number }
  | { type: 'result'; result: ScenarioResult }
  | { type: 'error'; message: string };
