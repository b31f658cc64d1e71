import { strings } from '@angular-devkit/core';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { RpcClientFactory } from '@tributary/rpc';
import { postgresUrl, uniqueIdentifier, uniqueName, waitFor } from '@tributary/testing';
import * as path from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { removeDir, scratchDir, writeTree } from '../test-support/scratch-dir';
import { seedMonorepo, tributaryRunner } from '../test-support/workspace';

/**
 * A generated service, as generated, against the real broker and PostgreSQL: it boots, publishes
 * its sample event through the outbox, its generated projection applies it, and its generated RPC
 * handler answers a call.
 */
describe('generated service (Kafka + PostgreSQL)', () => {
  const service = uniqueName('gen');
  const database = uniqueIdentifier('schematics');
  let dir: string | undefined;
  let app: INestApplicationContext | undefined;
  const admin = new Client({ connectionString: postgresUrl() });
  const databaseUrlBefore = process.env.DATABASE_URL;

  beforeAll(async () => {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
  });

  afterAll(async () => {
    await app?.close();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
    if (databaseUrlBefore === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = databaseUrlBefore;
    removeDir(dir);
  });

  it('boots, publishes through the outbox, projects the event and answers RPC', async () => {
    const runner = tributaryRunner();
    let tree = await runner.runSchematic('service', { name: service }, await seedMonorepo());
    tree = await runner.runSchematic('projection', { name: 'records', service }, tree);
    tree = await runner.runSchematic('rpc-handler', { name: 'get-record', service }, tree);
    dir = scratchDir('e2e');
    writeTree(tree, dir, [`/apps/${service}/`]);

    // The generated module reads its configuration from the environment when it is loaded.
    const url = new URL(databaseUrlBefore ?? postgresUrl());
    url.pathname = `/${database}`;
    process.env.DATABASE_URL = url.toString();
    const src = path.join(dir, 'apps', service, 'src');
    const className = strings.classify(service);
    const load = <T>(file: string): T => require(path.join(src, file)) as T;
    const root = load<Record<string, Function>>(`${service}.module.ts`)[`${className}Module`];
    const sampleService = load<Record<string, Function>>(`${service}.service.ts`)[`${className}Service`];
    const { RecordsRow } = load<{ RecordsRow: Function }>('projections/records.entity.ts');
    const { GetRecordRequest } = load<{ GetRecordRequest: new () => object }>('rpc/get-record.contract.ts');

    app = await NestFactory.createApplicationContext(root as never, { logger: ['error'], abortOnError: false });
    const id = `record-${Date.now()}`;
    const eventId = await app.get<{ createRecord(id: string): Promise<string> }>(sampleService).createRecord(id);

    const rows = app.get(DataSource).getRepository<{ id: string; lastEventId: string }>(RecordsRow);
    const row = await waitFor(() => rows.findOneBy({ id }), { timeoutMs: 60_000 });
    expect(row.lastEventId).toBe(eventId);

    const client = app.get(RpcClientFactory).client(service);
    await expect(client.call(GetRecordRequest as never, { id })).resolves.toMatchObject({ id });
    await expect(client.call(GetRecordRequest as never, { id: '' })).rejects.toThrow(/id/);
  });
});
