import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { environmentValidator, IsBrokerList } from '../../shared/environment-validation';

/**
 * The gateway's environment, checked by `ConfigModule.forRoot({ validate })` at start-up: a bad
 * value stops the process with a message naming the variable. Every variable is optional.
 */
export class GatewayEnvironment {
  /** Kafka bootstrap servers. Default `127.0.0.1:9092`. */
  @IsOptional() @IsBrokerList() KAFKA_BROKERS?: string;
  /** HTTP port on 127.0.0.1 (0 = any free port). Default 3000. */
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(65535) GATEWAY_HTTP_PORT?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(65535) HTTP_PORT?: number;
  /** Bind address of the HTTP server. Default `127.0.0.1`. */
  @IsOptional() HTTP_HOST?: string;
  /** Basic-auth user of the operator dashboard at /tributary. Default `ops`. */
  @IsOptional() @IsString() @Length(1, 100) DASHBOARD_USER?: string;
  /** Basic-auth password of the dashboard; unset: the dashboard is not mounted. */
  @IsOptional() @IsString() @Length(8, 200) DASHBOARD_PASSWORD?: string;
}

export const validateGatewayEnvironment = environmentValidator('gateway', GatewayEnvironment);

/** The settings the module and main.ts use, defaults applied. */
export function gatewaySettings(env: { get<K extends keyof GatewayEnvironment>(key: K): GatewayEnvironment[K] | undefined }) {
  return {
    brokers: (env.get('KAFKA_BROKERS') ?? '127.0.0.1:9092').split(','),
    httpPort: env.get('GATEWAY_HTTP_PORT') ?? env.get('HTTP_PORT') ?? 3000,
    httpHost: env.get('HTTP_HOST') ?? '127.0.0.1',
    dashboardUser: env.get('DASHBOARD_USER') ?? 'ops',
    dashboardPassword: env.get('DASHBOARD_PASSWORD'),
  };
}
