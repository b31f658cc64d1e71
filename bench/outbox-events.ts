/** The event the outbox benchmark publishes, shared by the bench and its load generator process. */
import { IntegrationEvent } from '@tributary/outbox';

export const BENCH_KEYS = 1000;
const NOTE = 'n'.repeat(150);

export interface BenchEvent {
  orderId: string;
  seq: number;
  note: string;
}

/** The event class for `topic`, and event number i of the benchmark (keys cycle over BENCH_KEYS). */
export function defineBenchEvent(topic: string): { eventClass: new (...args: any[]) => BenchEvent; eventAt: (i: number) => BenchEvent } {
  @IntegrationEvent<BenchOrderPlaced>({ type: 'bench.order-placed', topic, key: 'orderId' })
  class BenchOrderPlaced implements BenchEvent {
    constructor(
      readonly orderId: string,
      readonly seq: number,
      readonly note: string,
    ) {}
  }
  return { eventClass: BenchOrderPlaced, eventAt: (i) => new BenchOrderPlaced(`order-${i % BENCH_KEYS}`, i, NOTE) };
}

/** Wall-clock epoch ms with sub-millisecond precision, comparable across processes. */
export const epochMs = (): number => performance.timeOrigin + performance.now();
