import { Injectable } from '@nestjs/common';
import { KafkaRpcClientTransport } from '../kafka/kafka-rpc-client.transport';
import type { RpcClientSpec } from '../interfaces/rpc-module-options.interface';
import { resolveClientSpec } from '../rpc-options';
import { RpcObserver } from '../observability/rpc-observer';
import { RpcSettings } from '../rpc-settings';
import { TcpRpcClientTransport } from '../tcp/tcp-rpc-client.transport';
import { RpcClient } from './rpc-client';

/** Builds `RpcClient`s on the app's shared transports (also usable directly for services known only at runtime). */
@Injectable()
export class RpcClientFactory {
  constructor(
    private readonly settings: RpcSettings,
    private readonly kafka: KafkaRpcClientTransport,
    private readonly tcp: TcpRpcClientTransport,
    private readonly observer: RpcObserver,
  ) {}

  client(spec: RpcClientSpec): RpcClient {
    const { service, transport, timeoutMs } = resolveClientSpec(spec, this.settings.value.defaultTimeoutMs);
    if (transport === 'tcp') return new RpcClient(service, this.tcp, timeoutMs, this.observer);
    this.kafka.register(service);
    return new RpcClient(service, this.kafka, timeoutMs, this.observer);
  }
}
