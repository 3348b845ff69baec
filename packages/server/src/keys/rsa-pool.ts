import { createPrivateKey } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { EnvelopeSealer } from '../context.js';
import type { SealResult, SealTask } from './rsa-worker.js';
import { rsaCrashStreakPerWorkerMax, rsaQueueTasksMax, rsaSegmentsPerWorkerMin } from '../limits.js';

/** Plaintext bytes per RSA block: the vendor's 234 for RSA-2048 (never more than key_bytes − 11). */
export const segmentBytesDefault = 234;

/** The pool cannot take more work (queue full) or is closed. */
export class RsaPoolError extends Error {
  override name = 'RsaPoolError';
}

interface PendingTask {
  task: SealTask;
  /** The PEM to send when the worker has not cached it yet. */
  pem: string;
  resolve(cipher: Uint8Array): void;
  reject(error: Error): void;
}

interface Slot {
  worker: Worker;
  current: PendingTask | undefined;
  /** PEM each merchant's key was parsed from in this worker. */
  cached: Map<number, string>;
  /** When the current task was handed to the worker (performance.now()). */
  startedMs: number;
}

/** What the pool is doing now, and how much work it has done (the metrics read it at a scrape). */
export interface RsaPoolStats {
  size: number;
  /** Workers holding a task now. */
  busy: number;
  /** Tasks waiting for a worker. */
  queued: number;
  /** Seconds workers spent on tasks since the pool started, finished tasks plus the running ones so far. */
  busySeconds: number;
}

export interface RsaPoolOptions {
  /** Worker threads; 0 or absent = one per core. */
  size?: number;
  log?: Logger;
}

/**
 * Seals response envelopes on worker threads so RSA private-key work never blocks the event
 * loop. Output is byte-identical to the SDK's `seal()` (PKCS#1 v1.5 type 1 is deterministic).
 */
export class RsaPool implements EnvelopeSealer {
  readonly size: number;
  readonly #slots: Slot[] = [];
  readonly #queue: PendingTask[] = [];
  readonly #keyShapes = new Map<number, { pem: string; segmentBytes: number }>();
  readonly #log: Logger | undefined;
  #nextTaskId = 1;
  #closed = false;
  /** Set when workers keep crashing (e.g. the worker script cannot load): seal() fails fast. */
  #broken: RsaPoolError | undefined;
  #crashStreak = 0;
  /** Milliseconds of finished tasks, summed over the workers. */
  #busyMsDone = 0;

  constructor(options: RsaPoolOptions = {}) {
    this.size = options.size && options.size > 0 ? options.size : availableParallelism();
    this.#log = options.log;
    for (let i = 0; i < this.size; i++) this.#slots.push(this.#spawn());
  }

  async seal(merchantId: number, walletPrivateKeyPem: string, value: unknown): Promise<string> {
    if (this.#closed) throw new RsaPoolError('RSA pool is closed');
    if (this.#broken) throw this.#broken;
    const text = JSON.stringify(value);
    if (text === undefined) throw new TypeError('cannot seal undefined');
    const plain = Buffer.from(text, 'utf8');
    const { segmentBytes } = this.#keyShape(merchantId, walletPrivateKeyPem);
    const segments = Math.ceil(plain.byteLength / segmentBytes);

    let parts = 1;
    if (segments > rsaSegmentsPerWorkerMin) {
      const idle = this.#slots.filter((s) => s.current === undefined).length;
      parts = Math.min(Math.max(idle, 1), Math.ceil(segments / rsaSegmentsPerWorkerMin));
    }
    if (this.#queue.length + parts > rsaQueueTasksMax) throw new RsaPoolError(`RSA queue is full (${rsaQueueTasksMax} tasks)`);

    // Contiguous runs of whole segments, as even as possible, so blocks concatenate in order.
    const runs: Promise<Uint8Array>[] = [];
    let start = 0;
    for (let p = 0; p < parts; p++) {
      const count = Math.floor(segments / parts) + (p < segments % parts ? 1 : 0);
      const end = Math.min(plain.byteLength, (start + count) * segmentBytes);
      // A fresh copy owns its buffer, so it can be transferred rather than cloned.
      const run = new Uint8Array(plain.subarray(start * segmentBytes, end));
      runs.push(this.#submit(merchantId, walletPrivateKeyPem, run, segmentBytes));
      start += count;
    }
    const blocks = await Promise.all(runs);
    return Buffer.concat(blocks).toString('base64url');
  }

  /** Queue depth, busy workers and the busy time so far: a few counters, no work. */
  stats(): RsaPoolStats {
    const now = performance.now();
    let busy = 0;
    let running = 0;
    for (const slot of this.#slots) {
      if (slot.current === undefined) continue;
      busy += 1;
      running += now - slot.startedMs;
    }
    return { size: this.size, busy, queued: this.#queue.length, busySeconds: (this.#busyMsDone + running) / 1_000 };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const error = new RsaPoolError('RSA pool closed');
    for (const pending of this.#queue.splice(0)) pending.reject(error);
    await Promise.all(
      this.#slots.map(async (slot) => {
        slot.current?.reject(error);
        slot.current = undefined;
        await slot.worker.terminate();
      }),
    );
  }

  /** Segment size for a merchant's key, learnt once per PEM (the main thread never encrypts). */
  #keyShape(merchantId: number, pem: string): { segmentBytes: number } {
    const known = this.#keyShapes.get(merchantId);
    if (known && known.pem === pem) return known;
    const bits = createPrivateKey({ key: pem, format: 'pem' }).asymmetricKeyDetails?.modulusLength;
    if (!bits) throw new RsaPoolError(`wallet key of merchant ${merchantId} is not RSA`);
    const shape = { pem, segmentBytes: Math.min(segmentBytesDefault, Math.ceil(bits / 8) - 11) };
    this.#keyShapes.set(merchantId, shape);
    return shape;
  }

  #submit(merchantId: number, pem: string, plain: Uint8Array, segmentBytes: number): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ task: { taskId: this.#nextTaskId++, merchantId, plain, segmentBytes }, pem, resolve, reject });
      this.#dispatch();
    });
  }

  #dispatch(): void {
    for (const slot of this.#slots) {
      if (this.#queue.length === 0) return;
      if (slot.current !== undefined) continue;
      const pending = this.#queue.shift()!;
      const { task } = pending;
      // Send the PEM only when this worker has not parsed this exact key yet.
      if (slot.cached.get(task.merchantId) !== pending.pem) {
        task.pem = pending.pem;
        slot.cached.delete(task.merchantId);
      }
      slot.current = pending;
      slot.startedMs = performance.now();
      slot.worker.postMessage(task, [task.plain.buffer as ArrayBuffer]);
    }
  }

  #spawn(): Slot {
    const slot: Slot = { worker: startWorker(), current: undefined, cached: new Map(), startedMs: 0 };
    slot.worker.on('message', (result: SealResult) => {
      const pending = slot.current;
      if (!pending || pending.task.taskId !== result.taskId) return;
      slot.current = undefined;
      this.#busyMsDone += performance.now() - slot.startedMs;
      if ('error' in result) {
        pending.reject(new RsaPoolError(`RSA worker failed: ${result.error}`));
      } else {
        this.#crashStreak = 0;
        if (pending.task.pem !== undefined) slot.cached.set(pending.task.merchantId, pending.task.pem);
        pending.resolve(result.cipher);
      }
      this.#dispatch();
    });
    const replace = (why: string, error?: Error) => {
      if (this.#closed) return;
      this.#log?.error({ err: error }, `RSA worker ${why}; replacing it`);
      slot.current?.reject(new RsaPoolError(`RSA worker ${why}`));
      slot.current = undefined;
      slot.worker.removeAllListeners();
      void slot.worker.terminate();
      // A bound on respawns: a worker that cannot even start would otherwise loop forever.
      if (++this.#crashStreak > rsaCrashStreakPerWorkerMax * this.size) {
        this.#broken = new RsaPoolError(`RSA workers keep crashing (last: ${error?.message ?? why})`);
        this.#log?.fatal({ err: error }, 'RSA pool gave up respawning workers');
        for (const pending of this.#queue.splice(0)) pending.reject(this.#broken);
        return;
      }
      const index = this.#slots.indexOf(slot);
      if (index >= 0) this.#slots[index] = this.#spawn();
      this.#dispatch();
    };
    slot.worker.once('error', (error) => replace('crashed', error));
    slot.worker.once('exit', (code) => replace(`exited with code ${code}`));
    return slot;
  }
}

/**
 * Starts one worker. Built JS runs rsa-worker.js directly. Under tsx (tests, dev) the worker
 * entry is TypeScript, and Node 20 does not apply `--import` loader hooks to a worker's entry
 * module, so a tiny eval'd bootstrap registers tsx inside the worker first.
 */
function startWorker(): Worker {
  const here = import.meta.url;
  // Loader flags (tsx's --import, --conditions) carry over; --input-type only applies to `node -e`.
  const execArgv = process.execArgv.filter((arg) => !arg.startsWith('--input-type'));
  if (!/\.[cm]?ts$/.test(here)) return new Worker(new URL('./rsa-worker.js', here), { execArgv });
  const entry = new URL('./rsa-worker.ts', here).href;
  // Resolved here: the eval'd code would resolve bare names from the process's cwd.
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { eval: true, execArgv });
}
