import type { Type } from '@nestjs/common';
import { getRpcContract } from '@tributary/rpc';
import { getGatewayRoutes } from '../decorators/gateway-route.decorator';
import { GatewayConfigurationException } from '../exceptions/gateway-configuration.exception';
import type { GatewayModuleExtras } from '../interfaces/gateway-module-options.interface';
import type { GatewayHttpMethod, GatewayRetryOptions, GatewayRouteDefinition } from '../interfaces/gateway-route.interface';
import { contractFields, type GatewayFieldKind } from './contract-fields';
import { parseGatewayPath } from './gateway-path';

/** A route checked at definition time; module-wide defaults are applied later (`GatewaySettings`). */
export interface GatewayRoute {
  /** Position in the table; names the controller method. */
  id: number;
  method: GatewayHttpMethod;
  path: string;
  params: string[];
  contract: Type<unknown>;
  /** Name of the contract class, for messages. */
  contractName: string;
  rpcMethod: string;
  service: string;
  /** DTO fields the gateway fills, with how path and query text is read for each. */
  fields: Map<string, GatewayFieldKind>;
  idempotent: boolean;
  successStatus: number;
  timeoutMs?: number;
  retry?: GatewayRetryOptions;
  transport?: 'kafka' | 'tcp';
  forwardHeaders?: string[];
}

const METHODS = new Set<GatewayHttpMethod>(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
const ROUTE_KEYS = new Set(['method', 'path', 'contract', 'timeoutMs', 'idempotent', 'retry', 'transport', 'successStatus', 'forwardHeaders']);
const RETRY_KEYS = new Set(['attempts', 'attemptTimeoutMs', 'backoffMs']);

/** `value` must be an integer >= min when given. */
export function checkInteger(what: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new GatewayConfigurationException(`${what} must be an integer from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ''}, got ${JSON.stringify(value)}`);
  }
}

/** Check a retry policy (`where` prefixes the messages). */
export function checkRetryOptions(where: string, retry: GatewayRetryOptions | undefined): void {
  if (retry === undefined) return;
  if (retry === null || typeof retry !== 'object') throw new GatewayConfigurationException(`${where}\`retry\` must be an object`);
  const unknown = Object.keys(retry).filter((k) => !RETRY_KEYS.has(k));
  if (unknown.length > 0) throw new GatewayConfigurationException(`${where}unknown retry option(s) ${unknown.join(', ')}; known: ${[...RETRY_KEYS].join(', ')}`);
  checkInteger(`${where}\`retry.attempts\``, retry.attempts, 1, 10);
  checkInteger(`${where}\`retry.attemptTimeoutMs\``, retry.attemptTimeoutMs, 1);
  checkInteger(`${where}\`retry.backoffMs\``, retry.backoffMs, 0);
}

/** Check a header list (`where` prefixes the messages). */
export function checkHeaderNames(where: string, headers: unknown): void {
  if (headers === undefined) return;
  if (!Array.isArray(headers) || headers.some((h) => typeof h !== 'string' || !/^[a-z0-9!#$%&'*+.^_`|~-]+$/.test(h))) {
    throw new GatewayConfigurationException(`${where}\`forwardHeaders\` must be lower-case header names, e.g. ['x-request-id']`);
  }
}

function transportOf(where: string, transport: unknown): 'kafka' | 'tcp' | undefined {
  if (transport === undefined || transport === 'kafka' || transport === 'tcp') return transport;
  throw new GatewayConfigurationException(`${where}\`transport\` must be 'kafka' or 'tcp', got ${JSON.stringify(transport)}`);
}

function resolveRoute(definition: GatewayRouteDefinition, id: number): GatewayRoute {
  if (!definition || typeof definition !== 'object') throw new GatewayConfigurationException(`route #${id + 1} must be an object { method, path, contract }`);
  const where = `route ${String(definition.method)} ${String(definition.path)}: `;
  const unknown = Object.keys(definition).filter((k) => !ROUTE_KEYS.has(k));
  if (unknown.length > 0) throw new GatewayConfigurationException(`${where}unknown option(s) ${unknown.join(', ')}; known: ${[...ROUTE_KEYS].join(', ')}`);
  const method = typeof definition.method === 'string' ? (definition.method.toUpperCase() as GatewayHttpMethod) : undefined;
  if (!method || !METHODS.has(method)) throw new GatewayConfigurationException(`${where}\`method\` must be one of ${[...METHODS].join(', ')}`);
  const { path, params } = parseGatewayPath(definition.path);
  const contract = getRpcContract(definition.contract);
  if (!contract) {
    const name = (definition.contract as { name?: string } | undefined)?.name ?? String(definition.contract);
    throw new GatewayConfigurationException(`${where}${name} is not an RPC contract: decorate it with @RpcContract({ method, service })`);
  }
  const fields = contractFields(definition.contract);
  const missing = params.filter((p) => !fields.has(p));
  if (missing.length > 0) {
    throw new GatewayConfigurationException(
      `${where}path parameter(s) ${missing.map((p) => `:${p}`).join(', ')} are not validated fields of ${definition.contract.name}; ` +
        'add the field with a class-validator rule (e.g. @IsString()) or rename the parameter',
    );
  }
  checkInteger(`${where}\`timeoutMs\``, definition.timeoutMs, 1);
  checkInteger(`${where}\`successStatus\``, definition.successStatus, 200, 299);
  checkRetryOptions(where, definition.retry);
  checkHeaderNames(where, definition.forwardHeaders);
  if (definition.idempotent !== undefined && typeof definition.idempotent !== 'boolean') {
    throw new GatewayConfigurationException(`${where}\`idempotent\` must be true or false`);
  }
  return {
    id,
    method,
    path,
    params,
    contract: definition.contract,
    contractName: definition.contract.name,
    rpcMethod: contract.method,
    service: contract.service,
    fields,
    idempotent: definition.idempotent ?? contract.idempotent,
    successStatus: definition.successStatus ?? 200,
    timeoutMs: definition.timeoutMs,
    retry: definition.retry,
    transport: transportOf(where, definition.transport),
    forwardHeaders: definition.forwardHeaders,
  };
}

/**
 * The route table of a `GatewayModule.forRoot` call: the `routes` list then every `@GatewayRoute`
 * of the `routeClasses`, each checked; a method and path given twice is refused.
 */
export function resolveGatewayRoutes(extras: GatewayModuleExtras): GatewayRoute[] {
  if (extras.routes !== undefined && !Array.isArray(extras.routes)) throw new GatewayConfigurationException('`routes` must be an array of { method, path, contract }');
  if (extras.routeClasses !== undefined && !Array.isArray(extras.routeClasses)) throw new GatewayConfigurationException('`routeClasses` must be an array of classes');
  const definitions = [...(extras.routes ?? [])];
  for (const type of extras.routeClasses ?? []) {
    const declared = typeof type === 'function' ? getGatewayRoutes(type) : [];
    if (declared.length === 0) {
      throw new GatewayConfigurationException(`${(type as { name?: string })?.name ?? String(type)} in \`routeClasses\` has no @GatewayRoute`);
    }
    definitions.push(...declared);
  }
  const routes = definitions.map(resolveRoute);
  const seen = new Map<string, GatewayRoute>();
  for (const route of routes) {
    // `/stock/:sku` and `/stock/:id` match the same requests.
    const shape = `${route.method} ${route.path.replace(/:[^/]+/g, ':')}`;
    const other = seen.get(shape);
    if (other) {
      throw new GatewayConfigurationException(
        `${route.method} ${route.path} (${route.contractName}) clashes with ${other.method} ${other.path} (${other.contractName}); give each a distinct method or path`,
      );
    }
    seen.set(shape, route);
  }
  return routes;
}
