import type { QueryRunner } from 'typeorm';
import { OutboxStore } from './outbox.store';
import { QueryRunnerSession, type SqlSession } from './sql-session';

/**
 * Stores on client-server databases (PostgreSQL, MySQL/MariaDB). A relay claims lanes in a short
 * transaction (lane rows `FOR UPDATE SKIP LOCKED`, skipping lanes leased by another relay): read
 * the lanes' next rows, write a lease on the lanes it will send from, commit, release the
 * connection. It sends with no connection held, renewing the lease meanwhile, then marks the rows
 * in a second short transaction that first checks the lease is still its own. A crashed relay's
 * lanes are free again once its lease expires (database clock, so relays' clocks do not matter).
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

  async claimLanes<T>(
    lanes: number[],
    owner: string,
    leaseMs: number,
    read: (session: SqlSession, held: number[]) => Promise<{ result: T; lease: number[] }>,
  ): Promise<T | undefined> {
    return this.inTransaction(async (session) => {
      const p = this.params();
      const free = await session.query<{ lane: unknown }>(
        `SELECT lane FROM ${this.lanesTable} WHERE lane IN (${p.list(lanes)}) AND (lease_until IS NULL OR lease_until < ${this.leaseNow(
          p,
        )}) FOR UPDATE SKIP LOCKED`,
        p.values,
      );
      if (free.length === 0) return undefined;
      const { result, lease } = await read(
        session,
        free.map((r) => Number(r.lane)),
      );
      if (lease.length > 0) {
        const u = this.params();
        const set = `lease_owner = ${u.add(owner)}, lease_until = ${this.leaseNowPlus(u, leaseMs)}`;
        await session.execute(`UPDATE ${this.lanesTable} SET ${set} WHERE lane IN (${u.list(lease)})`, u.values);
      }
      return result;
    });
  }

  async withLeasedLanes<T>(lanes: number[], owner: string, fn: (session: SqlSession, ours: number[]) => Promise<T>): Promise<T> {
    return this.inTransaction(async (session) => {
      const p = this.params();
      const rows = await session.query<{ lane: unknown }>(
        `SELECT lane FROM ${this.lanesTable} WHERE lane IN (${p.list(lanes)}) AND lease_owner = ${p.add(owner)} FOR UPDATE`,
        p.values,
      );
      const ours = rows.map((r) => Number(r.lane));
      const result = await fn(session, ours);
      if (ours.length > 0) {
        const u = this.params();
        await session.execute(`UPDATE ${this.lanesTable} SET lease_owner = NULL, lease_until = NULL WHERE lane IN (${u.list(ours)})`, u.values);
      }
      return result;
    });
  }

  protected async withRelaneTransaction<T>(fn: (session: SqlSession) => Promise<T>): Promise<T> {
    return this.inTransaction(async (session) => {
      // Lane rows first, then the publishers' side: relays' marking transactions lock lane rows
      // before they touch the outbox, so this order cannot deadlock with them.
      await session.query(`SELECT lane FROM ${this.lanesTable} FOR UPDATE`);
      await this.holdBackPublishers(session);
      return fn(session);
    });
  }

  /** Make `publish` wait for the re-lane transaction (and see its lane count) from here on. */
  protected abstract holdBackPublishers(session: SqlSession): Promise<void>;

  /** One READ COMMITTED transaction on a pooled connection, released right after. */
  private async inTransaction<T>(fn: (session: SqlSession) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    try {
      await this.begin(runner);
      const result = await fn(new QueryRunnerSession(runner));
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
