import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TributaryAdmin, TributaryAdminModule, type AdminActionResult } from '@tributary/admin';
import { IntegrationEvent, KafkaClient, KafkaModule } from '@tributary/kafka';
import { OutboxModule, OutboxPublisher } from '@tributary/outbox';
import { postgresUrl, testBrokers, TopicCapture, uniqueIdentifier, uniqueName, waitFor } from '@tributary/testing';
import { IsString } from 'class-validator';
import { ConfigResourceTypes } from 'kafkajs';
import { DataSource } from 'typeorm';

const ROWS = 12;

describe('TributaryAdmin outbox actions (PostgreSQL)', () => {
  const topic = uniqueName('admin-outbox');
  const tableName = uniqueIdentifier('admin_outbox');
  let app: INestApplicationContext;
  let admin: TributaryAdmin;
  let capture: TopicCapture;

  @IntegrationEvent<ParcelSent>({ type: `admin-test.parcel-sent.${topic}`, topic, key: 'parcelId' })
  class ParcelSent {
    @IsString() parcelId!: string;
    @IsString() padding!: string;
    constructor(init: ParcelSent) {
      Object.assign(this, init);
    }
  }

  beforeAll(async () => {
    // The topic refuses messages over 1000 bytes: the events below die (TOO_LARGE) until it is fixed.
    const kafka = new (await import('kafkajs')).Kafka({ brokers: testBrokers(), logLevel: 0 });
    const kAdmin = kafka.admin();
    await kAdmin.connect();
    await kAdmin.createTopics({ topics: [{ topic, numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '1000' }] }], waitForLeaders: true });
    await kAdmin.disconnect();

    @Module({
      imports: [
        KafkaModule.forRoot({ brokers: testBrokers(), serviceName: 'admin-test', logLevel: 'nothing', metrics: { enabled: false } }),
        TypeOrmModule.forRoot({ type: 'postgres', url: postgresUrl(), poolSize: 10 }),
        OutboxModule.forRoot({
          tableName,
          ensureSchema: true,
          events: [ParcelSent],
          relay: { pollIntervalMs: 100, maxAttempts: 2, retryBackoff: { initialMs: 50, maxMs: 100 } },
        }),
        TributaryAdminModule.forRoot({}),
      ],
    })
    class AdminTestModule {}
    app = await NestFactory.createApplicationContext(AdminTestModule, { logger: false, abortOnError: false });
    admin = app.get(TributaryAdmin);
    capture = await TopicCapture.start(testBrokers(), [topic]);
  });

  afterAll(async () => {
    await capture?.stop();
    await app?.get(DataSource).query(`DROP TABLE IF EXISTS "${tableName}"`).catch(() => undefined);
    await app?.get(DataSource).query(`DROP TABLE IF EXISTS "${tableName}_lanes"`).catch(() => undefined);
    await app?.close();
  });

  it('two operators requeuing all dead rows at once requeue and ship each row once', async () => {
    const dataSource = app.get(DataSource);
    await dataSource.transaction((manager) =>
      app.get(OutboxPublisher).publish(
        manager,
        Array.from({ length: ROWS }, (_, i) => new ParcelSent({ parcelId: `p-${i}`, padding: 'x'.repeat(2000) })),
      ),
    );
    await waitFor(async () => (await admin.outboxStatus())?.dead === ROWS, { timeoutMs: 60_000, description: `${ROWS} dead rows` });
    const dead = await admin.deadOutboxRows({ error: 'too_large', limit: 1000 });
    expect(dead).toHaveLength(ROWS);
    expect(dead[0].payload).toBeUndefined();
    expect(await admin.deadOutboxRows({ key: 'p-3' })).toEqual([expect.objectContaining({ key: 'p-3', attempts: 2 })]);

    // The fix: the topic takes big messages now.
    const kafkaAdmin = await app.get(KafkaClient).admin.client();
    await kafkaAdmin.alterConfigs({
      validateOnly: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries: [{ name: 'max.message.bytes', value: '1048576' }] }],
    });

    const results: AdminActionResult[] = await Promise.all([
      admin.requeueDeadOutboxRows('all', { name: 'alice', via: 'code' }),
      admin.requeueDeadOutboxRows('all', { name: 'bob', via: 'code' }),
    ]);
    // Each selects the rows still dead when its own query runs: all of them, or none when the other's
    // requeue committed first (12 rows are one UPDATE). Either way no row is requeued twice.
    for (const r of results) expect([0, ROWS]).toContain(r.selected);
    expect(Math.max(...results.map((r) => r.selected))).toBe(ROWS);
    expect(results[0].affected + results[1].affected).toBe(ROWS);

    await waitFor(async () => {
      const s = await admin.outboxStatus();
      return s && s.dead === 0 && s.pending === 0 && s.retrying === 0;
    }, { timeoutMs: 60_000, description: 'requeued rows shipped' });
    await capture.waitForCount(ROWS);
    // A while for a second copy to arrive, if one were sent: one more marker event must be all that follows.
    await dataSource.transaction((manager) => app.get(OutboxPublisher).publish(manager, new ParcelSent({ parcelId: 'marker', padding: '' })));
    await waitFor(() => capture.messages.some((m) => m.key === 'marker'), { description: 'marker event' });
    const ids = capture.messages.filter((m) => m.key !== 'marker').map((m) => m.headers['tributary-event-id']);
    expect(ids).toHaveLength(ROWS);
    expect(new Set(ids).size).toBe(ROWS);
  });

  it('purge by filter deletes only the matching dead rows; an empty filter is refused', async () => {
    await expect(admin.purgeDeadOutboxRows({}, { name: 'alice', via: 'code' })).rejects.toThrow(/pass 'all'/);
    await expect(admin.requeueDeadOutboxRows('all', { name: '', via: 'code' })).rejects.toThrow(/pass who acts/);
    const result = await admin.purgeDeadOutboxRows({ type: 'nothing.matches' }, { name: 'alice', via: 'code' });
    expect(result).toMatchObject({ action: 'outbox.purge', selected: 0, affected: 0 });
  });
});
