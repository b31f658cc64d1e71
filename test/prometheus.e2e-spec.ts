/*
 * The operator files against real tools: promtool validates and unit-tests the alert rules, then a
 * real Prometheus on loopback scrapes a sample Nest app (outbox + projection + /metrics), loads the
 * rules, and its HTTP API shows the outbox and projection series the app produced.
 */
import { Injectable, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import { IntegrationEvent, KafkaModule, TributaryMetricsModule } from '@tributary/kafka';
import { OutboxModule, OutboxPublisher } from '@tributary/outbox';
import { On, Projection, ProjectionsModule } from '@tributary/projections';
import { postgresUrl, testBrokers, uniqueIdentifier, uniqueName, waitFor } from '@tributary/testing';
import { IsInt, IsString } from 'class-validator';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DataSource } from 'typeorm';
import { TRIBUTARY_METRICS } from '../ops/metric-catalogue';
import { PrometheusProcess, promtool, requirePrometheusTools, type PrometheusSample } from './support/prometheus-process';

const ALERTS = path.resolve(__dirname, '../ops/prometheus/alerts.yml');
const ALERT_TESTS = path.resolve(__dirname, '../ops/prometheus/alerts.test.yml');
const DASHBOARD = path.resolve(__dirname, '../ops/grafana/tributary.json');
const JOB = 'tributary-sample';

const topic = uniqueName('prom-sample-events');
const eventType = `prom.sample-placed.${topic}`;
const outboxTable = uniqueIdentifier('prom_outbox');
const projectionName = uniqueName('prom-sample-totals');

@IntegrationEvent({ type: eventType, topic, key: 'id' })
class SamplePlaced {
  @IsString() id!: string;
  @IsInt() amount!: number;
}

@Injectable()
@Projection({ name: projectionName, tables: [] })
class SampleTotals {
  applied = 0;

  @On(SamplePlaced)
  placed(): void {
    this.applied++;
  }
}

describe('ops/prometheus with promtool and a real Prometheus', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-prometheus-'));
  let app: INestApplication | undefined;
  let prometheus: PrometheusProcess | undefined;

  beforeAll(() => {
    requirePrometheusTools();
  });

  afterAll(async () => {
    await prometheus?.stop();
    await app?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('promtool accepts the rules and passes their unit tests, and refuses broken ones', () => {
    const check = promtool('check', 'rules', ALERTS);
    expect({ status: check.status, output: check.output }).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
    const config = promtool('check', 'config', path.resolve(__dirname, '../ops/prometheus/prometheus.example.yml'));
    expect({ status: config.status, output: config.output }).toEqual({ status: 0, output: expect.stringContaining('11 rules found') });
    const tests = promtool('test', 'rules', ALERT_TESTS);
    expect({ status: tests.status, output: tests.output }).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });

    // A syntax error: the check can fail.
    const broken = path.join(tmp, 'broken-alerts.yml');
    fs.writeFileSync(broken, 'groups:\n  - name: broken\n    rules:\n      - alert: Broken\n        expr: tributary_outbox_dead_rows >\n        for: 1m\n');
    const brokenCheck = promtool('check', 'rules', broken);
    expect(brokenCheck.status).not.toBe(0);
    expect(brokenCheck.output).toMatch(/parse error|unexpected end of input/);

    // A threshold changed under the unit tests: they can fail too.
    const changed = path.join(tmp, 'changed');
    fs.mkdirSync(changed);
    fs.writeFileSync(path.join(changed, 'alerts.yml'), fs.readFileSync(ALERTS, 'utf8').replace('tributary_outbox_dead_rows > 0', 'tributary_outbox_dead_rows > 5'));
    fs.copyFileSync(ALERT_TESTS, path.join(changed, 'alerts.test.yml'));
    const changedTests = promtool('test', 'rules', path.join(changed, 'alerts.test.yml'));
    expect(changedTests.status).not.toBe(0);
    expect(changedTests.output).toContain('TributaryOutboxDeadRows');
  });

  it('scrapes the outbox and projection series of a sample app and loads the alert groups', async () => {
    @Module({
      imports: [
        KafkaModule.forRoot({ brokers: testBrokers(), serviceName: 'prom-sample', logLevel: 'nothing' }),
        TypeOrmModule.forRoot({ type: 'postgres', url: postgresUrl(), poolSize: 4 }),
        OutboxModule.forRoot({ tableName: outboxTable, ensureSchema: true, events: [SamplePlaced] }),
        ProjectionsModule.forRoot({}),
        TributaryMetricsModule.register(),
      ],
      providers: [SampleTotals],
    })
    class SampleModule {}
    app = await NestFactory.create(SampleModule, { logger: ['error'], abortOnError: false });
    await app.listen(0, '127.0.0.1');
    const appPort = (app.getHttpServer().address() as { port: number }).port;

    prometheus = await PrometheusProcess.start(
      tmp,
      [
        'global:',
        '  scrape_interval: 1s',
        '  evaluation_interval: 1s',
        'rule_files:',
        `  - ${JSON.stringify(ALERTS)}`,
        'scrape_configs:',
        `  - job_name: ${JOB}`,
        '    static_configs:',
        `      - targets: ["127.0.0.1:${appPort}"]`,
        '',
      ].join('\n'),
    );
    const prom = prometheus;

    const dataSource = app.get<DataSource>(getDataSourceToken());
    const outbox = app.get(OutboxPublisher);
    for (let i = 0; i < 3; i++) {
      await dataSource.transaction((manager) => outbox.publish(manager, Object.assign(new SamplePlaced(), { id: `s-${i}`, amount: i + 1 })));
    }

    /** Waits until `promql` returns exactly one sample with `value`, and returns it. */
    const sample = (promql: string, value: number, description: string): Promise<PrometheusSample> =>
      waitFor(
        async () => {
          const result = await prom.query(promql);
          return result.length === 1 && Number(result[0].value[1]) === value ? result[0] : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 500, description: `${description} (${promql} = ${value}; Prometheus log ${prom.logFile})` },
      );

    const shipped = await sample(`tributary_outbox_events_shipped_total{job="${JOB}", table="${outboxTable}"}`, 3, 'the 3 shipped events in Prometheus');
    expect(shipped.metric).toMatchObject({ __name__: 'tributary_outbox_events_shipped_total', table: outboxTable, messaging_destination_name: topic, instance: `127.0.0.1:${appPort}` });
    const applied = await sample(`tributary_projection_events_applied_total{job="${JOB}", projection="${projectionName}"}`, 3, 'the 3 applied events in Prometheus');
    expect(applied.metric).toMatchObject({ __name__: 'tributary_projection_events_applied_total', projection: projectionName, event_type: eventType });
    expect(app.get(SampleTotals).applied).toBe(3);
    await sample(`tributary_outbox_pending_rows{job="${JOB}", table="${outboxTable}"}`, 0, 'no pending rows once shipped');
    await sample(`tributary_projection_state{job="${JOB}", projection="${projectionName}", state="running"}`, 1, 'the projection running');

    // Everything the app exposes under tributary_ is in the catalogue the ops files are written against.
    const names = await prom.api<string[]>(`/api/v1/label/__name__/values?match[]=${encodeURIComponent(`{job="${JOB}", __name__=~"tributary_.+"}`)}`);
    const catalogue = new Set(TRIBUTARY_METRICS.flatMap((m) => (m.type === 'histogram' ? ['_bucket', '_sum', '_count'].map((s) => m.name + s) : [m.name])));
    expect(names.filter((name) => !catalogue.has(name))).toEqual([]);

    const rules = await prom.api<{ groups: Array<{ name: string; rules: Array<{ name: string; type: string; health: string }> }> }>('/api/v1/rules');
    expect(rules.groups.map((g) => g.name).sort()).toEqual(['tributary-discovery', 'tributary-outbox', 'tributary-projections', 'tributary-rpc']);
    const alertRules = rules.groups.flatMap((g) => g.rules);
    expect(alertRules.length).toBeGreaterThanOrEqual(8);
    expect(alertRules.filter((r) => r.type !== 'alerting' || r.health === 'err')).toEqual([]);

    // Every dashboard query is valid PromQL for this Prometheus (variables set to "all").
    const dashboard = JSON.parse(fs.readFileSync(DASHBOARD, 'utf8')) as { panels: Array<{ title: string; targets?: Array<{ expr: string }> }> };
    for (const panel of dashboard.panels) {
      for (const target of panel.targets ?? []) {
        const expr = target.expr.replace(/\$__rate_interval/g, '1m').replace(/\$\w+/g, '.*');
        await expect(prom.query(expr).then(() => 'ok', (e: Error) => `${panel.title}: ${e.message}`)).resolves.toBe('ok');
      }
    }
  });
});
