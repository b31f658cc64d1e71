import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { RpcClientFactory, type RpcClient } from '@tributary/rpc';
import { mapRpcErrorToHttp } from './calling/gateway-error.mapper';
import { mapGatewayRequest, type GatewayHttpInput } from './calling/gateway-request.mapper';
import { callWithRetry } from './calling/gateway-retry';
import { GATEWAY_ROUTE_TABLE, GATEWAY_SETTINGS } from './gateway.constants';
import { callPolicyOf, type GatewayCallPolicy, type GatewaySettings } from './gateway-settings';
import type { GatewayRoute } from './routing/gateway-route-table';

/**
 * Serves one gateway route: HTTP input → request DTO → RPC call under the route's deadline and
 * retry policy → result, or the RPC error as an HTTP error. The generated controller only calls this.
 */
@Injectable()
export class GatewayDispatcher implements OnModuleInit {
  private readonly logger = new Logger('TributaryGateway');
  private readonly clients = new Map<number, RpcClient>();
  private readonly policies = new Map<number, GatewayCallPolicy>();

  constructor(
    @Inject(GATEWAY_SETTINGS) private readonly settings: GatewaySettings,
    @Inject(GATEWAY_ROUTE_TABLE) private readonly table: GatewayRoute[],
    private readonly clientFactory: RpcClientFactory,
  ) {}

  /** Create one client per (transport, service) before the RPC transports start, so they start eagerly. */
  onModuleInit(): void {
    const byTarget = new Map<string, RpcClient>();
    for (const route of this.table) {
      const policy = callPolicyOf(route, this.settings);
      const key = `${policy.transport}:${route.service}`;
      let client = byTarget.get(key);
      if (!client) {
        client = this.clientFactory.client({ service: route.service, transport: policy.transport, timeoutMs: policy.timeoutMs });
        byTarget.set(key, client);
      }
      this.clients.set(route.id, client);
      this.policies.set(route.id, policy);
    }
  }

  /** The route table, as checked (for tools and tests). */
  get routes(): readonly GatewayRoute[] {
    return this.table;
  }

  /** The call policy of a route (its options over the module defaults). */
  policyOf(routeId: number): GatewayCallPolicy {
    return this.policies.get(routeId) ?? callPolicyOf(this.route(routeId), this.settings);
  }

  async handle(routeId: number, input: GatewayHttpInput, headers: Record<string, unknown> | undefined): Promise<unknown> {
    const route = this.route(routeId);
    const client = this.clients.get(routeId);
    const policy = this.policyOf(routeId);
    if (!client) throw new Error(`gateway route ${route.method} ${route.path} is not initialised yet`);
    const request = mapGatewayRequest(route, input);
    const rpcHeaders = this.forwardedHeaders(policy.forwardHeaders, headers);
    try {
      return await callWithRetry(policy, (timeout) =>
        client.call(route.contract as never, request as never, { timeout, headers: rpcHeaders, idempotent: route.idempotent }),
      );
    } catch (error) {
      const mapped = mapRpcErrorToHttp(error, route, policy.timeoutMs, this.settings.remoteErrorStatus);
      if (mapped.log) this.logger[mapped.log.level](`${route.method} ${route.path} → ${mapped.exception.getStatus()}: ${mapped.log.text}`);
      throw mapped.exception;
    }
  }

  private route(routeId: number): GatewayRoute {
    const route = this.table[routeId];
    if (!route) throw new Error(`no gateway route #${routeId}`);
    return route;
  }

  private forwardedHeaders(names: string[], headers: Record<string, unknown> | undefined): Record<string, string> {
    const forwarded: Record<string, string> = {};
    if (!headers) return forwarded;
    for (const name of names) {
      const value = headers[name];
      if (typeof value === 'string') forwarded[name] = value;
      else if (Array.isArray(value)) forwarded[name] = value.join(', ');
    }
    return forwarded;
  }
}
