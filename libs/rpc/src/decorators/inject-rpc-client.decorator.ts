import { Inject } from '@nestjs/common';

/** Injection token of the RPC client of `service`. */
export function rpcClientToken(service: string): string {
  return `tributary:rpc-client:${service}`;
}

/**
 * Injects the `RpcClient` of a service registered with `RpcModule.forRoot({ clients })` or
 * `RpcModule.registerClients`.
 */
export const InjectRpcClient = (service: string): ParameterDecorator & PropertyDecorator => Inject(rpcClientToken(service));
