import type { Logger } from 'pino';

/** A background loop the service stops on shutdown. */
export interface Loop {
  /** Runs the next tick now (after the current one, if running). */
  wake(): void;
  /** Stops after the current tick; resolves once it has finished. */
  stop(): Promise<void>;
}

/**
 * Calls `tick` every `intervalMs` (measured from the end of the previous tick), never twice
 * at once. A tick that throws is logged and retried after `errorBackoffMs`. `tick` returning
 * true means "more to do": the next tick runs at once (backfill).
 */
export function startLoop(input: { name: string; intervalMs: number; errorBackoffMs?: number; log: Logger; tick: (signal: AbortSignal) => Promise<boolean | void> }): Loop {
  const { name, intervalMs, log, tick } = input;
  const errorBackoffMs = input.errorBackoffMs ?? Math.max(intervalMs, 1_000);
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let lastError = '';

  const schedule = (delayMs: number) => {
    if (abort.signal.aborted) return;
    clearTimeout(timer);
    timer = setTimeout(run, delayMs);
    timer.unref?.();
  };
  const run = () => {
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      let delay = intervalMs;
      try {
        const more = await tick(abort.signal);
        if (lastError) log.info({ loop: name }, `${name}: recovered`);
        lastError = '';
        if (more === true) delay = 0;
      } catch (err) {
        const text = (err as Error)?.message ?? String(err);
        // The same failure every tick (node down) is logged once, not every interval.
        if (text !== lastError) log.error({ err, loop: name }, `${name} failed; retrying`);
        lastError = text;
        delay = errorBackoffMs;
      } finally {
        running = undefined;
      }
      if (again) {
        again = false;
        delay = 0;
      }
      schedule(delay);
    })();
  };
  schedule(0);
  return {
    wake: () => (running ? (again = true) : schedule(0)),
    async stop() {
      abort.abort();
      clearTimeout(timer);
      await running;
    },
  };
}
