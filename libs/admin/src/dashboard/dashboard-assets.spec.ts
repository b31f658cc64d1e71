import * as ts from 'typescript';
import { BadRequestException } from '@nestjs/common';
import { renderDashboardPage } from './assets/dashboard-page.asset';
import { DASHBOARD_SCRIPT } from './assets/dashboard-script.asset';
import { DASHBOARD_STYLE } from './assets/dashboard-style.asset';
import { parseDeadLetterSelection, parseDeadRowSelection } from './dashboard-request.parser';
import { normalizeDashboardPath } from './dashboard-settings';

describe('dashboard assets', () => {
  it('ships a script that parses as an ES module and fetches nothing from another origin', () => {
    const source = ts.createSourceFile('dashboard.js', DASHBOARD_SCRIPT, ts.ScriptTarget.ES2022, false, ts.ScriptKind.JS);
    const diagnostics = (source as unknown as { parseDiagnostics: ts.Diagnostic[] }).parseDiagnostics;
    expect(diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))).toEqual([]);
    expect(DASHBOARD_SCRIPT).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect(DASHBOARD_STYLE).not.toMatch(/@import|url\(/);
  });

  it('renders the page with an escaped title, the CSRF token and relative asset links', () => {
    const html = renderDashboardPage({ title: '<Ops & co>', base: 'tributary/', csrfToken: 'tok_123', refreshIntervalMs: 1000, showPayloads: false });
    expect(html).toContain('<title>&lt;Ops &amp; co&gt;</title>');
    expect(html).toContain('<base href="tributary/">');
    expect(html).toContain('<meta name="tributary-csrf" content="tok_123">');
    expect(html).toContain('<script type="module" src="assets/dashboard.js"></script>');
    expect(html).not.toMatch(/<script>(?!<\/script>)|https?:\/\//);
  });
});

describe('dashboard request parsing', () => {
  it('reads ids, all, or a non-empty filter, and says what to send otherwise', () => {
    expect(parseDeadRowSelection({ ids: [3, 4] })).toEqual({ ids: [3, 4] });
    expect(parseDeadRowSelection({ all: true })).toBe('all');
    expect(parseDeadRowSelection({ filter: { type: 'x', key: '' } })).toEqual({ type: 'x' });
    expect(() => parseDeadRowSelection({ filter: {} })).toThrow(/send `\{ "all": true \}`/);
    expect(() => parseDeadRowSelection({ ids: [0] })).toThrow(BadRequestException);
    expect(() => parseDeadRowSelection('all')).toThrow(/JSON object/);
    expect(parseDeadLetterSelection({ ids: ['orders.dlq/0/42'] })).toEqual({ ids: ['orders.dlq/0/42'] });
    expect(() => parseDeadLetterSelection({ ids: ['orders.dlq'] })).toThrow(/like "orders.dlq\/0\/42"/);
  });

  it('takes plain URL paths only', () => {
    expect(normalizeDashboardPath('/tributary/')).toBe('tributary');
    expect(normalizeDashboardPath('ops/tributary')).toBe('ops/tributary');
    expect(() => normalizeDashboardPath('/a b')).toThrow(/plain URL path/);
    expect(() => normalizeDashboardPath('/')).toThrow(/plain URL path/);
  });
});
