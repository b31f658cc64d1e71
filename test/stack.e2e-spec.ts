import { postgresUrl, testBrokers, uniqueName, waitFor } from '@tributary/testing';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { postgresAdmin } from './support/nest-test-apps';

const ROOT = path.resolve(__dirname, '..');

/**
 * `npm run stack` as a user runs it: tools/stack.js starts orders, inventory and gateway as separate
 * processes (real broker, PostgreSQL databases of this run's own, any free ports), and the test
 * talks only HTTP to the gateway — plus orders' own endpoint to see a configuration change arrive.
 */
describe('npm run stack: the sample services as separate processes, through the gateway', () => {
  const suffix = randomBytes(4).toString('hex');
  const databases = { orders: `tributary_stack_orders_${suffix}`, inventory: `tributary_stack_inventory_${suffix}` };
  const configTopic = uniqueName('stack.config');
  let stack: ChildProcess | undefined;
  let stackExited: Promise<void> = Promise.resolve();
  let output = '';
  const urls: Record<string, string> = {};
  const pids: number[] = [];

  function databaseUrl(name: string): string {
    const url = new URL(postgresUrl());
    url.pathname = `/${name}`;
    return url.toString();
  }

  const gateway = (route: string, init?: RequestInit) => fetch(`${urls.gateway}${route}`, init);
  const json = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  beforeAll(async () => {
    for (const name of Object.values(databases)) await postgresAdmin(`CREATE DATABASE ${name}`);
    stack = spawn(process.execPath, [path.join(ROOT, 'tools', 'stack.js')], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        KAFKA_BROKERS: testBrokers().join(','),
        ORDERS_DATABASE_URL: databaseUrl(databases.orders),
        INVENTORY_DATABASE_URL: databaseUrl(databases.inventory),
        CONFIG_TOPIC: configTopic,
        HTTP_PORT: '0',
        DASHBOARD_PASSWORD: 'stack-test-password',
        NO_COLOR: '1',
      },
    });
    stackExited = new Promise((resolve) => stack!.once('exit', () => resolve()));
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      for (const m of output.matchAll(/\[stack\] (\w+) started \(pid (\d+)\)/g)) if (!pids.includes(Number(m[2]))) pids.push(Number(m[2]));
      for (const m of output.matchAll(/\[stack\] (\w+) healthy at (http:\/\/\S+)/g)) urls[m[1]] = m[2];
    };
    stack.stdout!.on('data', collect);
    stack.stderr!.on('data', collect);
    await waitFor(
      () => {
        if (stack!.exitCode !== null) throw new Error(`the stack exited (${stack!.exitCode}):\n${output.slice(-4000)}`);
        return /\[stack\] ready/.test(output);
      },
      { timeoutMs: 240_000, intervalMs: 250, description: 'the stack to report ready' },
    ).catch((e: Error) => {
      throw new Error(`${e.message}\n--- stack output (tail) ---\n${output.slice(-4000)}`);
    });
  }, 300_000);

  afterAll(async () => {
    if (stack && stack.exitCode === null && stack.signalCode === null) {
      stack.kill('SIGTERM');
      await Promise.race([stackExited, new Promise((r) => setTimeout(r, 30_000))]);
    }
    // Whatever is still alive (the stack killed before it could stop them) goes now.
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    if (stack && stack.exitCode === null && stack.signalCode === null) stack.kill('SIGKILL');
    for (const name of Object.values(databases)) await postgresAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }, 60_000);

  it('starts every service as its own process and prints their URLs', () => {
    expect(Object.keys(urls).sort()).toEqual(['gateway', 'inventory', 'orders']);
    expect(new Set(pids).size).toBe(3);
    expect(pids).not.toContain(stack!.pid);
    for (const pid of pids) expect(() => process.kill(pid, 0)).not.toThrow();
    // Each service logged which database it uses.
    expect(output).toMatch(/\[orders\s*\].*database: PostgreSQL at [^ ]*tributary_stack_orders_/);
    expect(output).toMatch(/\[inventory\s*\].*database: PostgreSQL at [^ ]*tributary_stack_inventory_/);
  });

  it('places an order, then reads its stock level from the inventory replica and the catalogue', async () => {
    const sku = `sku-${randomBytes(3).toString('hex')}`;
    const placed = await gateway('/orders', json({ customerId: 'customer-1', sku, quantity: 3 }));
    expect(placed.status).toBe(201);
    const order = (await placed.json()) as { id: string; sku: string; quantity: number };
    expect(order).toMatchObject({ sku, quantity: 3, customerId: 'customer-1' });
    expect(order.id).toMatch(/^[0-9a-f-]{36}$/);

    const level = await waitFor(
      async () => {
        const response = await gateway(`/stock/${sku}`);
        const body = (await response.json()) as { orders?: number };
        return response.status === 200 && body.orders === 1 ? body : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250, description: 'the order to reach the inventory replica' },
    );
    expect(level).toEqual({ sku, reserved: 3, orders: 1 });

    const invalid = await gateway('/orders', json({ customerId: 'customer-1', sku, quantity: 'many' }));
    expect(invalid.status).toBe(400);
    expect(JSON.stringify(await invalid.json())).toContain('quantity');

    const catalogue = (await (await gateway('/catalogue')).json()) as {
      services: { service: string }[];
      events: { type: string; publishers: string[]; consumers: { service: string; consumer: string }[] }[];
      methods: { method: string; services: string[] }[];
    };
    expect(catalogue.services.map((s) => s.service)).toEqual(expect.arrayContaining(['orders', 'inventory', 'gateway']));
    const placedEvent = catalogue.events.find((e) => e.type === 'orders.order-placed');
    expect(placedEvent?.publishers).toContain('orders');
    expect(placedEvent?.consumers).toContainEqual({ service: 'inventory', consumer: 'projection:inventory.reserved-stock' });
    expect(catalogue.methods.find((m) => m.method === 'orders.place')?.services).toContain('orders');
  });

  it('changes orders\' limit through the gateway, and orders applies it', async () => {
    const changed = await gateway('/config/orders/limits', { ...json({ maxQuantity: 2, actor: 'stack-test' }), method: 'PUT' });
    expect(changed.status).toBe(200);
    expect(await changed.json()).toEqual({ maxQuantity: 2 });
    // Orders itself holds the new value (within a bounded wait)…
    await waitFor(
      async () => ((await (await fetch(`${urls.orders}/config/limits`)).json()) as { maxQuantity: number }).maxQuantity === 2,
      { timeoutMs: 10_000, intervalMs: 100, description: 'orders to hold maxQuantity 2' },
    );
    // …and refuses an order over it, through the gateway, while one within it passes.
    const over = await gateway('/orders', json({ customerId: 'customer-1', sku: 'sku-limit', quantity: 3 }));
    expect(over.status).toBe(400);
    expect(JSON.stringify(await over.json())).toContain('over the limit of 2');
    expect((await gateway('/orders', json({ customerId: 'customer-1', sku: 'sku-limit', quantity: 2 }))).status).toBe(201);
    // An invalid value is refused at the writer, naming the property.
    const refused = await gateway('/config/orders/limits', { ...json({ maxQuantity: 0 }), method: 'PUT' });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(await refused.json())).toContain('maxQuantity');
  });

  it('serves the registry over HTTP and the dashboard behind basic auth', async () => {
    const services = (await (await gateway('/registry/services')).json()) as { services: { service: string }[] };
    expect(services.services.map((s) => s.service)).toEqual(expect.arrayContaining(['orders', 'inventory', 'gateway']));
    expect((await gateway('/tributary')).status).toBe(401);
    const page = await gateway('/tributary', { headers: { authorization: `Basic ${Buffer.from('ops:stack-test-password').toString('base64')}` } });
    expect(page.status).toBe(200);
  });

  it('stops every service on SIGTERM and exits', async () => {
    stack!.kill('SIGTERM');
    await waitFor(() => stack!.exitCode !== null || stack!.signalCode !== null, { timeoutMs: 40_000, description: 'the stack to exit' });
    expect(stack!.exitCode).toBe(0);
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
    // Each stopped on the forwarded SIGTERM (graceful: registry tombstone, consumers leave), none was killed.
    expect(output).toMatch(/\[stack\] stopped: orders \((SIGTERM|0)\), inventory \((SIGTERM|0)\), gateway \((SIGTERM|0)\)/);
    expect(output).not.toContain('SIGKILL');
  });
});
