import { Inject, Injectable } from '@nestjs/common';
import { KafkaClient } from '@tributary/kafka';
import type { RpcModuleOptions } from './interfaces/rpc-module-options.interface';
import { RPC_MODULE_OPTIONS } from './rpc-module-definition';
import { resolveRpcOptions, type ResolvedRpcOptions } from './rpc-options';

/** The resolved RPC options of this app, checked once at construction. */
@Injectable()
export class RpcSettings {
  readonly value: ResolvedRpcOptions;

  constructor(@Inject(RPC_MODULE_OPTIONS) options: RpcModuleOptions, kafka: KafkaClient) {
    this.value = resolveRpcOptions(options ?? {}, kafka.serviceName, kafka.options.slowOperationThresholdMs);
  }
}
