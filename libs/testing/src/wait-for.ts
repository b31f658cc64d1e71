/** Options of `waitFor`. */
export interface WaitForOptions {
  /** Give up after this long, ms. @default 30000 */
  timeoutMs?: number;
  /** Pause between checks, ms. @default 50 */
  intervalMs?: number;
  /** What was awaited, for the error message. @default 'condition' */
  description?: string;
}

/**
 * Poll `check` until it returns a truthy value (returned) or the time is up (throws, with the
 * last error `check` threw, if any). The bounded replacement for fixed sleeps in tests.
 */
export async function waitFor<T>(check: () => T | Promise<T>, options: WaitForOptions = {}): Promise<NonNullable<T>> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const intervalMs = options.intervalMs ?? 50;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() >= deadline) {
      const reason = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${options.description ?? 'condition'}${reason}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
