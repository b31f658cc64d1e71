import { ProducerPool, type KafkaClient } from '@tributary/kafka';
import type { Producer, ProducerBatch } from 'kafkajs';
import type { OutboxRow } from '../store/outbox-row.interface';
import { KafkaBatchSender } from './kafka-batch.sender';
import type { RelayTelemetry } from './relay.telemetry';

/**
 * The sender's retry decisions, against stand-in producers whose answers the test scripts (the
 * broker-facing paths are covered by the e2e specs; a broker that forgets a producer's state
 * cannot be staged there).
 */

/** What the n-th request (over all producers) answers: acked, or the error it throws. */
type Answer = 'ack' | Error;

const brokerError = (type: string) => Object.assign(new Error(`${type} (scripted)`), { name: 'KafkaJSProtocolError', type });

function row(id: number, key: string): OutboxRow {
  return {
    id,
    eventId: `event-${id}`,
    topic: 'orders',
    key,
    type: 'test.event',
    version: 1,
    payload: `{"id":${id}}`,
    headers: {},
    lane: 0,
    status: 'pending',
    attempts: 0,
    lastError: null,
    createdAt: new Date(0),
    availableAt: new Date(0),
    publishedAt: null,
  };
}

function setup(answers: Answer[]) {
  const requests: Array<{ producer: number; values: string[] }> = [];
  const closed: number[] = [];
  let made = 0;
  const pool = new ProducerPool({
    create: async () => {
      const id = ++made;
      const sendBatch = async (batch: ProducerBatch) => {
        requests.push({ producer: id, values: batch.topicMessages!.flatMap((t) => t.messages.map((m) => String(m.value))) });
        const answer = answers.shift() ?? 'ack';
        if (answer !== 'ack') throw answer;
        return [];
      };
      return { id, sendBatch } as unknown as Producer;
    },
    close: async (producer) => {
      closed.push((producer as unknown as { id: number }).id);
    },
  });
  const kafka = { createProducerPool: () => pool, admin: { ensureTopics: async () => undefined } } as unknown as KafkaClient;
  const telemetry = { startSend: () => ({ end: () => undefined }) } as unknown as RelayTelemetry;
  const sender = new KafkaBatchSender(kafka, { create: false, numPartitions: 1, replicationFactor: -1 }, telemetry);
  return { sender, pool, requests, closed };
}

const flush = () => new Promise((r) => setImmediate(r));

describe('KafkaBatchSender', () => {
  it('sends a batch refused as out of sequence once more, on a brand-new producer, and closes the refused one', async () => {
    const { sender, pool, requests, closed } = setup([brokerError('OUT_OF_ORDER_SEQUENCE_NUMBER')]);
    // Two idle producers: the send takes producer 2, and the retry must still not use the idle 1 (nor the refused one).
    const spare = await pool.acquire();
    const next = await pool.acquire();
    spare.release();
    next.release();
    const rows = [row(1, 'a'), row(2, 'b')];
    const result = await sender.send(rows);
    await flush();
    expect(result).toEqual({ acked: rows, failed: [] });
    expect(requests).toEqual([
      { producer: 2, values: ['{"id":1}', '{"id":2}'] },
      { producer: 3, values: ['{"id":1}', '{"id":2}'] },
    ]);
    expect(closed).toEqual([2]);
  });

  it('after a refused request, sends the rows one by one, each after a failure on a fresh producer, and blocks the refused key', async () => {
    const tooLarge = brokerError('MESSAGE_TOO_LARGE');
    // The batch request, then rows 1 (refused), 2, 3 (key a: blocked, not sent), 4.
    const { sender, requests, closed } = setup([tooLarge, tooLarge, 'ack', 'ack']);
    const rows = [row(1, 'a'), row(2, 'b'), row(3, 'a'), row(4, 'c')];
    const result = await sender.send(rows);
    await flush();
    expect(result.acked.map((r) => r.id)).toEqual([2, 4]);
    expect(result.failed.map((f) => [f.row.id, (f.error as { type?: string }).type])).toEqual([[1, 'MESSAGE_TOO_LARGE']]);
    expect(result.outage).toBeUndefined();
    // No producer sends after a failure on it: the batch's (1), row 1's (2); rows 2 and 4 share a healthy one (3).
    expect(requests.map((r) => [r.producer, r.values.length])).toEqual([
      [1, 4],
      [2, 1],
      [3, 1],
      [3, 1],
    ]);
    expect(closed.sort()).toEqual([1, 2]);
  });
});
