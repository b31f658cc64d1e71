import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TributaryAdmin, TributaryAdminModule } from '@tributary/admin';
import { KafkaClient } from '@tributary/kafka';
import { OutboxPublisher } from '@tributary/outbox';
import { testBrokers, uniqueIdentifier, uniqueName, waitFor } from '@tributary/testing';
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { runCli, type CliRun } from './support/run-cli';

const CLUSTER_CLI = 'libs/admin/src/cli/main.ts';
const APP_CLI = 'test/support/cli-test-main.ts';
const EVENTS = 30;
// Each CLI run is a fresh Node process compiling TypeScript and booting an app: allow for a busy machine.
const CLI_TEST_TIMEOUT_MS = 600_000;

const env = {
  KAFKA_BROKERS: testBrokers().join(','),
  CLI_TEST_SERVICE: uniqueName('cli-svc'),
  CLI_TEST_TOPIC: uniqueName('cli-scans'),
  CLI_TEST_OUTBOX_TABLE: uniqueIdentifier('cli_outbox'),
  CLI_TEST_VIEW_TABLE: uniqueIdentifier('cli_scans'),
  CLI_TEST_CHECKPOINT_TABLE: uniqueIdentifier('cli_ckpt'),
  CLI_TEST_INBOX_TABLE: uniqueIdentifier('cli_inbox'),
  CLI_TEST_REGISTRY_TOPIC: uniqueName('cli-registry'),
  CLI_TEST_PROJECTION: uniqueName('scans'),
  CLI_TEST_BROKEN_FLAG: join(mkdtempSync(join(tmpdir(), 'cli-test-')), 'broken'),
  TRIBUTARY_ACTOR: 'cli-tester',
};

const cluster = (...args: string[]) => runCli(CLUSTER_CLI, ['--brokers', env.KAFKA_BROKERS, '--registry-topic', env.CLI_TEST_REGISTRY_TOPIC, ...args], env);
const inApp = (...args: string[]) => runCli(APP_CLI, args, env);
const ok = (run: CliRun): CliRun => {
  if (run.code !== 0) throw new Error(`CLI exited with ${run.code}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`);
  return run;
};
const lines = (text: string) => text.split('\n').filter((l) => l.length > 0);

describe('tributary CLI (real broker and PostgreSQL)', () => {
  let app: INestApplicationContext;
  let dataSource: DataSource;
  let admin: TributaryAdmin;
  let publish: (events: Array<{ parcelId: string; note?: string; padding?: string }>) => Promise<void>;

  beforeAll(async () => {
    Object.assign(process.env, env);
    const { CliTestAppModule, ParcelScanned } = await import('./support/cli-test-app.module');
    // The topic takes messages up to 1000 bytes for now: a big event dies in the outbox (TOO_LARGE).
    const kafka = new Kafka({ brokers: testBrokers(), logLevel: logLevel.NOTHING });
    const kAdmin = kafka.admin();
    await kAdmin.connect();
    await kAdmin.createTopics({ topics: [{ topic: env.CLI_TEST_TOPIC, numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '1000' }] }], waitForLeaders: true });
    await kAdmin.disconnect();

    const setup = new DataSource({ type: 'postgres', url: (await import('@tributary/testing')).postgresUrl() });
    await setup.initialize();
    await setup.query(`CREATE TABLE "${env.CLI_TEST_VIEW_TABLE}" (event_id VARCHAR(64) PRIMARY KEY, parcel_id VARCHAR(64) NOT NULL, note VARCHAR(64) NULL)`);
    await setup.destroy();

    @Module({ imports: [CliTestAppModule, TributaryAdminModule.forRoot({ progressIntervalMs: 100 })] })
    class InProcessApp {}
    app = await NestFactory.createApplicationContext(InProcessApp, { logger: false, abortOnError: false });
    dataSource = app.get(DataSource);
    admin = app.get(TributaryAdmin);
    publish = async (events) => {
      await dataSource.transaction((m) => app.get(OutboxPublisher).publish(m, events.map((e) => new ParcelScanned(e))));
    };
    await publish(Array.from({ length: EVENTS }, (_, i) => ({ parcelId: `p-${i % 5}` })));
    await waitFor(async () => (await scans()).length === EVENTS, { timeoutMs: 60_000, description: `${EVENTS} scans applied` });
  }, CLI_TEST_TIMEOUT_MS);

  afterAll(async () => {
    rmSync(env.CLI_TEST_BROKEN_FLAG, { force: true });
    if (dataSource?.isInitialized) {
      for (const t of [env.CLI_TEST_VIEW_TABLE, env.CLI_TEST_OUTBOX_TABLE, `${env.CLI_TEST_OUTBOX_TABLE}_lanes`, env.CLI_TEST_CHECKPOINT_TABLE, env.CLI_TEST_INBOX_TABLE]) {
        await dataSource.query(`DROP TABLE IF EXISTS "${t}"`).catch(() => undefined);
      }
    }
    await app?.close();
  });

  async function scans(): Promise<Array<{ event_id: string; note: string | null }>> {
    return dataSource.query(`SELECT event_id, note FROM "${env.CLI_TEST_VIEW_TABLE}"`);
  }

  it('status --json (cluster mode) shows the service and its live instance', async () => {
    const run = ok(await cluster('status', '--json'));
    const status = JSON.parse(run.stdout) as { services: Array<{ service: string; versions: string[]; instances: Array<{ alive: boolean }> }>; outbox: unknown; projections: Array<{ name: string; lag: number }> };
    const svc = status.services.find((s) => s.service === env.CLI_TEST_SERVICE);
    expect(svc).toMatchObject({ versions: ['1.2.3'], instances: [expect.objectContaining({ alive: true })] });
    expect(status.outbox).toBeNull();
    // Lag from the projection's committed group offsets.
    expect(status.projections.find((p) => p.name === env.CLI_TEST_PROJECTION)).toMatchObject({ lag: 0 });
  }, CLI_TEST_TIMEOUT_MS);

  it('topology --format mermaid (cluster mode) draws the event edge', async () => {
    const run = ok(await cluster('topology', '--format', 'mermaid'));
    const node = `n_${env.CLI_TEST_SERVICE.replace(/[^A-Za-z0-9]/g, '_')}`;
    expect(lines(run.stdout)[0]).toBe('flowchart LR');
    expect(run.stdout).toContain(`  ${node} -->|"cli-test.parcel-scanned @ ${env.CLI_TEST_TOPIC}"| ${node}`);
  }, CLI_TEST_TIMEOUT_MS);

  it('outbox dead list --json, then requeue --all ships the row after the fix', async () => {
    await publish([{ parcelId: 'big', padding: 'x'.repeat(2000) }]);
    await waitFor(async () => (await admin.outboxStatus())?.dead === 1, { timeoutMs: 60_000, description: 'a dead outbox row' });

    const list = JSON.parse(ok(await inApp('outbox', 'dead', 'list', '--json')).stdout) as Array<Record<string, unknown>>;
    expect(list).toEqual([expect.objectContaining({ key: 'big', type: 'cli-test.parcel-scanned', attempts: 2, lastError: expect.stringMatching(/TOO_LARGE/) })]);
    expect(list[0].payload).toBeUndefined();

    const kafkaAdmin = await app.get(KafkaClient).admin.client();
    await kafkaAdmin.alterConfigs({
      validateOnly: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: env.CLI_TEST_TOPIC, configEntries: [{ name: 'max.message.bytes', value: '1048576' }] }],
    });
    const run = ok(await inApp('outbox', 'dead', 'requeue', '--all'));
    expect(lines(run.stdout)).toContain('requeued 1 of 1 selected dead rows');
    expect(lines(run.stdout).some((l) => /^requeue dead rows: 1\/1 \(100%\) [\d.]+\/s done$/.test(l))).toBe(true);
    expect(run.stderr).toMatch(/cli-tester via cli: outbox\.requeue all: 1 of 1 selected/);
    await waitFor(async () => (await scans()).length === EVENTS + 1, { timeoutMs: 60_000, description: 'the requeued event applied' });
    expect((await admin.outboxStatus())?.dead).toBe(0);
  }, CLI_TEST_TIMEOUT_MS);

  it('dlq list --json shows the dropped event; dlq replay after the fix applies it exactly once', async () => {
    writeFileSync(env.CLI_TEST_BROKEN_FLAG, 'broken');
    await publish([{ parcelId: 'p-poison', note: 'poison' }]);
    const dlq = `${env.CLI_TEST_TOPIC}.dlq`;
    await waitFor(async () => (await admin.deadLetters({ topic: dlq })).length === 1, { timeoutMs: 60_000, description: 'a dead letter' });

    const letters = JSON.parse(ok(await cluster('dlq', 'list', '--json', '--projection', env.CLI_TEST_PROJECTION)).stdout) as Array<Record<string, unknown>>;
    expect(letters).toEqual([
      expect.objectContaining({
        topic: dlq,
        projection: env.CLI_TEST_PROJECTION,
        reason: 'handler-failed',
        error: expect.stringMatching(/scanner firmware unknown/),
        originTopic: env.CLI_TEST_TOPIC,
        eventType: 'cli-test.parcel-scanned',
        key: 'p-poison',
      }),
    ]);
    expect(letters[0].payload).toBeUndefined();
    expect((await scans()).filter((s) => s.note === 'poison')).toHaveLength(0);

    rmSync(env.CLI_TEST_BROKEN_FLAG); // the fix
    expect(existsSync(env.CLI_TEST_BROKEN_FLAG)).toBe(false);
    const run = ok(await inApp('dlq', 'replay', '--all'));
    expect(lines(run.stdout)).toContain('replayed 1 dead letters');
    expect(lines(run.stdout).some((l) => /^replay dead letters: 1\/1 \(100%\) .* done$/.test(l))).toBe(true);
    await waitFor(async () => (await scans()).filter((s) => s.note === 'poison').length === 1, { timeoutMs: 60_000, description: 'the replayed event applied' });

    // Replayed letters are hidden by default, listed with --include-handled.
    expect(await admin.deadLetters({ topic: dlq })).toEqual([]);
    const handled = await admin.deadLetters({ topic: dlq, includeHandled: true });
    expect(handled).toEqual([expect.objectContaining({ disposition: 'replayed' })]);
  }, CLI_TEST_TIMEOUT_MS);

  it('projections rebuild prints plain progress lines up to 100%; every instance sees the recorded rebuild', async () => {
    const before = (await scans()).length;
    const run = ok(await inApp('projections', 'rebuild', env.CLI_TEST_PROJECTION));
    const progress = lines(run.stdout).filter((l) => l.startsWith(`rebuild ${env.CLI_TEST_PROJECTION}: `));
    expect(progress.length).toBeGreaterThan(0);
    for (const line of progress) expect(line).toMatch(/^rebuild \S+: \d+\/\d+ \(\d+%\) [\d.]+\/s (eta \S+|done)$/);
    expect(progress[progress.length - 1]).toMatch(/: (\d+)\/\1 \(100%\) [\d.]+\/s done$/);

    // The poison event is in the topic twice (original, replayed copy): the inbox keeps it to one row.
    await waitFor(async () => (await scans()).length === before, { timeoutMs: 60_000, description: 'read model rebuilt' });
    expect((await scans()).filter((s) => s.note === 'poison')).toHaveLength(1);

    // This process did not start the rebuild, yet sees it (the record lives in the database).
    const status = (await admin.projections()).find((p) => p.name === env.CLI_TEST_PROJECTION)!;
    expect(status.rebuild).toMatchObject({ startedBy: 'cli-tester', via: 'cli', finishedAt: expect.any(String), progress: { ratio: 1 } });
  }, CLI_TEST_TIMEOUT_MS);

  it('bad arguments exit with 2 and say what to type', async () => {
    const requeue = await cluster('outbox', 'dead', 'requeue');
    expect(requeue.code).toBe(2);
    expect(requeue.stderr).toContain('say which dead rows to requeue: --id 12 (repeatable), --all, or a filter');
    expect(requeue.stderr).toContain('usage: tributary outbox dead requeue --id N [--id N ...] | --all |');

    const typo = await cluster('topolgy');
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('(Did you mean topology?)');
  }, CLI_TEST_TIMEOUT_MS);
});
