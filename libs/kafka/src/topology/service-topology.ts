import { Injectable } from '@nestjs/common';
import { BehaviorSubject, type Observable } from 'rxjs';

/** An event type this service writes. */
export interface PublishedEvent {
  type: string;
  topic: string;
  version: number;
}

/** An event type this service reads, and who reads it (a projection, a handler). */
export interface ConsumedEvent {
  type: string;
  topic: string;
  consumer: string;
}

/** An RPC method this service answers. */
export interface ServedMethod {
  method: string;
  transport: string;
}

/** What this service publishes, consumes and serves. */
export interface TopologySnapshot {
  publishes: PublishedEvent[];
  consumes: ConsumedEvent[];
  serves: ServedMethod[];
}

/**
 * What this app publishes, consumes and serves, filled in by the libs at bootstrap (outbox,
 * projections, rpc) and read by discovery to announce the instance. Keeps the libs independent
 * of each other: they all depend on @tributary/kafka only.
 */
@Injectable()
export class ServiceTopology {
  private readonly state = new BehaviorSubject<TopologySnapshot>({ publishes: [], consumes: [], serves: [] });

  /** Current snapshot. */
  snapshot(): TopologySnapshot {
    return this.state.value;
  }

  /** Emits the snapshot now and after every change. */
  get changes(): Observable<TopologySnapshot> {
    return this.state.asObservable();
  }

  addPublished(entry: PublishedEvent): void {
    this.add('publishes', entry, (a, b) => a.type === b.type && a.topic === b.topic && a.version === b.version);
  }

  addConsumed(entry: ConsumedEvent): void {
    this.add('consumes', entry, (a, b) => a.type === b.type && a.topic === b.topic && a.consumer === b.consumer);
  }

  addServed(entry: ServedMethod): void {
    this.add('serves', entry, (a, b) => a.method === b.method && a.transport === b.transport);
  }

  private add<K extends keyof TopologySnapshot>(
    kind: K,
    entry: TopologySnapshot[K][number],
    same: (a: TopologySnapshot[K][number], b: TopologySnapshot[K][number]) => boolean,
  ): void {
    const current = this.state.value;
    const list = current[kind] as Array<TopologySnapshot[K][number]>;
    if (list.some((e) => same(e, entry))) return;
    this.state.next({ ...current, [kind]: [...list, entry] });
  }
}
