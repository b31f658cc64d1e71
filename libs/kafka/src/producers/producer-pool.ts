import type { Producer, ProducerBatch, ProducerRecord, RecordMetadata } from 'kafkajs';

/** How a pool makes and closes its producers (the client's `createProducer` / `closeProducer`). */
export interface ProducerFactory {
  create(): Promise<Producer>;
  close(producer: Producer): Promise<void>;
}

/** Options of a `ProducerPool`. */
export interface ProducerPoolOptions {
  /**
   * Most producers at once, lent, idle or connecting; `acquire` waits for one beyond it.
   * @default Infinity
   */
  maxProducers?: number;
  /**
   * Connect a retired producer's successor before closing it, so the pool is never without a
   * connected producer (the client's shared producer, which health reports on). Calls waiting for
   * a producer get the successor.
   * @default false
   */
  replaceRetired?: boolean;
}

/** What the pool lends a producer through. */
interface Owner {
  giveBack(producer: Producer, retired: boolean): void;
}

/**
 * A producer lent by a `ProducerPool` to one caller until `release`. A `send` or `sendBatch` that
 * throws retires it: it is closed when released and never lent again.
 */
export class ProducerLease {
  private failed = false;
  private released = false;

  /** @internal made by `ProducerPool.acquire` */
  constructor(
    private readonly producer: Producer,
    private readonly owner: Owner,
  ) {}

  /** True once a call failed on the producer. */
  get retired(): boolean {
    return this.failed;
  }

  send(record: ProducerRecord): Promise<RecordMetadata[]> {
    return this.guarded(() => this.producer.send(record));
  }

  sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]> {
    return this.guarded(() => this.producer.sendBatch(batch));
  }

  /** Give the producer back: lent again later, or closed when a call failed on it. Idempotent. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.owner.giveBack(this.producer, this.failed);
  }

  private async guarded<R>(call: () => Promise<R>): Promise<R> {
    if (this.released) throw new Error('this producer lease was released: acquire another one');
    if (this.failed) throw new Error('a call failed on this leased producer: release it and acquire another one');
    try {
      return await call();
    } catch (e) {
      this.failed = true;
      throw e;
    }
  }
}

/**
 * Idempotent producers lent to one caller at a time, and dropped after a failed call.
 *
 * Why: when a produce request fails, kafkajs takes back the sequence numbers of every partition of
 * the request, also of those whose records the broker appended (a request refused in part, a
 * retriable error on some partitions). The next request on that producer reuses numbers the
 * broker holds: with another record count it is refused as out of sequence; with the same count
 * the broker acks it as a duplicate of the appended batch and never writes it, a silent loss. A
 * producer only one caller uses, given up after its first failed call, never sends with numbers
 * taken back (kafkajs' own retries of one request resend its records, which the broker rightly
 * deduplicates).
 */
export class ProducerPool {
  private readonly idle: Producer[] = [];
  private readonly lent = new Set<Producer>();
  /** Lent producers `close` asked to close: closed when given back. */
  private readonly closing = new Set<Producer>();
  private connecting = 0;
  private readonly waiters: Array<() => void> = [];
  private readonly maxProducers: number;
  private readonly owner: Owner = { giveBack: (producer, retired) => this.giveBack(producer, retired) };

  constructor(
    private readonly factory: ProducerFactory,
    private readonly options: ProducerPoolOptions = {},
  ) {
    this.maxProducers = options.maxProducers ?? Infinity;
    if (!(this.maxProducers >= 1)) throw new RangeError(`maxProducers must be at least 1, got ${options.maxProducers}`);
  }

  /** Producers idle, lent and connecting. */
  get size(): number {
    return this.idle.length + this.lent.size + this.connecting;
  }

  /**
   * A connected producer for the caller alone until it releases the lease: an idle one, or a new
   * one (always, with `fresh`: e.g. after the broker forgot a producer's state). Waits while
   * `maxProducers` are in use; rejects with the factory's error when a new one cannot connect.
   */
  async acquire(options: { fresh?: boolean } = {}): Promise<ProducerLease> {
    for (;;) {
      if (!options.fresh && this.idle.length > 0) return this.lend(this.idle.pop()!);
      if (this.size < this.maxProducers) {
        this.connecting++;
        let producer: Producer;
        try {
          producer = await this.factory.create();
        } catch (e) {
          this.connecting--;
          this.wakeOne();
          throw e;
        }
        this.connecting--;
        return this.lend(producer);
      }
      // Full: a fresh producer takes an idle one's place; otherwise wait for a producer to come back.
      if (options.fresh && this.idle.length > 0) void this.factory.close(this.idle.shift()!);
      else await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** Run `work` on a lent producer and release it, also when `work` throws. */
  async run<R>(work: (lease: ProducerLease) => Promise<R>): Promise<R> {
    const lease = await this.acquire();
    try {
      return await work(lease);
    } finally {
      lease.release();
    }
  }

  /** Close the idle producers now and the lent ones when released; later `acquire`s make new ones. */
  async close(): Promise<void> {
    for (const producer of this.lent) this.closing.add(producer);
    await Promise.all(this.idle.splice(0).map((producer) => this.factory.close(producer)));
  }

  private lend(producer: Producer): ProducerLease {
    this.lent.add(producer);
    return new ProducerLease(producer, this.owner);
  }

  private giveBack(producer: Producer, retired: boolean): void {
    // Called once per lease (its release is idempotent).
    this.lent.delete(producer);
    const closing = this.closing.delete(producer);
    if (!retired && !closing) {
      this.idle.push(producer);
    } else if (retired && this.options.replaceRetired) {
      // The successor takes the slot while it connects; the retired one goes once it is there.
      this.connecting++;
      const done = (successor?: Producer) => {
        this.connecting--;
        if (successor) this.idle.push(successor);
        void this.factory.close(producer);
        this.wakeOne();
      };
      this.factory.create().then(done, () => done());
      return;
    } else {
      void this.factory.close(producer);
    }
    this.wakeOne();
  }

  private wakeOne(): void {
    this.waiters.shift()?.();
  }
}
