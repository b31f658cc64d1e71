import type { DataSource, EntitySubscriberInterface, QueryRunner } from 'typeorm';
import type { PgClient } from './postgres-notification.listener';

/**
 * Wakes the relays (NOTIFY on the outbox channel) once a transaction that published rows has
 * committed, instead of inside the business transaction. It sends on a connection of its own,
 * opened at the first wake-up: a saturated pool would otherwise hold wake-ups back behind the
 * app's own transactions.
 *
 * Why: PostgreSQL serializes the commits of all transactions that called NOTIFY (a database-wide
 * lock held from before the commit record until the commit ends, WAL flush included), so a
 * NOTIFY in every publishing transaction caps the whole database at about one such commit per
 * WAL flush (~450/s measured here, against ~2,200/s without it). The NOTIFY sent here runs in its
 * own tiny transaction that does not wait for the flush (nothing durable depends on it), so the
 * lock is held for microseconds. A lost wake-up only delays rows until the relay's next poll.
 *
 * Wake-ups are not delayed: the first commit notifies at once (next turn of the event loop), and
 * commits arriving while that NOTIFY is in flight are sent together in the next one.
 */
export class PostgresCommitNotifier {
  /** Lanes written by each open transaction (a savepoint commit is not the end of it). */
  private readonly written = new WeakMap<QueryRunner, Set<number>>();
  private committed = new Set<number>();
  /** The NOTIFY in flight. */
  private sending?: Promise<void>;
  private scheduled = false;
  private readonly subscriber: EntitySubscriberInterface;
  private client?: Promise<PgClient>;
  private subscribed = false;
  private closed = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly channel: string,
    private readonly newClient: () => PgClient,
  ) {
    this.subscriber = {
      afterTransactionCommit: ({ queryRunner }) => this.ended(queryRunner, true),
      afterTransactionRollback: ({ queryRunner }) => this.ended(queryRunner, false),
    };
  }

  /** `transaction` wrote rows in `lanes`: notify them once it commits. */
  track(transaction: QueryRunner, lanes: readonly number[]): void {
    if (this.closed) return;
    // Subscribed at the first publish only: stores made for a migration never publish.
    if (!this.subscribed) {
      this.dataSource.subscribers.push(this.subscriber);
      this.subscribed = true;
    }
    let set = this.written.get(transaction);
    if (!set) this.written.set(transaction, (set = new Set()));
    for (const lane of lanes) set.add(lane);
  }

  /**
   * Stop listening to the DataSource's transactions, send the wake-up of transactions that already
   * committed (the relays would otherwise wait for their next poll to see those rows), then close
   * the connection.
   */
  async close(): Promise<void> {
    this.closed = true;
    const index = this.dataSource.subscribers.indexOf(this.subscriber);
    if (index >= 0) this.dataSource.subscribers.splice(index, 1);
    while (this.sending || this.committed.size > 0) await (this.sending ?? this.send());
    const client = this.client;
    this.client = undefined;
    await (await client?.catch(() => undefined))?.end().catch(() => undefined);
  }

  private ended(transaction: QueryRunner, committed: boolean): void {
    // Still active: a savepoint was released or rolled back; the transaction goes on.
    if (transaction.isTransactionActive) return;
    const lanes = this.written.get(transaction);
    if (!lanes) return;
    this.written.delete(transaction);
    if (!committed) return;
    for (const lane of lanes) this.committed.add(lane);
    this.schedule();
  }

  private schedule(): void {
    if (this.sending || this.scheduled || this.closed) return;
    this.scheduled = true;
    setImmediate(() => void this.send());
  }

  /** Notify the lanes committed so far (none: nothing to do). */
  private send(): Promise<void> {
    this.scheduled = false;
    if (this.committed.size === 0 || this.sending) return this.sending ?? Promise.resolve();
    const lanes = [...this.committed];
    this.committed = new Set();
    this.sending = this.notify(lanes).finally(() => {
      this.sending = undefined;
      if (this.committed.size > 0) this.schedule();
    });
    return this.sending;
  }

  private async notify(lanes: number[]): Promise<void> {
    try {
      const client = await this.connection();
      await client.query(`SELECT set_config('synchronous_commit', 'off', true), pg_notify($1, $2)`, [this.channel, lanes.join(',')]);
    } catch {
      // The relays' polling picks the rows up; the next wake-up opens a new connection.
      this.drop();
    }
  }

  private connection(): Promise<PgClient> {
    if (!this.client) {
      const client = this.newClient();
      const connected = client.connect().then(() => client);
      const lost = () => {
        if (this.client === connected) this.drop();
      };
      client.on('error', lost);
      client.on('end', lost);
      this.client = connected;
    }
    return this.client;
  }

  private drop(): void {
    const client = this.client;
    this.client = undefined;
    void client?.then((c) => c.end()).catch(() => undefined);
  }
}
