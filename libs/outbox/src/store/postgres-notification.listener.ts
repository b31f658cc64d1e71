import type { Logger } from '@nestjs/common';
import { backoffDelay } from '@tributary/kafka';
import type { OutboxWakeupListener } from './outbox.store';

/** The part of `pg.Client` the listener and the commit notifier use. */
export interface PgClient {
  connect(): Promise<void>;
  query(sql: string, params?: unknown[]): Promise<unknown>;
  end(): Promise<void>;
  on(event: 'notification', listener: (message: { channel: string; payload?: string }) => void): this;
  on(event: 'error' | 'end', listener: (error?: Error) => void): this;
  removeAllListeners(): this;
}

export type PgClientConstructor = new (config: Record<string, unknown>) => PgClient;

const RECONNECT = { initialMs: 200, maxMs: 10_000, multiplier: 2, jitter: 0.2 };

/**
 * A dedicated PostgreSQL connection (outside the pool) that LISTENs on the outbox channel and
 * reconnects with backoff when it drops. After every (re)connect it asks for a full scan
 * (`onLanes(undefined)`), since notifications sent while it was away are lost.
 */
export class PostgresNotificationListener implements OutboxWakeupListener {
  private client?: PgClient;
  private stopped = true;
  private failures = 0;
  private retryTimer?: NodeJS.Timeout;
  private connected = false;

  constructor(
    private readonly newClient: () => PgClient,
    private readonly channel: string,
    private readonly onLanes: (lanes: number[] | undefined) => void,
    private readonly logger: Logger,
  ) {}

  get listening(): boolean {
    return this.connected;
  }

  start(): void {
    this.stopped = false;
    void this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    await this.dispose();
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = this.newClient();
    this.client = client;
    client.on('notification', (message) => {
      if (message.channel !== this.channel) return;
      const lanes = (message.payload ?? '').split(',').filter(Boolean).map(Number);
      this.onLanes(lanes.length && lanes.every(Number.isInteger) ? lanes : undefined);
    });
    client.on('error', (e) => this.lost(client, e));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN "${this.channel}"`);
      if (this.client !== client || this.stopped) return;
      this.connected = true;
      this.failures = 0;
      this.onLanes(undefined);
    } catch (e) {
      this.lost(client, e as Error);
    }
  }

  private lost(client: PgClient, error?: Error): void {
    if (this.client !== client) return;
    this.connected = false;
    this.client = undefined;
    client.removeAllListeners();
    client.on('error', () => undefined);
    void client.end().catch(() => undefined);
    if (this.stopped) return;
    this.failures++;
    const delay = backoffDelay(this.failures, RECONNECT);
    if (this.failures === 1 || this.failures % 10 === 0) {
      this.logger.warn(`outbox LISTEN connection lost (${error?.message ?? 'closed'}); reconnecting in ${delay} ms, polling meanwhile`);
    }
    this.retryTimer = setTimeout(() => void this.connect(), delay);
  }

  private async dispose(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.connected = false;
    if (!client) return;
    client.removeAllListeners();
    client.on('error', () => undefined);
    await client.end().catch(() => undefined);
  }
}
