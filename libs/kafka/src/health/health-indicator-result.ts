/**
 * Result shape of a health indicator, the same as @nestjs/terminus' `HealthIndicatorResult`,
 * so `health.check([() => kafkaHealth.isHealthy('kafka')])` works without this lib importing terminus.
 */
export type TributaryHealthResult<Key extends string = string> = Record<
  Key,
  { status: 'up' | 'down'; [detail: string]: unknown }
>;

export function healthResult<Key extends string>(
  key: Key,
  up: boolean,
  details: Record<string, unknown> = {},
): TributaryHealthResult<Key> {
  return { [key]: { status: up ? 'up' : 'down', ...details } } as TributaryHealthResult<Key>;
}
