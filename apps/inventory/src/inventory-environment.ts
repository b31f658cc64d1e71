import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { environmentValidator, IsBrokerList, IsDatabaseUrl } from '../../shared/environment-validation';

/**
 * The inventory service's environment, checked by `ConfigModule.forRoot({ validate })` at start-up:
 * a bad value stops the process with a message naming the variable. Every variable is optional.
 * `INVENTORY_*` names win over the generic ones, so several services can share one process (the demo).
 */
export class InventoryEnvironment {
  /** Kafka bootstrap servers. Default `127.0.0.1:9092`. */
  @IsOptional() @IsBrokerList() KAFKA_BROKERS?: string;
  /** Inventory's own database (the replica); unset: its own SQLite file `.tmp/inventory.sqlite`. */
  @IsOptional() @IsDatabaseUrl() INVENTORY_DATABASE_URL?: string;
  @IsOptional() @IsDatabaseUrl() DATABASE_URL?: string;
  /** HTTP port (health, metrics) on 127.0.0.1 (0 = any free port). Default 3002. */
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(65535) INVENTORY_HTTP_PORT?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(65535) HTTP_PORT?: number;
  /** Bind address of the HTTP server. Default `127.0.0.1`. */
  @IsOptional() HTTP_HOST?: string;
}

export const validateInventoryEnvironment = environmentValidator('inventory', InventoryEnvironment);

/** The settings the module and main.ts use, defaults applied. */
export function inventorySettings(env: { get<K extends keyof InventoryEnvironment>(key: K): InventoryEnvironment[K] | undefined }) {
  return {
    brokers: (env.get('KAFKA_BROKERS') ?? '127.0.0.1:9092').split(','),
    databaseUrl: env.get('INVENTORY_DATABASE_URL') ?? env.get('DATABASE_URL'),
    httpPort: env.get('INVENTORY_HTTP_PORT') ?? env.get('HTTP_PORT') ?? 3002,
    httpHost: env.get('HTTP_HOST') ?? '127.0.0.1',
  };
}
