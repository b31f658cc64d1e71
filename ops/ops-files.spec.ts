import { collectDefaultMetrics, Registry } from 'prom-client';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { catalogueSeries, PROCESS_METRICS, TARGET_LABELS, TRIBUTARY_METRICS } from './metric-catalogue';
import { labelValuesQuery, promqlSelectors, type PromqlSelector } from './promql-selectors';

// js-yaml comes with the toolchain (jest, @nestjs/cli); only `load` is needed.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const yaml = require('js-yaml') as { load(text: string): unknown };

interface AlertRule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface RuleFile {
  groups: Array<{ name: string; rules: AlertRule[] }>;
}
interface RuleTests {
  rule_files: string[];
  tests: Array<{ name: string; alert_rule_test: Array<{ alertname: string; exp_alerts?: unknown[] }> }>;
}
interface Target {
  expr: string;
  datasource?: { type: string; uid: string };
}
interface Panel {
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  targets?: Target[];
}
interface Dashboard {
  schemaVersion: number;
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: Array<{ type: string; name: string; query: string | { query: string }; datasource?: { uid: string } }> };
}

const ops = __dirname;
const series = catalogueSeries();
const alerts = yaml.load(fs.readFileSync(path.join(ops, 'prometheus/alerts.yml'), 'utf8')) as RuleFile;
const ruleTests = yaml.load(fs.readFileSync(path.join(ops, 'prometheus/alerts.test.yml'), 'utf8')) as RuleTests;
const dashboard = JSON.parse(fs.readFileSync(path.join(ops, 'grafana/tributary.json'), 'utf8')) as Dashboard;
const rules = alerts.groups.flatMap((g) => g.rules);
const queryPanels = dashboard.panels.filter((p) => p.type !== 'row');
const panelExprs = queryPanels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));

/** Problems of one selector against the catalogue: unknown series, or a label the series does not carry. */
function selectorProblems(selector: PromqlSelector): string[] {
  const labels = series.get(selector.name);
  if (!labels) return [`unknown metric "${selector.name}"`];
  return selector.labels.filter((l) => !labels.has(l)).map((l) => `${selector.name} has no label "${l}"`);
}

function exprProblems(expr: string): string[] {
  const selectors = promqlSelectors(expr);
  if (selectors.length === 0) return ['references no metric'];
  return selectors.flatMap(selectorProblems);
}

describe('ops files', () => {
  describe('promqlSelectors', () => {
    it('finds metric names and matcher labels, not functions, keywords, grouping labels or variables', () => {
      expect(
        promqlSelectors(
          'histogram_quantile(0.99, sum by (table, le) (rate(a_bucket{job=~"$job", table="x"}[$__rate_interval]))) / on(job) group_left b > 0 and max without (le) (c offset 5m)',
        ),
      ).toEqual([
        { name: 'a_bucket', labels: ['job', 'table'] },
        { name: 'b', labels: [] },
        { name: 'c', labels: [] },
      ]);
      expect(labelValuesQuery('label_values(m{job=~"$job"}, table)')).toEqual({ selector: { name: 'm', labels: ['job'] }, label: 'table' });
    });
  });

  describe('metric catalogue', () => {
    it('names Tributary metrics by Prometheus conventions', () => {
      for (const metric of TRIBUTARY_METRICS) {
        expect(metric.name).toMatch(/^tributary_[a-z_]+$/);
        if (metric.type === 'counter') expect(metric.name).toMatch(/_total$/);
        else expect(metric.name).not.toMatch(/_total$/);
      }
      expect(new Set(TRIBUTARY_METRICS.map((m) => m.name)).size).toBe(TRIBUTARY_METRICS.length);
    });

    it('lists only process metrics that prom-client really registers by default', () => {
      const registry = new Registry();
      collectDefaultMetrics({ register: registry });
      const names = registry.getMetricsAsArray().map((m) => (m as unknown as { name: string }).name);
      expect(names).toEqual(expect.arrayContaining(PROCESS_METRICS.map((m) => m.name)));
      registry.clear();
    });
  });

  describe('ops/prometheus/alerts.yml', () => {
    it('has alert rules only, each with for, a severity, and a summary and description', () => {
      expect(rules.length).toBeGreaterThanOrEqual(8);
      for (const rule of rules) {
        expect({ alert: rule.alert, record: rule.record }).toEqual({ alert: expect.stringMatching(/^Tributary[A-Za-z]+$/), record: undefined });
        expect(rule.for).toMatch(/^\d+[smh]$/);
        expect(rule.labels?.severity).toMatch(/^(critical|warning|info)$/);
        expect(rule.annotations?.summary).toEqual(expect.any(String));
        expect(rule.annotations?.description).toEqual(expect.any(String));
      }
      expect(new Set(rules.map((r) => r.alert)).size).toBe(rules.length);
    });

    it('queries only catalogue metrics and labels, and annotates only with labels those metrics carry', () => {
      for (const rule of rules) {
        expect({ alert: rule.alert, problems: exprProblems(rule.expr) }).toEqual({ alert: rule.alert, problems: [] });
        const available = new Set([...TARGET_LABELS, ...promqlSelectors(rule.expr).flatMap((s) => [...(series.get(s.name) ?? [])])]);
        const used = [...Object.values(rule.annotations ?? {}).join(' ').matchAll(/\$labels\.(\w+)/g)].map((m) => m[1]);
        expect({ alert: rule.alert, unknownLabels: used.filter((l) => !available.has(l)) }).toEqual({ alert: rule.alert, unknownLabels: [] });
      }
    });

    it('covers what the issue asks for: outbox backlog/age/dead, projection lag/halt, RPC errors/deadlines, no live instance', () => {
      const exprs = rules.map((r) => r.expr).join('\n');
      for (const metric of [
        'tributary_outbox_pending_rows',
        'tributary_outbox_oldest_pending_age_seconds',
        'tributary_outbox_dead_rows',
        'tributary_projection_lag',
        'tributary_projection_state',
        'tributary_rpc_client_duration_seconds_count',
        'tributary_discovery_live_instances',
      ]) {
        expect(exprs).toContain(metric);
      }
      expect(exprs).toContain('state="failed"');
      expect(exprs).toContain('outcome="deadline"');
    });

    it('is unit-tested by alerts.test.yml: every alert both fires and stays quiet there', () => {
      expect(ruleTests.rule_files).toEqual(['alerts.yml']);
      const cases = ruleTests.tests.flatMap((t) => t.alert_rule_test);
      for (const rule of rules) {
        const own = cases.filter((c) => c.alertname === rule.alert);
        expect({ alert: rule.alert, fires: own.some((c) => (c.exp_alerts ?? []).length > 0) }).toEqual({ alert: rule.alert, fires: true });
        expect({ alert: rule.alert, quiet: own.some((c) => (c.exp_alerts ?? []).length === 0) }).toEqual({ alert: rule.alert, quiet: true });
      }
    });
  });

  describe('ops/grafana/tributary.json', () => {
    it('is a schema ~39 dashboard on a ${DS_PROMETHEUS} data source with job, service, table and projection variables', () => {
      expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
      expect(dashboard.uid).toBe('tributary');
      const variables = dashboard.templating.list;
      expect(variables.find((v) => v.name === 'DS_PROMETHEUS')).toMatchObject({ type: 'datasource', query: 'prometheus' });
      expect(variables.map((v) => v.name)).toEqual(expect.arrayContaining(['job', 'service', 'table', 'projection']));
      for (const panel of queryPanels) {
        expect({ panel: panel.title, uid: panel.datasource?.uid }).toEqual({ panel: panel.title, uid: '${DS_PROMETHEUS}' });
        expect({ panel: panel.title, targets: (panel.targets ?? []).length > 0 }).toEqual({ panel: panel.title, targets: true });
        for (const target of panel.targets ?? []) expect(target.datasource?.uid).toBe('${DS_PROMETHEUS}');
      }
    });

    it('queries only catalogue metrics, with labels those metrics carry', () => {
      for (const { panel, expr } of panelExprs) {
        expect({ panel, expr, problems: exprProblems(expr) }).toEqual({ panel, expr, problems: [] });
      }
      for (const variable of dashboard.templating.list.filter((v) => v.type === 'query')) {
        const query = typeof variable.query === 'string' ? variable.query : variable.query.query;
        const parsed = labelValuesQuery(query);
        expect({ variable: variable.name, parsed: parsed !== undefined }).toEqual({ variable: variable.name, parsed: true });
        expect({ variable: variable.name, problems: selectorProblems({ ...parsed!.selector, labels: [...parsed!.selector.labels, parsed!.label] }) }).toEqual({
          variable: variable.name,
          problems: [],
        });
      }
    });

    it('shows every Tributary metric and the process CPU, memory and event-loop lag', () => {
      const used = new Set(panelExprs.flatMap(({ expr }) => promqlSelectors(expr).map((s) => s.name.replace(/_(bucket|sum|count)$/, ''))));
      expect(TRIBUTARY_METRICS.map((m) => m.name).filter((name) => !used.has(name))).toEqual([]);
      expect([...used]).toEqual(expect.arrayContaining(['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_p99_seconds']));
      const quantiles = panelExprs.filter(({ expr }) => expr.includes('histogram_quantile(0.99, sum by (table, le) (rate(tributary_outbox_commit_to_ack_seconds_bucket'));
      expect(quantiles).toHaveLength(1);
    });
  });
});
