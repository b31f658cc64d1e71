import type { QueryRunner } from 'typeorm';

/** The two things the store asks of a connection: read rows, and change rows (affected count). */
export interface SqlSession {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  execute(sql: string, params?: unknown[]): Promise<number>;
}

/** A session over a TypeORM QueryRunner (the caller's transaction, or one the relay opened). */
export class QueryRunnerSession implements SqlSession {
  constructor(private readonly runner: QueryRunner) {}

  async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    const result = await this.runner.query(sql, params, true);
    return (result.records ?? []) as T[];
  }

  async execute(sql: string, params: unknown[] = []): Promise<number> {
    const result = await this.runner.query(sql, params, true);
    return result.affected ?? 0;
  }
}

/** Collects positional parameters and returns the dialect's placeholder for each. */
export class SqlParams {
  readonly values: unknown[] = [];

  constructor(private readonly placeholder: (index: number) => string) {}

  add(value: unknown): string {
    this.values.push(value);
    return this.placeholder(this.values.length);
  }

  list(values: readonly unknown[]): string {
    return values.map((v) => this.add(v)).join(', ');
  }
}
