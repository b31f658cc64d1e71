import type { TypeOrmModuleOptions } from '@nestjs/typeorm';
import type { DataSourceOptions } from 'typeorm';

/**
 * TypeORM options from one URL: `postgres://…`, `mysql://…` / `mariadb://…`, or a SQLite file path.
 * Shared by the sample services; a real service keeps its own config.
 */
export function databaseOptions(url: string): DataSourceOptions & TypeOrmModuleOptions {
  if (/^postgres(ql)?:\/\//.test(url)) return { type: 'postgres', url };
  if (/^(mysql|mariadb):\/\//.test(url)) return { type: 'mysql', url: url.replace(/^mariadb:/, 'mysql:') };
  return { type: 'better-sqlite3', database: url };
}
