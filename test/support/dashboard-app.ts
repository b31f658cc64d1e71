import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TributaryAdminModule, TributaryDashboardModule } from '@tributary/admin';
import { DiscoveryModule } from '@tributary/discovery';
import { IntegrationEvent, KafkaModule } from '@tributary/kafka';
import { OutboxModule } from '@tributary/outbox';
import { On, Projection, ProjectionsModule, type ProjectionContext } from '@tributary/projections';
import { postgresUrl, uniqueIdentifier, uniqueName } from '@tributary/testing';
import { IsInt, IsString } from 'class-validator';

/** Names of one run of the dashboard test: a service, its event topic, outbox and read-model tables. */
export function dashboardFixtureNames() {
  return {
    service: uniqueName('dash-ledger'),
    topic: uniqueName('dash-ledger-events'),
    outboxTable: uniqueIdentifier('dash_outbox'),
    ledgerTable: uniqueIdentifier('dash_ledger'),
    projection: uniqueName('ledger-view'),
  };
}

export type DashboardFixtureNames = ReturnType<typeof dashboardFixtureNames>;

/** What the test flips: a handler that throws on poison events, and one that is slow during a rebuild. */
export interface LedgerSwitches {
  failPoison: boolean;
  slowMs: number;
}

export interface LedgerEntryInit {
  accountId: string;
  seq: number;
  note: string;
}

/**
 * A real HTTP app of one service: outbox, a projection of its own events, discovery, the admin
 * layer and the dashboard (basic auth), under the global prefix `ops`, on 127.0.0.1 with port 0.
 */
export async function startDashboardApp(options: {
  brokers: string[];
  names: DashboardFixtureNames;
  switches: LedgerSwitches;
  basicAuth: { username: string; password: string };
}) {
  const { names, switches } = options;

  @IntegrationEvent({ type: `ledger.entry-added.${names.topic}`, topic: names.topic, key: 'accountId' })
  class LedgerEntryAdded {
    @IsString() accountId!: string;
    @IsInt() seq!: number;
    @IsString() note!: string;
    constructor(init?: LedgerEntryInit) {
      if (init) Object.assign(this, init);
    }
  }

  @Projection({ name: names.projection, tables: [names.ledgerTable] })
  class LedgerView {
    @On(LedgerEntryAdded)
    async added(event: LedgerEntryAdded, { manager, eventId }: ProjectionContext): Promise<void> {
      if (switches.failPoison && event.note === 'poison') throw new Error('ledger rejects poison entries (test switch)');
      if (switches.slowMs > 0) await new Promise((r) => setTimeout(r, switches.slowMs));
      await manager.query(`INSERT INTO ${names.ledgerTable} (event_id, account_id, seq, note) VALUES ($1, $2, $3, $4)`, [
        eventId,
        event.accountId,
        event.seq,
        event.note,
      ]);
    }
  }

  @Module({
    imports: [
      KafkaModule.forRoot({ brokers: options.brokers, serviceName: names.service, logLevel: 'nothing' }),
      TypeOrmModule.forRoot({ type: 'postgres', url: postgresUrl(), poolSize: 10 }),
      OutboxModule.forRoot({
        tableName: names.outboxTable,
        ensureSchema: true,
        events: [LedgerEntryAdded],
        topics: { numPartitions: 2 },
        relay: { pollIntervalMs: 100 },
      }),
      ProjectionsModule.forRoot({ maxAttempts: 2, retryBackoffMs: 1, progressIntervalMs: 200 }),
      DiscoveryModule.forRoot({ heartbeatIntervalMs: 1000, version: '1.2.3' }),
      TributaryAdminModule.forRoot({ progressIntervalMs: 200 }),
      TributaryDashboardModule.forRoot({ basicAuth: options.basicAuth, title: 'Tributary — ledger', refreshIntervalMs: 500 }),
    ],
    providers: [LedgerView],
  })
  class DashboardTestAppModule {}

  const app: INestApplication = await NestFactory.create(DashboardTestAppModule, { logger: ['error', 'warn'], abortOnError: false });
  app.setGlobalPrefix('ops');
  await app.listen(0, '127.0.0.1');
  const origin = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return { app, origin, LedgerEntryAdded };
}
