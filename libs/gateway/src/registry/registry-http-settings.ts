import { RegistryHttpConfigurationException } from '../exceptions/registry-http-configuration.exception';
import type { RegistryHttpModuleOptions } from '../interfaces/registry-http-options.interface';

/** Injection token of the options given to `RegistryHttpModule.forRoot`. */
export const REGISTRY_HTTP_MODULE_OPTIONS = Symbol('TRIBUTARY_REGISTRY_HTTP_OPTIONS');
/** Injection token of the checked options. */
export const REGISTRY_HTTP_SETTINGS = Symbol('TRIBUTARY_REGISTRY_HTTP_SETTINGS');

export type RegistryHttpSettings = Required<RegistryHttpModuleOptions>;

const KNOWN = new Set(['streamHeartbeatMs', 'readyTimeoutMs']);

/** Check the options and apply defaults; throws `RegistryHttpConfigurationException` saying what to fix. */
export function resolveRegistryHttpSettings(options: RegistryHttpModuleOptions = {}): RegistryHttpSettings {
  const unknown = Object.keys(options ?? {}).filter((k) => !KNOWN.has(k));
  if (unknown.length > 0) throw new RegistryHttpConfigurationException(`unknown option(s) ${unknown.join(', ')}; known: ${[...KNOWN].join(', ')}`);
  const streamHeartbeatMs = options.streamHeartbeatMs ?? 15_000;
  if (!Number.isInteger(streamHeartbeatMs) || streamHeartbeatMs < 100) {
    throw new RegistryHttpConfigurationException('`streamHeartbeatMs` must be an integer of at least 100 (ms)');
  }
  const readyTimeoutMs = options.readyTimeoutMs ?? 3000;
  if (!Number.isInteger(readyTimeoutMs) || readyTimeoutMs < 0) {
    throw new RegistryHttpConfigurationException('`readyTimeoutMs` must be an integer >= 0 (ms)');
  }
  return { streamHeartbeatMs, readyTimeoutMs };
}

/** Route of the endpoints without surrounding slashes; throws when it is not a plain URL path. */
export function normalizeRegistryPath(path: string): string {
  const trimmed = typeof path === 'string' ? path.replace(/^\/+|\/+$/g, '') : '';
  if (!/^[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*$/.test(trimmed)) {
    throw new RegistryHttpConfigurationException(
      `\`path\` must be a plain URL path such as 'registry' or '/ops/registry' (letters, digits, '.', '_', '~', '-'), got ${JSON.stringify(path)}`,
    );
  }
  return trimmed;
}
