import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { environmentValidator, IsBrokerList, IsDatabaseUrl } from '../../shared/environment-validation';

/**
 * The orders service's environment, checked by `ConfigModule.forRoot({ validate })` at start-up:
 * a bad value stops the process with a message naming the variable. Every variable is optional.
 * `ORDERS_*` names win over the generic ones, so several services can share one process (the demo).
 */
export class OrdersEnvironment {
  /** Kafka bootstrap servers. Default `127.0.0.1:9092`. */
  @IsOptional() @IsBrokerList() KAFKA_BROKERS?: string;
  /** Orders' database; unset: its own SQLite file `.tmp/orders.sqlite`. */
  @IsOptional() @IsDatabaseUrl() ORDERS_DATABASE_URL?: string;
  @IsOptional() @IsDatabaseUrl() DATABASE_URL?: string;
  /** HTTP port on 127.0.0.1 (0 = any free port). Default 3001. */
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(65535) ORDERS_HTTP_PORT?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(65535) HTTP_PORT?: number;
  /** Compacted topic of the dynamic configuration. Default `tributary.config`. */
  @IsOptional() @Matches(/^[A-Za-z0-9._-]{1,249}$/, { message: '$property must be a Kafka topic name' }) CONFIG_TOPIC?: string;
  /** Bind address of the HTTP server. Default `127.0.0.1`. */
  @IsOptional() HTTP_HOST?: string;
}

export const validateOrdersEnvironment = environmentValidator('orders', OrdersEnvironment);

/** The settings the module and main.ts use, defaults applied. */
export function ordersSettings(env: { get<K extends keyof OrdersEnvironment>(key: K): OrdersEnvironment[K] | undefined }) {
  return {
    brokers: (env.get('KAFKA_BROKERS') ?? '127.0.0.1:9092').split(','),
    databaseUrl: env.get('ORDERS_DATABASE_URL') ?? env.get('DATABASE_URL'),
    httpPort: env.get('ORDERS_HTTP_PORT') ?? env.get('HTTP_PORT') ?? 3001,
    httpHost: env.get('HTTP_HOST') ?? '127.0.0.1',
    configTopic: env.get('CONFIG_TOPIC') ?? 'tributary.config',
  };
}
