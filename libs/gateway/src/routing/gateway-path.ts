import { GatewayConfigurationException } from '../exceptions/gateway-configuration.exception';

const STATIC_SEGMENT = /^[A-Za-z0-9._~-]+$/;
const PARAM_SEGMENT = /^:([A-Za-z_][A-Za-z0-9_]*)$/;

/** A route path checked for portability (Express and Fastify read it the same way). */
export interface GatewayPath {
  /** Normalized, with a leading slash and no trailing one, e.g. `/stock/:sku`. */
  path: string;
  /** Names of its `:params`, in order. */
  params: string[];
}

/**
 * Check and normalize a route path: static segments and `:name` parameters only (no wildcards,
 * optional parts or regular expressions, which the two HTTP adapters spell differently).
 */
export function parseGatewayPath(path: string): GatewayPath {
  if (typeof path !== 'string') throw new GatewayConfigurationException(`a route path must be a string like '/stock/:sku', got ${JSON.stringify(path)}`);
  const segments = path.split('/').filter((s) => s.length > 0);
  const params: string[] = [];
  for (const segment of segments) {
    const param = PARAM_SEGMENT.exec(segment);
    if (param) {
      if (params.includes(param[1])) throw new GatewayConfigurationException(`route '${path}' names the parameter :${param[1]} twice`);
      params.push(param[1]);
    } else if (!STATIC_SEGMENT.test(segment)) {
      throw new GatewayConfigurationException(
        `route '${path}': segment '${segment}' must be plain text (letters, digits, '.', '_', '~', '-') or a parameter like ':sku'`,
      );
    }
  }
  return { path: `/${segments.join('/')}`, params };
}
