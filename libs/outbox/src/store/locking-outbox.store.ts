import type { QueryRunner } from 'typeorm';
import { OutboxStore } from './outbox.store';
import { QueryRunnerSession, type SqlSession } from './sql-session';

/**
 * Stores on client-server databases (PostgreSQL, MySQL/MariaDB). A relay holds lanes by locking
 * their rows in the lane table (`FOR UPDATE SKIP LOCKED`) for one transaction: read the lane's next
 * rows, send them, mark them, commit. Another relay skips a locked lane instead of waiting, and a
 * crashed relay's lock dies with its connection, so no lease needs to expire.
 */
export abstract class LockingOutboxStore extends OutboxStore {
  /**
   * Open the relay's transaction, READ COMMITTED so that every statement sees what other relays
   * committed before it took the lock.
   */
  protected async begin(runner: QueryRunner): Promise<void> {
    await runner.startTransaction('READ COMMITTED');
  }

  protected async commit(runner: QueryRunner): Promise<void> {
    await runner.commitTransaction();
  }

  protected async rollback(runner: QueryRunner): Promise<void> {
    if (runner.isTransactionActive) await runner.rollbackTransaction();
  }

  async withLanes<T>(lanes: number[], fn: (session: SqlSession, held: number[]) => Promise<T>): Promise<T | undefined> {
    const runner = this.dataSource.createQueryRunner();
    try {
      await this.begin(runner);
      const session = new QueryRunnerSession(runner);
      const p = this.params();
      const locked = await session.query<{ lane: unknown }>(
        `SELECT lane FROM ${this.lanesTable} WHERE lane IN (${p.list(lanes)}) FOR UPDATE SKIP LOCKED`,
        p.values,
      );
      if (locked.length === 0) {
        await this.rollback(runner);
        return undefined;
      }
      const result = await fn(
        session,
        locked.map((r) => Number(r.lane)),
      );
      await this.commit(runner);
      return result;
    } catch (e) {
      await this.rollback(runner).catch(() => undefined);
      throw e;
    } finally {
      await runner.release().catch(() => undefined);
    }
  }

  async withSession<T>(fn: (session: SqlSession) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    try {
      return await fn(new QueryRunnerSession(runner));
    } finally {
      await runner.release().catch(() => undefined);
    }
  }
}
