/** Exponential backoff: `initialMs * multiplier^(attempt-1)`, capped at `maxMs`, then spread by ± `jitter`. */
export interface BackoffPolicy {
  /** Delay after the first failure, ms. */
  initialMs: number;
  /** Upper bound of the delay before jitter, ms. */
  maxMs: number;
  /** Growth per failure (2 doubles; 1 keeps the delay constant). */
  multiplier: number;
  /** Relative spread, 0..1: 0.2 gives a delay within ±20 % of the capped value; 0 is deterministic. */
  jitter: number;
}

/**
 * Delay before the next try after `attempt` failures (attempt >= 1; lower values count as 1).
 * Pure: the random source is a parameter, so callers and tests can pin it.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exponent = Math.max(0, Math.floor(attempt) - 1);
  // Capped before it can overflow to Infinity for large attempts.
  const base = Math.min(policy.maxMs, policy.initialMs * Math.pow(policy.multiplier, Math.min(exponent, 1023)));
  const spread = base * policy.jitter;
  return Math.max(0, Math.round(base - spread + random() * 2 * spread));
}
