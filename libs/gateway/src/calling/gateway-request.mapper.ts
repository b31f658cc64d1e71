import type { HttpException } from '@nestjs/common';
import { convertTextValue } from '../routing/contract-fields';
import type { GatewayRoute } from '../routing/gateway-route-table';
import { gatewayHttpError } from './gateway-error-body';

/** What Nest hands the route: path params, query string and body, as parsed by the HTTP adapter. */
export interface GatewayHttpInput {
  params: Record<string, unknown> | undefined;
  query: Record<string, unknown> | undefined;
  body: unknown;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !Buffer.isBuffer(value);
}

/**
 * The request DTO's data from the HTTP input: query, then body, then path params (path params win).
 * Only the contract's fields are taken; path and query text becomes a number or a boolean where the
 * field is one. Throws a 400 `HttpException` for a body that is not a JSON object.
 */
export function mapGatewayRequest(route: GatewayRoute, input: GatewayHttpInput): Record<string, unknown> {
  const body = input.body;
  const hasBody = body !== undefined && body !== null && body !== '' && !(isPlainObject(body) && Object.keys(body).length === 0);
  if (hasBody && !isPlainObject(body)) throw badBody();
  const data: Record<string, unknown> = {};
  const take = (source: Record<string, unknown> | undefined, convert: boolean) => {
    if (!source) return;
    for (const [name, kind] of route.fields) {
      if (!Object.prototype.hasOwnProperty.call(source, name)) continue;
      const value = source[name];
      data[name] = convert ? convertTextValue(value, kind) : value;
    }
  };
  take(isPlainObject(input.query) ? input.query : undefined, true);
  take(hasBody ? (body as Record<string, unknown>) : undefined, false);
  take(isPlainObject(input.params) ? input.params : undefined, true);
  return data;
}

function badBody(): HttpException {
  return gatewayHttpError(400, 'The request body must be a JSON object (Content-Type: application/json)', {
    code: 'VALIDATION_FAILED',
    violations: [{ property: '(body)', constraints: ['must be a JSON object'] }],
  });
}
