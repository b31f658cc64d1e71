import { RpcContract, RpcRequest } from '@tributary/rpc';
import { IsBoolean, IsInt, IsOptional, IsString, Min } from 'class-validator';
import { mapGatewayRequest } from '../calling/gateway-request.mapper';
import { GatewayRoute } from '../decorators/gateway-route.decorator';
import { callPolicyOf, resolveGatewaySettings } from '../gateway-settings';
import { resolveGatewayRoutes } from './gateway-route-table';

class Level {
  @IsString() sku!: string;
}

@RpcContract({ method: 'stock.level', service: 'stock', response: Level, idempotent: true })
class GetLevel extends RpcRequest<Level> {
  @IsString() sku!: string;
  @IsOptional() @IsInt() @Min(1) warehouse?: number;
  @IsOptional() @IsBoolean() fresh?: boolean;
  @IsOptional() @IsString() note?: string;
}

@RpcContract({ method: 'stock.reserve', service: 'stock' })
class Reserve extends RpcRequest<void> {
  @IsString() sku!: string;
  @IsInt() quantity!: number;
}

class NotAContract {}

@GatewayRoute('GET', '/stock/:sku', GetLevel, { timeoutMs: 1200 })
@GatewayRoute('POST', '/stock/:sku/reservations', Reserve)
class StockRoutes {}

describe('gateway route table', () => {
  it('reads routes from the table and from @GatewayRoute classes, in written order, with contract and idempotency', () => {
    const routes = resolveGatewayRoutes({ routes: [{ method: 'GET', path: 'levels/:sku/', contract: GetLevel, idempotent: false }], routeClasses: [StockRoutes] });
    expect(routes.map((r) => [r.method, r.path, r.rpcMethod, r.service, r.idempotent])).toEqual([
      ['GET', '/levels/:sku', 'stock.level', 'stock', false],
      ['GET', '/stock/:sku', 'stock.level', 'stock', true],
      ['POST', '/stock/:sku/reservations', 'stock.reserve', 'stock', false],
    ]);
    expect(routes[1].timeoutMs).toBe(1200);
  });

  it.each([
    [{ routes: [{ method: 'GET', path: '/x', contract: NotAContract }] }, /NotAContract is not an RPC contract/],
    [{ routes: [{ method: 'GET', path: '/x/:id', contract: GetLevel }] }, /:id are not validated fields of GetLevel/],
    [{ routes: [{ method: 'GET', path: '/x/*', contract: GetLevel }] }, /segment '\*' must be plain text/],
    [{ routes: [{ method: 'TRACE', path: '/x', contract: GetLevel }] }, /`method` must be one of/],
    [{ routes: [{ method: 'GET', path: '/x', contract: GetLevel, timeout: 5 }] }, /unknown option\(s\) timeout/],
    [{ routes: [{ method: 'GET', path: '/x', contract: GetLevel, retry: { attempts: 0 } }] }, /retry.attempts/],
    [
      { routes: [{ method: 'GET', path: '/s/:sku', contract: GetLevel }, { method: 'GET', path: '/s/:note', contract: GetLevel }] },
      /GET \/s\/:note \(GetLevel\) clashes with GET \/s\/:sku/,
    ],
    [{ routeClasses: [NotAContract] }, /NotAContract in `routeClasses` has no @GatewayRoute/],
  ])('refuses a wrong table, saying what to fix (%#)', (extras, message) => {
    expect(() => resolveGatewayRoutes(extras as never)).toThrow(message);
  });

  it('merges query, body and path params (path wins), converts path and query text by field type, drops unknown fields', () => {
    const [route] = resolveGatewayRoutes({ routes: [{ method: 'POST', path: '/stock/:sku', contract: GetLevel }] });
    expect(
      mapGatewayRequest(route, {
        params: { sku: 'A-1' },
        query: { sku: 'Q', warehouse: '3', fresh: 'true', note: '12', other: 'x' },
        body: { sku: 'B', note: 'from body', warehouse: 'not converted' },
      }),
    ).toEqual({ sku: 'A-1', warehouse: 'not converted', fresh: true, note: 'from body' });
    expect(mapGatewayRequest(route, { params: { sku: 'A' }, query: { warehouse: 'abc' }, body: undefined })).toEqual({ sku: 'A', warehouse: 'abc' });
    expect(() => mapGatewayRequest(route, { params: { sku: 'A' }, query: {}, body: [1] })).toThrow('The request body must be a JSON object');
  });

  it('applies module defaults: retries only idempotent routes, splitting the deadline between attempts', () => {
    const [level, reserve] = resolveGatewayRoutes({ routeClasses: [StockRoutes] });
    const settings = resolveGatewaySettings({ defaultTimeoutMs: 3000, forwardHeaders: ['x-request-id'] });
    expect(callPolicyOf(level, settings)).toEqual({ timeoutMs: 1200, attempts: 3, attemptTimeoutMs: 400, backoffMs: 25, transport: 'kafka', forwardHeaders: ['x-request-id'] });
    expect(callPolicyOf(reserve, settings)).toMatchObject({ timeoutMs: 3000, attempts: 1, attemptTimeoutMs: 3000 });
    expect(() => resolveGatewaySettings({ remoteErrorStatus: { OOPS: 200 } })).toThrow(/remoteErrorStatus.OOPS/);
  });
});
