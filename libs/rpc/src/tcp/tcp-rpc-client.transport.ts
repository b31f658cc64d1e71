import { Injectable, Optional, type BeforeApplicationShutdown } from '@nestjs/common';
import { ClientTCP } from '@nestjs/microservices';
import { DiscoveryClient } from '@tributary/discovery';
import { withTimeout } from '@tributary/kafka';
import { firstValueFrom, timeout, TimeoutError } from 'rxjs';
import { CorrelationIds } from '../client/correlation-ids';
import { RoundRobinBalancer } from '../client/round-robin-balancer';
import { RpcClientTransport, type OutgoingRpcRequest } from '../client/rpc-client-transport';
import { isRpcReply, type RpcReply } from '../errors/rpc-error.codec';
import { RpcClientClosedException } from '../exceptions/rpc-client-closed.exception';
import { RpcConfigurationException } from '../exceptions/rpc-configuration.exception';
import { RpcDeadlineExceededException } from '../exceptions/rpc-deadline-exceeded.exception';
import { RpcUnavailableException } from '../exceptions/rpc-unavailable.exception';
import { TCP_RPC_PATTERN } from '../rpc.constants';
import { remainingBudgetMs } from '../rpc-deadline';
import { RpcSettings } from '../rpc-settings';
import type { TcpRpcPacket } from './tcp-rpc-server';

/**
 * Calls straight to an instance's TCP address from the registry: round robin over live instances,
 * skipping those that failed lately. A request that never reached a server (connection refused)
 * moves on to the next instance; one lost mid-flight is retried elsewhere only when idempotent.
 */
@Injectable()
export class TcpRpcClientTransport extends RpcClientTransport implements BeforeApplicationShutdown {
  private readonly connections = new Map<string, ClientTCP>();
  private readonly balancers = new Map<string, RoundRobinBalancer>();
  private readonly correlationIds = new CorrelationIds();
  private closed = false;

  constructor(
    private readonly settings: RpcSettings,
    @Optional() private readonly discovery?: DiscoveryClient,
  ) {
    super();
  }

  async send(request: OutgoingRpcRequest): Promise<RpcReply> {
    if (this.closed) throw new RpcClientClosedException(request.method);
    if (!this.discovery) {
      throw new RpcConfigurationException(`the tcp client of "${request.service}" finds instances in the registry: import DiscoveryModule.forRoot({})`);
    }
    const expired = () => new RpcDeadlineExceededException(request.method, request.timeoutMs);
    await withTimeout(this.discovery.ready(), Math.max(1, request.deadline - Date.now()), expired);
    const addresses = this.discovery
      .instances(request.service)
      .flatMap((i) => i.endpoints.filter((e) => e.transport === 'tcp').map((e) => `${e.host}:${e.port}`));
    if (addresses.length === 0) throw new RpcUnavailableException(request.service, request.method, 'no live instance announces a tcp endpoint');
    const balancer = this.balancer(request.service);
    let lastError = 'no instance answered';
    for (const address of balancer.order(addresses)) {
      const remaining = request.deadline - Date.now();
      if (remaining <= 0) throw expired();
      const client = this.connection(address);
      try {
        await withTimeout(client.connect(), remaining, () => new Error(`connect to ${address} timed out`));
      } catch (e) {
        // Never reached the server: safe to try the next instance whatever the method.
        lastError = `${address}: ${(e as Error).message}`;
        this.drop(address, balancer);
        continue;
      }
      const packet: TcpRpcPacket = {
        method: request.method,
        payload: request.payload,
        correlationId: this.correlationIds.next(),
        timeoutMs: remainingBudgetMs(request.deadline),
        deadline: request.deadline,
        headers: request.headers,
        traceparent: request.traceparent,
      };
      try {
        const reply = await firstValueFrom(client.send<unknown>(TCP_RPC_PATTERN, packet).pipe(timeout({ first: remaining })));
        balancer.markHealthy(address);
        if (!isRpcReply(reply)) throw new RpcUnavailableException(request.service, request.method, `${address} sent a malformed reply`);
        return reply;
      } catch (e) {
        if (e instanceof TimeoutError) throw expired();
        if (e instanceof RpcUnavailableException) throw e;
        if (this.closed) throw new RpcClientClosedException(request.method);
        lastError = `${address}: ${(e as Error).message ?? String(e)}`;
        this.drop(address, balancer);
        if (!request.idempotent) {
          throw new RpcUnavailableException(request.service, request.method, `${lastError} (not retried: the call is not idempotent)`);
        }
      }
    }
    throw new RpcUnavailableException(request.service, request.method, lastError);
  }

  beforeApplicationShutdown(): void {
    this.closed = true;
    for (const client of this.connections.values()) client.close();
    this.connections.clear();
  }

  private connection(address: string): ClientTCP {
    let client = this.connections.get(address);
    if (!client) {
      const separator = address.lastIndexOf(':');
      client = new ClientTCP({ host: address.slice(0, separator), port: Number(address.slice(separator + 1)) });
      this.connections.set(address, client);
    }
    return client;
  }

  private drop(address: string, balancer: RoundRobinBalancer): void {
    balancer.markFailed(address);
    this.connections.get(address)?.close();
    this.connections.delete(address);
  }

  private balancer(service: string): RoundRobinBalancer {
    let balancer = this.balancers.get(service);
    if (!balancer) {
      balancer = new RoundRobinBalancer(this.settings.value.tcpFailureCooldownMs);
      this.balancers.set(service, balancer);
    }
    return balancer;
  }
}
