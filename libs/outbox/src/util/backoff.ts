/** Backoff settings with every default filled in. */
export interface ResolvedBackoff {
  initialMs: number;
  maxMs: number;
  multiplier: number;
  jitter: number;
}

/**
 * Delay before attempt `attempt + 1` after `attempt` failures (attempt >= 1): exponential,
 * capped, then spread by ± jitter so that many relays do not hammer a recovering broker together.
 */
export function backoffDelay(attempt: number, backoff: ResolvedBackoff, random: () => number = Math.random): number {
  const exponent = Math.max(0, attempt - 1);
  const base = Math.min(backoff.maxMs, backoff.initialMs * backoff.multiplier ** exponent);
  const spread = base * backoff.jitter;
  return Math.max(0, Math.round(base - spread + random() * 2 * spread));
}
