/** Calls a merchant's error hook without letting a throwing logger break the never-throw promise of handlers. */
export function safeReport<A extends unknown[]>(hook: ((...args: A) => void) | undefined, ...args: A): void {
  if (!hook) return;
  try {
    hook(...args);
  } catch {
    // the hook is diagnostics only; its failure must not change the answer
  }
}
