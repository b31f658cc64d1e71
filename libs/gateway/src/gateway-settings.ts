import { DEFAULT_GATEWAY_ATTEMPTS, DEFAULT_GATEWAY_BACKOFF_MS, DEFAULT_GATEWAY_TIMEOUT_MS, DEFAULT_REMOTE_ERROR_STATUS } from './gateway.constants';
import { GatewayConfigurationException } from './exceptions/gateway-configuration.exception';
import type { GatewayModuleOptions } from './interfaces/gateway-module-options.interface';
import type { GatewayRetryOptions } from './interfaces/gateway-route.interface';
import { checkHeaderNames, checkInteger, checkRetryOptions, type GatewayRoute } from './routing/gateway-route-table';

/** How one route is called: its options over the module's defaults. */
export interface GatewayCallPolicy {
  /** Deadline of the whole call, ms. */
  timeoutMs: number;
  /** Attempts in all (1 for a route that is not idempotent). */
  attempts: number;
  /** Timeout of each attempt but the last, ms. */
  attemptTimeoutMs: number;
  backoffMs: number;
  transport: 'kafka' | 'tcp';
  forwardHeaders: string[];
}

/** The module's options, checked, with defaults applied. */
export interface GatewaySettings {
  defaultTimeoutMs: number;
  transport: 'kafka' | 'tcp';
  retry: GatewayRetryOptions;
  remoteErrorStatus: Record<string, number>;
  forwardHeaders: string[];
}

const KNOWN = new Set(['defaultTimeoutMs', 'transport', 'retry', 'remoteErrorStatus', 'forwardHeaders']);

/** Check `GatewayModule` options; throws `GatewayConfigurationException` saying what to fix. */
export function resolveGatewaySettings(options: GatewayModuleOptions = {}): GatewaySettings {
  const unknown = Object.keys(options ?? {}).filter((k) => !KNOWN.has(k));
  if (unknown.length > 0) throw new GatewayConfigurationException(`unknown option(s) ${unknown.join(', ')}; known: ${[...KNOWN].join(', ')}`);
  checkInteger('`defaultTimeoutMs`', options.defaultTimeoutMs, 1);
  checkRetryOptions('', options.retry);
  checkHeaderNames('', options.forwardHeaders);
  const transport = options.transport ?? 'kafka';
  if (transport !== 'kafka' && transport !== 'tcp') throw new GatewayConfigurationException(`\`transport\` must be 'kafka' or 'tcp', got ${JSON.stringify(transport)}`);
  const remoteErrorStatus = { ...DEFAULT_REMOTE_ERROR_STATUS, ...(options.remoteErrorStatus ?? {}) };
  for (const [code, status] of Object.entries(remoteErrorStatus)) {
    checkInteger(`\`remoteErrorStatus.${code}\``, status, 400, 599);
  }
  return {
    defaultTimeoutMs: options.defaultTimeoutMs ?? DEFAULT_GATEWAY_TIMEOUT_MS,
    transport,
    retry: options.retry ?? {},
    remoteErrorStatus,
    forwardHeaders: options.forwardHeaders ?? [],
  };
}

/** How `route` is called under `settings`. */
export function callPolicyOf(route: GatewayRoute, settings: GatewaySettings): GatewayCallPolicy {
  const timeoutMs = route.timeoutMs ?? settings.defaultTimeoutMs;
  const retry = { ...settings.retry, ...(route.retry ?? {}) };
  const attempts = route.idempotent ? (retry.attempts ?? DEFAULT_GATEWAY_ATTEMPTS) : 1;
  return {
    timeoutMs,
    attempts,
    attemptTimeoutMs: Math.max(1, Math.min(timeoutMs, retry.attemptTimeoutMs ?? Math.floor(timeoutMs / attempts))),
    backoffMs: retry.backoffMs ?? DEFAULT_GATEWAY_BACKOFF_MS,
    transport: route.transport ?? settings.transport,
    forwardHeaders: [...new Set([...settings.forwardHeaders, ...(route.forwardHeaders ?? [])])],
  };
}
