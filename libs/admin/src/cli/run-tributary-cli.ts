import { Module, type DynamicModule, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { KafkaModule } from '@tributary/kafka';
import type { TributaryAdminModuleOptions } from '../interfaces/admin-module-options.interface';
import { TributaryAdminModule } from '../tributary-admin.module';
import { TributaryAdmin } from '../tributary-admin.service';
import { processIo, type CliIo } from './cli-io';
import { CliLogger } from './cli-logger';
import { executeCli, type CliBoot } from './cli-program';
import { CliUsageError } from './cli-usage.error';

/** Options of `runTributaryCli` and `runClusterCli`. */
export interface RunTributaryCliOptions {
  /** Options of the admin module the CLI adds to the app. @default {} */
  admin?: TributaryAdminModuleOptions;
  /** End the process with the exit code once the command is done. @default true */
  exit?: boolean;
  /** Where output goes. @default process stdout/stderr */
  io?: CliIo;
}

async function bootContext(imports: Array<Type<unknown> | DynamicModule>, io: CliIo, admin: TributaryAdminModuleOptions) {
  @Module({ imports: [...imports, TributaryAdminModule.forRoot({ ...admin, isGlobal: false })] })
  class TributaryCliModule {}
  const app = await NestFactory.createApplicationContext(TributaryCliModule, { logger: new CliLogger(io), abortOnError: false });
  try {
    await app.init();
    return { admin: app.select(TributaryCliModule).get(TributaryAdmin, { strict: false }), close: () => app.close() };
  } catch (e) {
    await app.close().catch(() => undefined);
    throw e;
  }
}

async function finish(code: number, options: RunTributaryCliOptions): Promise<number> {
  process.exitCode = code;
  if (options.exit ?? true) process.exit(code);
  return code;
}

/**
 * Run the `tributary` CLI inside your app, like nest-commander's `CommandFactory.run`: boots
 * `appModule` as an application context (no HTTP server), runs the command with access to the
 * app's outbox, projections and DataSource, closes the app. Resolves to the exit code.
 *
 * ```ts
 * // src/cli.ts
 * runTributaryCli(AppModule);
 * ```
 */
export async function runTributaryCli(appModule: Type<unknown> | DynamicModule, argv: string[] = process.argv, options: RunTributaryCliOptions = {}): Promise<number> {
  const io = options.io ?? processIo;
  const boot: CliBoot = () => bootContext([appModule], io, options.admin ?? {});
  return finish(await executeCli(argv, io, boot), options);
}

/** Run the CLI against the cluster alone (`--brokers` or `$KAFKA_BROKERS`): registry, topology, lag, dead letters. */
export async function runClusterCli(argv: string[] = process.argv, options: RunTributaryCliOptions = {}): Promise<number> {
  const io = options.io ?? processIo;
  const boot: CliBoot = (globals) => {
    const brokers = globals.brokers ?? process.env.KAFKA_BROKERS;
    if (!brokers) {
      throw new CliUsageError(
        'no brokers: pass --brokers 127.0.0.1:9092 (or set KAFKA_BROKERS), or run the CLI from your app with runTributaryCli(AppModule)',
        'tributary --brokers host:port[,host:port] <command>',
      );
    }
    return bootContext(
      [KafkaModule.forRoot({ brokers, serviceName: 'tributary-cli', logLevel: 'nothing', connectOnBootstrap: false, metrics: { enabled: false, defaultMetrics: false } })],
      io,
      { ...options.admin, clusterOnly: true, ...(globals.registryTopic ? { registryTopic: globals.registryTopic } : {}) },
    );
  };
  return finish(await executeCli(argv, io, boot), options);
}
