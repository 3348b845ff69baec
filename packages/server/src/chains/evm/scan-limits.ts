/**
 * Bounds of the EVM block reader, in one place (units last). A failing node is retried this
 * many times inside one scanner step; beyond that the step fails with the block and the node's
 * words, and the scanner tries again on its next tick (and alerts after `stallAlertAfterMs`).
 */

/** Tries of one JSON-RPC read (block, trace, receipt, logs) within a scanner step. */
export const nodeReadAttemptsMax = 3;

/** Wait before the second try of a read; doubled before each further try. */
export const nodeReadBackoffMs = 100;
