import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, registerDecorator, validateSync, type ValidationOptions } from 'class-validator';

/** Thrown at start-up when an environment variable has a bad value; names every bad variable. */
export class InvalidEnvironmentException extends Error {
  constructor(service: string, problems: string[]) {
    super(`${service}: invalid environment — ${problems.join('; ')}. Fix these variables and start again.`);
    this.name = 'InvalidEnvironmentException';
  }
}

/**
 * The `validate` function of `ConfigModule.forRoot({ validate })`: converts the environment into
 * `envClass` (strings to numbers where declared) and checks its class-validator rules. Returns only
 * the variables the class declares and the environment sets, so nothing is invented into
 * `process.env` (defaults live where the settings are read).
 */
export function environmentValidator<T extends object>(service: string, envClass: new () => T): (config: Record<string, unknown>) => T {
  return (config) => {
    const instance = plainToInstance(envClass, config, { enableImplicitConversion: true, excludeExtraneousValues: false });
    const errors = validateSync(instance, { skipMissingProperties: false, forbidUnknownValues: false });
    if (errors.length > 0) {
      throw new InvalidEnvironmentException(
        service,
        errors.map((e) => `${Object.values(e.constraints ?? {}).join(', ')} (got ${JSON.stringify(config[e.property])})`),
      );
    }
    const declared = new Set(getMetadataStorage().getTargetValidationMetadatas(envClass, '', true, false).map((m) => m.propertyName));
    const result = new envClass();
    for (const key of declared) {
      const value = (instance as Record<string, unknown>)[key];
      if (value !== undefined) (result as Record<string, unknown>)[key] = value;
    }
    return result;
  };
}

/** `host:port[,host:port…]` — the shape of KAFKA_BROKERS. */
export function IsBrokerList(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isBrokerList',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: '$property must be a comma-separated list of host:port', ...options },
      validator: { validate: (value: unknown) => typeof value === 'string' && /^[^\s,:]+:\d{1,5}(,[^\s,:]+:\d{1,5})*$/.test(value) },
    });
}

/** `postgres://…`, `mysql://…`, `mariadb://…`, `sqlite:<file>` or a bare SQLite file path. */
export function IsDatabaseUrl(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isDatabaseUrl',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: '$property must be a postgres://, mysql:// or mariadb:// URL, or an SQLite file path', ...options },
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' && value.length > 0 && (/^(postgres(ql)?|mysql|mariadb):\/\/\S+$/.test(value) || (!value.includes('://') && /^(sqlite:)?\S+$/.test(value))),
      },
    });
}
