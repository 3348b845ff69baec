/**
 * Bounds of the chain-family layer (chains/, key derivation), units last. Folded into the one
 * limits module at the root of src/ with the other parts' bounds.
 */

/** Tries of one EVM JSON-RPC read (block, trace, receipt, logs) within a scanner step; beyond them the step fails and the scanner retries next tick. */
export const nodeReadAttemptsMax = 3;

/** Wait before the second try of a node read, doubled before each further try: a brief node hiccup passes within one step. */
export const nodeReadBackoffMs = 100;

/** Characters of a node's error kept (alerts, status, logs): enough for the node's words, short enough for an alert line. */
export const nodeErrorLengthMax = 300;

/** Causes followed down a viem error's chain for the node's words: viem nests a few levels, a loop would never end. */
export const nodeErrorCauseDepthMax = 6;

/** Transport-level retries of a JSON-RPC call on a real node (none on a dev chain, where a failure is a test's signal). */
export const rpcRetryCount = 3;

/** JSON-RPC calls per batched HTTP request of a block scan: many blocks per round trip, below common node caps. */
export const rpcBatchCallsMax = 200;

/** viem's polling interval on a dev chain (anvil mines at once). */
export const devRpcPollingIntervalMs = 50;

/** viem's polling interval on a real chain without a configured one: about a third of an Ethereum block. */
export const rpcPollingIntervalMs = 4_000;

/** Margin on estimated gas of contract calls, percent: token transfers cost more when a balance slot is new. */
export const contractGasMarginPercent = 25n;

/** Rows read per query while a watch set catches up (the first refresh of a large service). */
export const watchSetRefreshRowsMax = 10_000;

/** How long a local anvil node may take to print that it listens. */
export const anvilStartTimeoutMs = 15_000;

/** After SIGTERM, how long a local anvil node may take to exit before SIGKILL. */
export const anvilStopGraceMs = 3_000;
