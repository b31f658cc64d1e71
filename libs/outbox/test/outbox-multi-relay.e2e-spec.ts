import type { INestApplicationContext } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { KafkaClient } from '@tributary/kafka';
import { OutboxPublisher, OutboxRelay } from '@tributary/outbox';
import { postgresUrl, testBrokers, TopicCapture, uniqueIdentifier, uniqueName, waitFor } from '@tributary/testing';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { ChildApp } from '../../../test/support/child-app';
import { checkDelivery, databaseOptions, defineOrderEvent, dropOutboxTables, startOutboxApp } from './outbox-test.fixtures';

const KEYS = 200;
const SEQS = 100;
const LANES = 32;

interface RelayProcess {
  name: string;
  app: ChildApp;
  /** Resolves once the relay printed READY; rejects if it exits first. */
  ready: Promise<unknown>;
}

function spawnRelay(name: string, env: Record<string, string>): RelayProcess {
  const app = ChildApp.start(join(__dirname, 'relay-process.ts'), { ...env, OUTBOX_INSTANCE: name });
  // Generous: ts-node children compile and boot (three at once), slow on a loaded 2-core machine.
  const ready = app.waitForLine(/READY/, 180_000);
  ready.catch(() => undefined);
  return { name, app, ready };
}

describe('outbox with three relay processes (PostgreSQL)', () => {
  const brokers = testBrokers();
  const topic = uniqueName('outbox-multi');
  const tableName = uniqueIdentifier('outbox_multi');
  const OrderPlaced = defineOrderEvent(topic);
  const relays: RelayProcess[] = [];
  let app: INestApplicationContext;
  let dataSource: DataSource;
  let capture: TopicCapture;

  beforeAll(async () => {
    app = await startOutboxApp({
      brokers,
      database: databaseOptions('postgres'),
      outbox: { tableName, lanes: LANES, ensureSchema: true, relay: { enabled: false } },
    });
    dataSource = app.get(getDataSourceToken());
    await app.get(KafkaClient).admin.ensureTopics([{ topic, numPartitions: 6 }]);
    capture = await TopicCapture.start(brokers, [topic]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(relays.map((r) => r.app.kill('SIGKILL')));
    await capture?.stop();
    await dropOutboxTables(dataSource, tableName);
    await app?.close();
  }, 60_000);

  it('delivers 20,000 events over many keys in per-key order, with one relay SIGKILLed mid-batch and restarted', async () => {
    const publisher = app.get(OutboxPublisher);
    const published = new Map<string, { key: string; seq: number }>();
    const publishSeqs = async (from: number, to: number) => {
      for (let seq = from; seq < to; seq++) {
        // One transaction per 100 events, keys interleaved, each key's seq increasing.
        for (let start = 0; start < KEYS; start += 100) {
          const batch = Array.from({ length: 100 }, (_, i) => new OrderPlaced({ orderId: `key-${start + i}`, seq }));
          const ids = await dataSource.transaction((m) => publisher.publish(m, batch));
          ids.forEach((id, i) => published.set(id, { key: batch[i].orderId, seq }));
        }
      }
    };

    // Half the events wait as a backlog. relay-1 starts on it alone and dies mid-batch (after Kafka
    // acked its 5th batch, before marking it): alone, it surely gets those 5 batches; started with
    // the others, it could boot late, find the backlog drained and never die. Then three relays
    // (relay-1b is relay-1 restarted) share the rest of the backlog, the lanes relay-1 left leased
    // once their lease expires, and the second half, published while they run.
    await publishSeqs(0, SEQS / 2);
    const env = { KAFKA_BROKERS: brokers.join(','), DATABASE_URL: postgresUrl(), OUTBOX_TABLE: tableName, OUTBOX_LANES: String(LANES) };
    relays.push(spawnRelay('relay-1', { ...env, OUTBOX_CRASH_AFTER_BATCHES: '5' }));
    await relays[0].ready;
    let crashed: { signal: NodeJS.Signals | null } | undefined;
    void relays[0].app.exited.then((exit) => (crashed = exit));
    await waitFor(() => crashed !== undefined, { timeoutMs: 60_000, description: 'relay-1 to die after its 5th batch' });
    expect(crashed!.signal).toBe('SIGKILL');
    for (const name of ['relay-2', 'relay-3', 'relay-1b']) relays.push(spawnRelay(name, env));
    await Promise.all(relays.map((r, i) => (i === 0 ? undefined : r.ready)));
    await publishSeqs(SEQS / 2, SEQS);

    await waitFor(() => new Set(capture.messages.map((m) => m.headers['tributary-event-id'])).size >= KEYS * SEQS, {
      timeoutMs: 150_000,
      intervalMs: 250,
      description: `${KEYS * SEQS} distinct events`,
    });
    await waitFor(async () => (await app.get(OutboxRelay).metrics()).pending === 0, { description: 'an empty outbox' });

    const survivors = relays.slice(1);
    await Promise.all(survivors.map((r) => r.app.kill('SIGTERM')));
    const shippedBy = survivors.map((r) => `${r.name}=${/SHIPPED (\d+)/.exec(r.app.lines.join('\n'))?.[1] ?? '?'}`);

    const report = checkDelivery(capture.messages, published);
    console.log(
      `outbox multi-relay: ${published.size} published, ${report.received} distinct received, ` +
        `${report.duplicates} duplicates (${capture.messages.length} messages), shipped by ${shippedBy.join(' ')} (+ relay-1 before its SIGKILL)`,
    );
    expect(published.size).toBe(KEYS * SEQS);
    expect(report.missing).toEqual([]);
    expect(report.outOfOrder).toEqual([]);
    expect(report.received).toBe(KEYS * SEQS);
    // The relays run with retentionMs 0: acked rows were deleted, not kept.
    expect(await dataSource.query(`SELECT id FROM "${tableName}" LIMIT 1`)).toEqual([]);
  }, 480_000);
});
