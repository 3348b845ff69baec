import { constants, createPrivateKey, privateEncrypt, type KeyObject } from 'node:crypto';
import { parentPort } from 'node:worker_threads';

/**
 * RSA worker: private-encrypts runs of plaintext segments with a merchant's wallet key.
 * Parsed keys are cached per merchant: parsing a PEM costs more than an RSA block.
 */

/** A run of segments to encrypt; `pem` is sent the first time (or when it changed). */
export interface SealTask {
  taskId: number;
  merchantId: number;
  pem?: string;
  /** Plaintext bytes of contiguous segments. */
  plain: Uint8Array;
  segmentBytes: number;
}

export type SealResult = { taskId: number; cipher: Uint8Array } | { taskId: number; error: string };

const keys = new Map<number, KeyObject>();

function run(task: SealTask): Uint8Array {
  if (task.pem !== undefined) keys.set(task.merchantId, createPrivateKey({ key: task.pem, format: 'pem' }));
  const key = keys.get(task.merchantId);
  if (!key) throw new Error(`no key cached for merchant ${task.merchantId}`);
  const blockBytes = Math.ceil(key.asymmetricKeyDetails!.modulusLength! / 8);
  const count = Math.ceil(task.plain.byteLength / task.segmentBytes);
  const out = new Uint8Array(count * blockBytes);
  for (let i = 0; i < count; i++) {
    const segment = task.plain.subarray(i * task.segmentBytes, Math.min((i + 1) * task.segmentBytes, task.plain.byteLength));
    out.set(privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, segment), i * blockBytes);
  }
  return out;
}

parentPort?.on('message', (task: SealTask) => {
  let result: SealResult;
  try {
    const cipher = run(task);
    result = { taskId: task.taskId, cipher };
    parentPort!.postMessage(result, [cipher.buffer as ArrayBuffer]);
  } catch (e) {
    result = { taskId: task.taskId, error: e instanceof Error ? e.message : String(e) };
    parentPort!.postMessage(result);
  }
});
