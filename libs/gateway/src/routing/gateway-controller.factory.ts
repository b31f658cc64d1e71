import { Body, Controller, Headers, HttpCode, Param, Query, RequestMapping, RequestMethod, type Type } from '@nestjs/common';
import type { GatewayHttpInput } from '../calling/gateway-request.mapper';
import { GatewayDispatcher } from '../gateway.dispatcher';
import type { GatewayRoute } from './gateway-route-table';

type RouteHandler = (
  this: { dispatcher: GatewayDispatcher },
  params: GatewayHttpInput['params'],
  query: GatewayHttpInput['query'],
  body: unknown,
  headers: Record<string, unknown>,
) => Promise<unknown>;

/**
 * A controller with one real Nest route per table entry, built with Nest's own decorators (so the
 * app's global prefix, guards, interceptors and filters apply, and Express and Fastify both serve
 * it). A class per module definition, because routes are decorator metadata.
 */
export function createGatewayController(routes: readonly GatewayRoute[]): Type<unknown> {
  @Controller()
  class TributaryGatewayController {
    constructor(readonly dispatcher: GatewayDispatcher) {}
  }
  const prototype = TributaryGatewayController.prototype as unknown as Record<string, unknown>;
  for (const route of routes) {
    const name = `${route.method.toLowerCase()}${route.id}`;
    const handler: RouteHandler = function (params, query, body, headers) {
      return this.dispatcher.handle(route.id, { params, query, body }, headers);
    };
    Object.defineProperty(prototype, name, { value: handler, writable: true, configurable: true, enumerable: false });
    const descriptor = Object.getOwnPropertyDescriptor(prototype, name)!;
    RequestMapping({ path: route.path, method: RequestMethod[route.method] })(prototype, name, descriptor);
    HttpCode(route.successStatus)(prototype, name, descriptor);
    Param()(prototype, name, 0);
    Query()(prototype, name, 1);
    Body()(prototype, name, 2);
    Headers()(prototype, name, 3);
  }
  return TributaryGatewayController;
}
