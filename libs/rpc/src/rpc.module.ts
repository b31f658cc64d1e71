import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { DiscoveryModule as NestDiscoveryModule } from '@nestjs/core';
import { HandlerExplorer } from '@tributary/discovery';
import { RpcClientFactory } from './client/rpc-client.factory';
import { rpcClientToken } from './decorators/inject-rpc-client.decorator';
import type { RpcClientSpec } from './interfaces/rpc-module-options.interface';
import { KafkaRpcClientTransport } from './kafka/kafka-rpc-client.transport';
import { KafkaRpcServer } from './kafka/kafka-rpc-server';
import { RpcObserver } from './observability/rpc-observer';
import { RpcConfigurableModuleClass, RPC_OPTIONS_TYPE } from './rpc-module-definition';
import { RpcSettings } from './rpc-settings';
import { RpcDispatcher } from './server/rpc-dispatcher';
import { TcpRpcClientTransport } from './tcp/tcp-rpc-client.transport';
import { TcpRpcServer } from './tcp/tcp-rpc-server';

function clientProviders(clients: RpcClientSpec[]): Provider[] {
  return clients.map((spec) => ({
    provide: rpcClientToken(typeof spec === 'string' ? spec : spec.service),
    useFactory: (factory: RpcClientFactory) => factory.client(spec),
    inject: [RpcClientFactory],
  }));
}

/** Clients registered by `RpcModule.registerClients` in a feature module (uses the root RpcModule's transports). */
@Module({})
export class RpcClientsModule {}

/**
 * RPC over Kafka (and optionally Nest TCP): serves the app's `@RpcHandler`s and provides typed
 * clients. Needs `KafkaModule`; the tcp transport also needs `DiscoveryModule`. Global by default.
 *
 * ```ts
 * RpcModule.forRoot({ clients: ['inventory'] })
 * ```
 */
@Module({
  imports: [NestDiscoveryModule],
  providers: [
    RpcSettings,
    RpcObserver,
    HandlerExplorer,
    RpcDispatcher,
    KafkaRpcServer,
    KafkaRpcClientTransport,
    TcpRpcServer,
    TcpRpcClientTransport,
    RpcClientFactory,
  ],
  exports: [RpcClientFactory, KafkaRpcServer, TcpRpcServer, RpcDispatcher],
})
export class RpcModule extends RpcConfigurableModuleClass {
  static override forRoot(options: typeof RPC_OPTIONS_TYPE): DynamicModule {
    const base = super.forRoot(options);
    const clients = clientProviders(options.clients ?? []);
    return {
      ...base,
      providers: [...(base.providers ?? []), ...clients],
      exports: [...(base.exports ?? []), ...clients.map((p) => (p as { provide: string }).provide)],
    };
  }

  /** Register clients in a feature module: `RpcModule.registerClients(['inventory', { service: 'pricing', transport: 'tcp' }])`. */
  static registerClients(clients: RpcClientSpec[]): DynamicModule {
    const providers = clientProviders(clients);
    return { module: RpcClientsModule, providers, exports: providers.map((p) => (p as { provide: string }).provide) };
  }
}
