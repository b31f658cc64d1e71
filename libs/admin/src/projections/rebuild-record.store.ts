import { randomUUID } from 'node:crypto';
import { isSqlIdentifier } from '@tributary/kafka';
import type { DataSource } from 'typeorm';
import { AdminArgumentException } from '../exceptions/admin-argument.exception';

/** A stored rebuild, before progress is computed. */
export interface RebuildRow {
  id: string;
  projection: string;
  startedBy: string;
  via: string;
  startedAt: string;
  finishedAt: string | null;
  targets: Record<string, string>;
}

/**
 * The admin's rebuild table: who started which rebuild when, and the high watermarks it must
 * reach. Any instance reads it, so a rebuild started on one is seen (with its progress) by all.
 * Times are ISO strings, so one schema fits PostgreSQL, MySQL/MariaDB and SQLite.
 */
export class RebuildRecordStore {
  private readonly table: string;
  private readonly mysql: boolean;
  private ready?: Promise<void>;

  constructor(
    private readonly dataSource: DataSource,
    tableName: string,
  ) {
    if (!isSqlIdentifier(tableName)) throw new AdminArgumentException(`rebuildTable "${tableName}" must be a plain SQL identifier (letters, digits, _; up to 63 chars; no schema prefix)`);
    this.mysql = ['mysql', 'mariadb'].includes(String(dataSource.options.type));
    this.table = this.mysql ? `\`${tableName}\`` : `"${tableName}"`;
  }

  private p(index: number): string {
    return this.dataSource.options.type === 'postgres' ? `$${index}` : '?';
  }

  private ensureTable(): Promise<void> {
    this.ready ??= this.dataSource
      .query(
        `CREATE TABLE IF NOT EXISTS ${this.table} (id VARCHAR(36) NOT NULL PRIMARY KEY, projection VARCHAR(200) NOT NULL, ` +
          `started_by VARCHAR(200) NOT NULL, via VARCHAR(20) NOT NULL, started_at VARCHAR(30) NOT NULL, finished_at VARCHAR(30) NULL, targets TEXT NOT NULL)`,
      )
      .then(
        () => undefined,
        (e: unknown) => {
          this.ready = undefined;
          throw e;
        },
      );
    return this.ready;
  }

  async insert(row: Omit<RebuildRow, 'id' | 'finishedAt'>): Promise<RebuildRow> {
    await this.ensureTable();
    const id = randomUUID();
    await this.dataSource.query(
      `INSERT INTO ${this.table} (id, projection, started_by, via, started_at, finished_at, targets) VALUES (${[1, 2, 3, 4, 5].map((i) => this.p(i)).join(', ')}, NULL, ${this.p(6)})`,
      [id, row.projection, row.startedBy, row.via, row.startedAt, JSON.stringify(row.targets)],
    );
    return { ...row, id, finishedAt: null };
  }

  /** The latest rebuild of each projection (or of `projection`). */
  async latest(projection?: string): Promise<Map<string, RebuildRow>> {
    await this.ensureTable();
    const rows = (await this.dataSource.query(
      `SELECT id, projection, started_by, via, started_at, finished_at, targets FROM ${this.table}` +
        (projection ? ` WHERE projection = ${this.p(1)}` : '') +
        ' ORDER BY started_at',
      projection ? [projection] : [],
    )) as Array<Record<string, unknown>>;
    const latest = new Map<string, RebuildRow>();
    for (const r of rows) {
      latest.set(String(r.projection), {
        id: String(r.id),
        projection: String(r.projection),
        startedBy: String(r.started_by),
        via: String(r.via),
        startedAt: String(r.started_at),
        finishedAt: r.finished_at === null || r.finished_at === undefined ? null : String(r.finished_at),
        targets: JSON.parse(String(r.targets)) as Record<string, string>,
      });
    }
    return latest;
  }

  /** Mark a rebuild finished (first caller wins; later calls change nothing). */
  async finish(id: string, at: string): Promise<void> {
    await this.ensureTable();
    await this.dataSource.query(`UPDATE ${this.table} SET finished_at = ${this.p(1)} WHERE id = ${this.p(2)} AND finished_at IS NULL`, [at, id]);
  }
}
