import { RpcDeadlineExceededException, RpcUnavailableException } from '@tributary/rpc';
import type { GatewayCallPolicy } from '../gateway-settings';

/** A call worth another attempt: it never got an answer (nothing says it failed on the server). */
export function isRetryableRpcError(error: unknown): boolean {
  return error instanceof RpcUnavailableException || error instanceof RpcDeadlineExceededException;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Run `attempt(timeoutMs)` under the policy: one attempt for a route that is not idempotent; else
 * up to `attempts`, each but the last bounded by `attemptTimeoutMs`, the last by what is left of the
 * deadline, retrying only calls that got no answer. Never runs past `timeoutMs` (plus the last
 * attempt's own settling). The error of the last attempt is thrown.
 */
export async function callWithRetry<T>(
  policy: Pick<GatewayCallPolicy, 'timeoutMs' | 'attempts' | 'attemptTimeoutMs' | 'backoffMs'>,
  attempt: (timeoutMs: number, attemptNumber: number) => Promise<T>,
  now: () => number = Date.now,
): Promise<T> {
  const deadline = now() + policy.timeoutMs;
  for (let n = 1; ; n++) {
    const remaining = deadline - now();
    const last = n >= policy.attempts;
    try {
      return await attempt(last ? Math.max(1, remaining) : Math.max(1, Math.min(policy.attemptTimeoutMs, remaining)), n);
    } catch (error) {
      // Another attempt needs time for the pause and a meaningful try (at least a millisecond).
      if (last || !isRetryableRpcError(error) || deadline - now() <= policy.backoffMs + 1) throw error;
      if (policy.backoffMs > 0) await sleep(policy.backoffMs);
    }
  }
}
