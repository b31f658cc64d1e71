import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getIntegrationEventMetadata, IntegrationEvent } from '@tributary/kafka';
import { postgresUrl } from '@tributary/testing';
import { Client } from 'pg';

/** Run one statement (CREATE/DROP DATABASE …) on the test PostgreSQL server's default database. */
export async function postgresAdmin(sql: string): Promise<void> {
  const client = new Client({ connectionString: postgresUrl() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * Create a Nest app for `module`, add it to `apps` (before starting it, so a failed start is still
 * closed by the suite's afterAll), then `init` it or, with `listen`, serve HTTP on a free local port.
 */
export async function bootApp(apps: INestApplication[], module: unknown, start: 'init' | 'listen' = 'init'): Promise<INestApplication> {
  const app = await NestFactory.create(module as never, { logger: ['error'], abortOnError: false });
  apps.push(app);
  if (start === 'listen') await app.listen(0, '127.0.0.1');
  else await app.init();
  return app;
}

/** Point an event class at a topic of this run's own (the samples hard-code `orders.events`). */
export function moveToTopic(eventClass: new (...args: never[]) => object, topic: string): void {
  const metadata = getIntegrationEventMetadata(eventClass);
  if (!metadata) throw new Error(`${eventClass.name} is not an @IntegrationEvent`);
  IntegrationEvent({ type: metadata.type, version: metadata.version, key: metadata.key, topic })(eventClass);
}
