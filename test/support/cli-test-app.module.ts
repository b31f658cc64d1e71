import { Injectable, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DiscoveryModule } from '@tributary/discovery';
import { IntegrationEvent, KafkaModule } from '@tributary/kafka';
import { OutboxModule } from '@tributary/outbox';
import { On, Projection, ProjectionFailurePolicy, ProjectionsModule, type ProjectionContext } from '@tributary/projections';
import { postgresUrl } from '@tributary/testing';
import { IsOptional, IsString } from 'class-validator';

/**
 * A small Tributary app for test/cli.e2e-spec.ts, configured by environment variables so the test
 * (in-process) and the CLI (child processes through runTributaryCli) boot the same module.
 */
const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (test/cli.e2e-spec.ts sets it)`);
  return value;
};

export const CLI_TEST = {
  service: env('CLI_TEST_SERVICE'),
  topic: env('CLI_TEST_TOPIC'),
  outboxTable: env('CLI_TEST_OUTBOX_TABLE'),
  viewTable: env('CLI_TEST_VIEW_TABLE'),
  checkpointTable: env('CLI_TEST_CHECKPOINT_TABLE'),
  inboxTable: env('CLI_TEST_INBOX_TABLE'),
  registryTopic: env('CLI_TEST_REGISTRY_TOPIC'),
  projection: env('CLI_TEST_PROJECTION'),
};

@IntegrationEvent<ParcelScanned>({ type: 'cli-test.parcel-scanned', topic: CLI_TEST.topic, key: 'parcelId' })
export class ParcelScanned {
  @IsString() parcelId!: string;
  @IsOptional() @IsString() note?: string;
  @IsOptional() @IsString() padding?: string;
  constructor(init: ParcelScanned) {
    Object.assign(this, init);
  }
}

/** Counts scans per parcel; a `poison` scan fails while the file named by CLI_TEST_BROKEN_FLAG exists. */
@Projection({ name: CLI_TEST.projection, topics: [CLI_TEST.topic], tables: [CLI_TEST.viewTable] })
@Injectable()
export class ScansProjection {
  @On(ParcelScanned)
  async onScanned(event: ParcelScanned, ctx: ProjectionContext): Promise<void> {
    if (event.note === 'poison' && brokenFlagExists()) throw new Error('scanner firmware unknown');
    await ctx.manager.query(`INSERT INTO "${CLI_TEST.viewTable}" (event_id, parcel_id, note) VALUES ($1, $2, $3)`, [ctx.eventId, event.parcelId, event.note ?? null]);
  }
}

function brokenFlagExists(): boolean {
  const flag = process.env.CLI_TEST_BROKEN_FLAG;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return !!flag && (require('node:fs') as typeof import('node:fs')).existsSync(flag);
}

@Module({
  imports: [
    KafkaModule.forRoot({ brokers: env('KAFKA_BROKERS'), serviceName: CLI_TEST.service, logLevel: 'nothing', metrics: { enabled: false } }),
    TypeOrmModule.forRoot({ type: 'postgres', url: postgresUrl(), poolSize: 5 }),
    OutboxModule.forRoot({
      tableName: CLI_TEST.outboxTable,
      ensureSchema: true,
      events: [ParcelScanned],
      relay: { pollIntervalMs: 100, maxAttempts: 2, retryBackoff: { initialMs: 50, maxMs: 100 } },
    }),
    ProjectionsModule.forRoot({
      tables: { checkpoints: CLI_TEST.checkpointTable, inbox: CLI_TEST.inboxTable },
      failurePolicy: ProjectionFailurePolicy.DeadLetter,
      maxAttempts: 2,
      retryBackoffMs: 20,
      progressIntervalMs: 100,
      consumer: { sessionTimeout: 6000, heartbeatInterval: 500 },
    }),
    DiscoveryModule.forRoot({ registryTopic: CLI_TEST.registryTopic, version: '1.2.3' }),
  ],
  providers: [ScansProjection],
})
export class CliTestAppModule {}
