import { Logger } from '@nestjs/common';
import type { TypeOrmModuleOptions } from '@nestjs/typeorm';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import type { DataSourceOptions } from 'typeorm';

/**
 * TypeORM options from one URL: `postgres://…`, `mysql://…` / `mariadb://…`, or an SQLite file
 * (`sqlite:<file>` or a bare path). Shared by the sample services; a real service keeps its own.
 */
export function databaseOptions(url: string): DataSourceOptions & TypeOrmModuleOptions {
  if (/^postgres(ql)?:\/\//.test(url)) return { type: 'postgres', url };
  if (/^(mysql|mariadb):\/\//.test(url)) return { type: 'mysql', url: url.replace(/^mariadb:/, 'mysql:') };
  return { type: 'better-sqlite3', database: url.replace(/^sqlite:/, '') };
}

/** What a service's database resolved to, for the start-up log line (never a password). */
export function describeDatabase(options: DataSourceOptions): string {
  if (options.type === 'better-sqlite3') return `SQLite file ${path.resolve(options.database as string)}`;
  const url = new URL((options as { url: string }).url);
  url.password = '';
  const kind = options.type === 'postgres' ? 'PostgreSQL' : 'MySQL/MariaDB';
  return `${kind} at ${url.host}${url.pathname}`;
}

/**
 * The service's database: `url` when set, else its own SQLite file under `.tmp/` (created on
 * demand), so a service runs with nothing but Node. Logs which one it uses.
 */
export function serviceDatabase(service: string, url: string | undefined): DataSourceOptions & TypeOrmModuleOptions {
  const fallback = path.join('.tmp', `${service}.sqlite`);
  const options = databaseOptions(url ?? fallback);
  if (options.type === 'better-sqlite3') mkdirSync(path.dirname(path.resolve(options.database as string)), { recursive: true });
  new Logger(service).log(`database: ${describeDatabase(options)}${url ? '' : ' (no database URL set: the local SQLite fallback)'}`);
  return options;
}
