/*
 * The dashboard in a real browser (Debian's Chromium driven by playwright-core) against a real
 * Nest HTTP app on Kafka and PostgreSQL: the page lists the service from the registry, requeues a
 * dead outbox row by a click (it ships), replays a dead letter after its handler is fixed, and
 * rebuilds a projection with a progress bar that ends at 100 %. Without credentials the page and
 * the actions are refused; an action without the CSRF token is refused. Screenshots go to
 * test-output/dashboard/.
 */
import type { INestApplication } from '@nestjs/common';
import { OutboxPublisher } from '@tributary/outbox';
import { ProjectionsService } from '@tributary/projections';
import { postgresUrl, testBrokers, TopicCapture, waitFor } from '@tributary/testing';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { announcePeers } from './support/dashboard-peers';
import { dashboardFixtureNames, startDashboardApp, type LedgerEntryInit, type LedgerSwitches } from './support/dashboard-app';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = join(__dirname, '..', 'test-output', 'dashboard');
const credentials = { username: 'operator', password: 'correct horse battery staple' };
const authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;

describe('Tributary dashboard in Chromium (Kafka + PostgreSQL)', () => {
  const brokers = testBrokers();
  const names = dashboardFixtureNames();
  const switches: LedgerSwitches = { failPoison: false, slowMs: 0 };
  let app: INestApplication | undefined;
  let dataSource: DataSource;
  let publisher: OutboxPublisher;
  let LedgerEntryAdded: new (init: LedgerEntryInit) => object;
  let pageUrl: string;
  let browser: Browser | undefined;
  let context: BrowserContext;
  let page: Page;
  let capture: TopicCapture | undefined;
  let withdrawPeers: (() => Promise<void>) | undefined;
  const billing = `${names.service}-billing`;
  const reports = `${names.service}-reports`;

  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  const publish = (entries: LedgerEntryInit[]) => dataSource.transaction((m) => publisher.publish(m, entries.map((e) => new LedgerEntryAdded(e))));
  const ledgerRows = async (accountId?: string): Promise<number> =>
    Number(
      (
        await dataSource.query(`SELECT count(*)::int AS n FROM ${names.ledgerTable}${accountId ? ' WHERE account_id = $1' : ''}`, accountId ? [accountId] : [])
      )[0].n,
    );

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`Chromium is missing at ${CHROMIUM}: run tools/install-system-deps.sh (as root; it apt-installs chromium), then run this test again`);
    }
    mkdirSync(SHOTS, { recursive: true });
    const started = await startDashboardApp({ brokers, names, switches, basicAuth: credentials });
    app = started.app;
    LedgerEntryAdded = started.LedgerEntryAdded as unknown as new (init: LedgerEntryInit) => object;
    pageUrl = `${started.origin}/ops/tributary`;
    dataSource = app.get(DataSource);
    publisher = app.get(OutboxPublisher);
    await dataSource.query(
      `CREATE TABLE ${names.ledgerTable} (event_id varchar(64) PRIMARY KEY, account_id varchar(64) NOT NULL, seq integer NOT NULL, note text NOT NULL)`,
    );
    // Two neighbours in the registry: billing reads the ledger's events, reports reads billing's.
    const invoiceType = `billing.invoice-issued.${names.topic}`;
    withdrawPeers = await announcePeers(brokers, [
      {
        service: billing,
        consumes: [{ type: `ledger.entry-added.${names.topic}`, topic: names.topic, consumer: 'projection:invoices' }],
        publishes: [{ type: invoiceType, topic: `${names.topic}-invoices` }],
        serves: ['billing.charge'],
      },
      { service: reports, consumes: [{ type: invoiceType, topic: `${names.topic}-invoices`, consumer: 'projection:revenue' }], serves: ['reports.summary'] },
    ]);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--headless=new'] });
    context = await browser.newContext({ httpCredentials: credentials, viewport: { width: 1360, height: 900 } });
    page = await context.newPage();
    page.on('dialog', (dialog) => void dialog.accept());
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await capture?.stop();
    await withdrawPeers?.();
    await app?.close();
  }, 60_000);

  afterAll(async () => {
    // app.close() destroyed the DataSource: drop the test's tables with a short-lived one.
    const ds = await new DataSource({ type: 'postgres', url: postgresUrl() }).initialize();
    for (const t of [names.ledgerTable, `${names.outboxTable}_lanes`, names.outboxTable]) await ds.query(`DROP TABLE IF EXISTS "${t}"`).catch(() => undefined);
    await ds.destroy();
  });

  it('refuses the page, the API, live updates and actions without credentials (401), and actions without the CSRF token (403)', async () => {
    for (const path of ['', '/assets/dashboard.js', '/api/state', '/api/events']) {
      const res = await fetch(`${pageUrl}${path}`);
      expect({ path, status: res.status }).toEqual({ path, status: 401 });
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm="Tributary dashboard"/);
    }
    const wrong = await fetch(pageUrl, { headers: { authorization: `Basic ${Buffer.from('operator:nope').toString('base64')}` } });
    expect(wrong.status).toBe(401);
    const post = (headers: Record<string, string>) =>
      fetch(`${pageUrl}/api/outbox/dead-rows/requeue`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{"all":true}' });
    expect((await post({})).status).toBe(401);
    // Signed in, but no token, or a token that is not the session's: refused.
    const pageResponse = await fetch(pageUrl, { headers: { authorization } });
    expect(pageResponse.status).toBe(200);
    const cookie = pageResponse.headers.get('set-cookie')!.split(';')[0];
    const token = /name="tributary-csrf" content="([^"]+)"/.exec(await pageResponse.text())![1];
    expect((await post({ authorization })).status).toBe(403);
    expect((await post({ authorization, cookie })).status).toBe(403);
    expect((await post({ authorization, cookie, 'x-tributary-csrf': 'A'.repeat(token.length) })).status).toBe(403);
    expect((await post({ authorization, 'x-tributary-csrf': token })).status).toBe(403);
    expect((await post({ authorization, cookie, 'x-tributary-csrf': token })).status).toBe(200);

    // The browser without credentials gets no page: headless Chromium turns the 401 challenge into an error.
    const anonymous = await browser!.newContext();
    try {
      await expect((await anonymous.newPage()).goto(pageUrl)).rejects.toThrow(/ERR_INVALID_AUTH_CREDENTIALS/);
      expect((await anonymous.request.get(pageUrl)).status()).toBe(401);
    } finally {
      await anonymous.close();
    }
  });

  it('shows the service and its instance from the registry, and the topology', async () => {
    await page.goto(pageUrl);
    await expect(page.title()).resolves.toBe('Tributary — ledger');
    const serviceRow = page.locator(`#services tr[data-service="${names.service}"]`);
    await serviceRow.waitFor({ timeout: 30_000 });
    expect(await serviceRow.innerText()).toContain('1.2.3');
    await page.locator(`#topology g[data-node="${names.service}"]`).waitFor({ timeout: 30_000 });
    await page.locator(`#topology g[data-node="${reports}"]`).waitFor({ timeout: 30_000 });
    const edges = await page.locator('#topology path.edge title').allTextContents();
    expect(edges).toContainEqual(expect.stringContaining(`events ${names.service} → ${billing}`));
    expect(edges).toContainEqual(expect.stringContaining(`RPC callers → ${reports}`));
    await page.locator('#connection[data-state="live"]').waitFor();
    await page.locator(`#projections tr[data-projection="${names.projection}"]`).waitFor();
    await shot('01-services');
  });

  it('requeues a dead outbox row by a click, and it ships', async () => {
    capture = await TopicCapture.start(brokers, [names.topic]);
    // Published and marked dead in the same transaction, so the relay never saw it pending.
    await dataSource.transaction(async (manager) => {
      const [eventId] = await publisher.publish(manager, new LedgerEntryAdded({ accountId: 'acct-dead', seq: 1, note: 'was dead' }));
      await manager.query(`UPDATE "${names.outboxTable}" SET status = 'dead', attempts = 10, last_error = $1 WHERE event_id = $2`, [
        'test: refused by the broker',
        eventId,
      ]);
    });
    const row = page.locator('#outbox tr[data-row-id]', { hasText: 'acct-dead' });
    await row.waitFor({ timeout: 30_000 });
    expect(await row.innerText()).toContain('test: refused by the broker');
    expect(await page.locator('#outbox .stat.warn', { hasText: 'dead' }).innerText()).toContain('1');
    await shot('02-dead-row');
    expect(capture.messages.filter((m) => m.key === 'acct-dead')).toHaveLength(0);

    await row.locator('input[type="checkbox"]').check();
    await page.getByRole('button', { name: 'Requeue selected' }).click();
    await page.locator('#toast', { hasText: 'Requeued 1 of 1 dead row(s)' }).waitFor();
    await waitFor(() => capture!.messages.some((m) => m.key === 'acct-dead'), { description: 'the requeued row on its topic' });
    await page.locator('#outbox', { hasText: 'No dead rows.' }).waitFor({ timeout: 30_000 });
  });

  it('replays a dead letter by a click once its handler is fixed', async () => {
    switches.failPoison = true;
    await publish([{ accountId: 'acct-poison', seq: 1, note: 'poison' }]);
    const letter = page.locator('#dead-letters tr[data-letter-id]', { hasText: 'acct-poison' });
    await letter.waitFor({ timeout: 60_000 });
    expect(await letter.innerText()).toContain('handler-failed');
    expect(await letter.innerText()).toContain(names.projection);
    // Payloads stay hidden unless the dashboard shows them.
    expect(await page.locator('#dead-letters details').count()).toBe(0);
    await shot('03-dead-letter');
    expect(await ledgerRows('acct-poison')).toBe(0);

    switches.failPoison = false; // the fix is deployed
    await letter.locator('input[type="checkbox"]').check();
    await page.getByRole('button', { name: 'Replay selected' }).click();
    const job = page.locator('#jobs li[data-state="done"]', { hasText: 'replay 1 dead letter(s)' });
    await job.waitFor({ timeout: 60_000 });
    expect(await job.locator('.progress-label').innerText()).toBe('100 %');
    await waitFor(async () => (await ledgerRows('acct-poison')) === 1, { timeoutMs: 60_000, description: 'the replayed event in the ledger' });
    await letter.waitFor({ state: 'detached', timeout: 30_000 });
  });

  it('rebuilds a projection by a click, with a progress bar that ends at 100 %', async () => {
    for (let batch = 0; batch < 3; batch++) {
      await publish(Array.from({ length: 100 }, (_, i) => ({ accountId: `acct-${i % 7}`, seq: batch * 100 + i, note: 'entry' })));
    }
    const service = app!.get(ProjectionsService);
    await waitFor(async () => (await service.status(names.projection)).lag === 0 && (await ledgerRows()) === 302, {
      timeoutMs: 60_000,
      description: 'the projection to catch up before the rebuild',
    });

    // Record every value the bar shows, to see it move rather than only end.
    // (Browser code as text: this file is type-checked without the DOM library.)
    await page.evaluate(`{
      const seen = (window.progressSeen = []);
      new MutationObserver(() => {
        for (const bar of document.querySelectorAll('#projections [role="progressbar"]')) seen.push(Number(bar.getAttribute('aria-valuenow')));
      }).observe(document.body, { subtree: true, childList: true, attributes: true });
    }`);
    switches.slowMs = 5; // slow enough that the bar is seen between 0 and 100 %
    const row = page.locator(`#projections tr[data-projection="${names.projection}"]`);
    await row.getByRole('button', { name: 'Rebuild' }).click();
    await row.locator('[role="progressbar"]').waitFor();
    await shot('04-rebuild-running');
    await row.locator('.progress-label', { hasText: '100 %' }).waitFor({ timeout: 90_000 });
    switches.slowMs = 0;
    await page.locator('#jobs li[data-state="done"]', { hasText: `rebuild ${names.projection}` }).waitFor({ timeout: 30_000 });
    const seen = (await page.evaluate('window.progressSeen')) as number[];
    expect(seen.some((v) => v > 0 && v < 100)).toBe(true);
    expect(seen[seen.length - 1]).toBe(100);
    expect(await ledgerRows()).toBe(302);
    await shot('05-rebuild-done');
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: join(SHOTS, 'overview.png'), fullPage: true });
  });

  it('falls back to polling when asked, and still shows the data', async () => {
    const polling = await context.newPage();
    try {
      await polling.goto(`${pageUrl}?live=poll`);
      await polling.locator('#connection[data-state="polling"]').waitFor();
      await polling.locator(`#services tr[data-service="${names.service}"]`).waitFor({ timeout: 30_000 });
    } finally {
      await polling.close();
    }
  });
});
