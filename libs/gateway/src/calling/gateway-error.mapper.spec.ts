import { HttpException } from '@nestjs/common';
import {
  RpcClientClosedException,
  RpcContract,
  RpcDeadlineExceededException,
  RpcRemoteException,
  RpcRequest,
  RpcUnavailableException,
  RpcUnknownMethodException,
  RpcValidationException,
} from '@tributary/rpc';
import { IsString } from 'class-validator';
import { DEFAULT_REMOTE_ERROR_STATUS } from '../gateway.constants';
import { resolveGatewayRoutes } from '../routing/gateway-route-table';
import { mapRpcErrorToHttp } from './gateway-error.mapper';

@RpcContract({ method: 'stock.level', service: 'stock' })
class GetLevel extends RpcRequest<void> {
  @IsString() sku!: string;
}

describe('mapRpcErrorToHttp', () => {
  const [route] = resolveGatewayRoutes({ routes: [{ method: 'GET', path: '/stock/:sku', contract: GetLevel }] });
  const map = (e: unknown) => {
    const { exception, log } = mapRpcErrorToHttp(e, route, 2000, { ...DEFAULT_REMOTE_ERROR_STATUS, OUT_OF_STOCK: 409 });
    return { status: exception.getStatus(), body: exception.getResponse() as Record<string, unknown>, log };
  };

  it.each([
    [new RpcValidationException('stock.level', 'client', 'request', [{ property: 'sku', constraints: ['sku must be a string'] }]), 400],
    [new RpcValidationException('stock.level', 'server', 'response', [{ property: 'x', constraints: ['bad'] }]), 502],
    [new RpcUnknownMethodException('stock', 'stock.level'), 501],
    [new RpcDeadlineExceededException('stock.level', 600), 504],
    [new RpcUnavailableException('stock', 'stock.level', 'connect ECONNREFUSED 10.1.2.3:4000'), 503],
    [new RpcClientClosedException('stock.level'), 503],
    [new RpcRemoteException('stock', 'stock.level', 'INTERNAL', 'at /srv/db.ts:12 password=x'), 502],
    [new RpcRemoteException('stock', 'stock.level', 'NOT_FOUND', 'no sku A'), 404],
    [new RpcRemoteException('stock', 'stock.level', 'OUT_OF_STOCK', 'none left'), 409],
    [new Error('boom at /srv/x.ts'), 500],
  ])('maps %p to %i', (error, status) => {
    const mapped = map(error);
    expect(mapped.status).toBe(status);
    expect(mapped.body.statusCode).toBe(status);
  });

  it('names the fields of a 400 and hides internals of 5xx answers (they go to the log)', () => {
    const invalid = map(new RpcValidationException('stock.level', 'client', 'request', [{ property: 'sku', constraints: ['sku must be a string'] }]));
    expect(invalid.body).toMatchObject({ message: 'Invalid request: sku broke its rules', violations: [{ property: 'sku' }] });
    for (const error of [
      new RpcRemoteException('stock', 'stock.level', 'INTERNAL', 'at /srv/db.ts:12 password=x'),
      new RpcUnavailableException('stock', 'stock.level', 'connect ECONNREFUSED 10.1.2.3:4000'),
      new Error('boom at /srv/x.ts'),
    ]) {
      const mapped = map(error);
      expect(JSON.stringify(mapped.body)).not.toMatch(/password|10\.1\.2\.3|\/srv\//);
      expect(mapped.log?.text).toBeDefined();
    }
    expect(map(new RpcRemoteException('stock', 'stock.level', 'PAYMENT_DECLINED', 'card 4111 declined')).body).toEqual({
      statusCode: 502,
      error: 'Bad Gateway',
      message: 'The stock service failed to handle the request',
      code: 'PAYMENT_DECLINED',
    });
    expect(map(new Error('x')).body).not.toHaveProperty('stack');
    expect(mapRpcErrorToHttp(new Error('x'), route, 1, {}).exception).toBeInstanceOf(HttpException);
  });
});
