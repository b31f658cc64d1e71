import { Injectable, Logger, Optional, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { ServerTCP } from '@nestjs/microservices';
import { ServiceRegistry } from '@tributary/discovery';
import { ServiceTopology } from '@tributary/kafka';
import type { AddressInfo, Server } from 'node:net';
import type { RpcReply } from '../errors/rpc-error.codec';
import { TCP_RPC_PATTERN } from '../rpc.constants';
import { localDeadline } from '../rpc-deadline';
import { RpcSettings } from '../rpc-settings';
import { RpcDispatcher } from '../server/rpc-dispatcher';

/** What a direct TCP caller sends. */
export interface TcpRpcPacket {
  method: string;
  payload: unknown;
  correlationId: string;
  /** The caller's remaining budget when it sent the request, ms: the server's deadline is receipt + this. */
  timeoutMs?: number;
  /** Epoch ms on the caller's clock; used only without `timeoutMs` (callers that predate it). */
  deadline?: number;
  headers?: Record<string, string>;
  /** W3C trace context of the caller's CLIENT span. */
  traceparent?: string;
}

/**
 * Serves the app's `@RpcHandler`s over Nest's TCP transport too (option `tcp`), and announces the
 * address in the registry so direct callers can balance across instances.
 */
@Injectable()
export class TcpRpcServer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(TcpRpcServer.name);
  private server?: ServerTCP;
  /** The port actually listened on (useful with `port: 0`). */
  port?: number;

  constructor(
    private readonly settings: RpcSettings,
    private readonly dispatcher: RpcDispatcher,
    private readonly topology: ServiceTopology,
    @Optional() private readonly registry?: ServiceRegistry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const tcp = this.settings.value.tcp;
    const methods = this.dispatcher.methods();
    if (!tcp || methods.length === 0) return;
    const server = new ServerTCP({ host: tcp.host, port: tcp.port });
    server.addHandler(TCP_RPC_PATTERN, (packet: TcpRpcPacket) => this.handle(packet));
    await new Promise<void>((resolve, reject) => server.listen((err?: unknown) => (err ? reject(err as Error) : resolve())));
    this.server = server;
    this.port = (server.unwrap<Server>().address() as AddressInfo).port;
    for (const method of methods) this.topology.addServed({ method, transport: 'tcp' });
    this.logger.log(`serving ${methods.length} RPC method(s) over TCP on ${tcp.host}:${this.port}`);
    await this.registry?.addEndpoint({ transport: 'tcp', host: tcp.advertisedHost, port: this.port });
  }

  beforeApplicationShutdown(): void {
    this.server?.close();
    this.server = undefined;
  }

  private async handle(packet: TcpRpcPacket): Promise<RpcReply | null> {
    const deadline = localDeadline(packet?.timeoutMs, packet?.deadline);
    const reply = await this.dispatcher.dispatch({
      method: String(packet?.method),
      payload: packet?.payload,
      correlationId: String(packet?.correlationId ?? ''),
      // A packet without any deadline gets the app's default timeout.
      deadline: deadline ?? Date.now() + this.settings.value.defaultTimeoutMs,
      transport: 'tcp',
      headers: packet?.headers ?? {},
      traceparent: typeof packet?.traceparent === 'string' ? packet.traceparent : undefined,
    });
    // null: expired; the caller has given up and ignores it.
    return reply ?? null;
  }
}
