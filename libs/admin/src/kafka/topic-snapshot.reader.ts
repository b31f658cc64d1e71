import { randomUUID } from 'node:crypto';
import type { KafkaClient } from '@tributary/kafka';
import type { KafkaMessage } from 'kafkajs';

/** A message read by `readTopicSnapshot`, with where it was found. */
export interface SnapshotMessage {
  topic: string;
  partition: number;
  message: KafkaMessage;
}

/**
 * Read `topics` from their earliest offsets up to the high watermarks taken at the call, then
 * leave. kafkajs has no manual assignment, so this joins a throwaway consumer group (deleted after).
 * Topics that do not exist are skipped.
 */
export async function readTopicSnapshot(kafka: KafkaClient, topics: string[], timeoutMs: number): Promise<SnapshotMessage[]> {
  if (topics.length === 0) return [];
  const admin = await kafka.admin.client();
  const existing = new Set(await admin.listTopics());
  const pending = new Map<string, bigint>();
  for (const topic of topics.filter((t) => existing.has(t))) {
    for (const o of await admin.fetchTopicOffsets(topic)) {
      if (BigInt(o.high) > BigInt(o.low)) pending.set(`${topic}:${o.partition}`, BigInt(o.high));
    }
  }
  if (pending.size === 0) return [];
  const wanted = [...new Set([...pending.keys()].map((k) => k.slice(0, k.lastIndexOf(':'))))];
  const out: SnapshotMessage[] = [];
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const groupId = `tributary.admin.read.${randomUUID()}`;
  const runner = kafka.createConsumer({
    groupId,
    topics: wanted,
    fromBeginning: true,
    autoCommit: false,
    restartOnCrash: false,
    eachBatch: async (batch) => {
      const key = `${batch.topic}:${batch.partition}`;
      const high = pending.get(key);
      for (const message of batch.messages) {
        if (high !== undefined && BigInt(message.offset) < high) out.push({ topic: batch.topic, partition: batch.partition, message });
        batch.resolveOffset(message.offset);
      }
      const last = batch.messages[batch.messages.length - 1];
      if (high !== undefined && last && BigInt(last.offset) + 1n >= high) pending.delete(key);
      // Compaction can leave the last offsets empty: the batch's high watermark tells we are at the end.
      if (high !== undefined && BigInt(batch.highWatermark) >= high && batch.messages.length === 0) pending.delete(key);
      if (pending.size === 0) done();
    },
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await runner.start();
    await Promise.race([
      finished,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`reading ${wanted.join(', ')} took longer than ${timeoutMs} ms (${pending.size} partitions left)`)),
          timeoutMs,
        );
      }),
    ]);
  } finally {
    if (timer) clearTimeout(timer);
    await runner.stop();
    await admin.deleteGroups([groupId]).catch(() => undefined);
  }
  return out.sort((a, b) =>
    a.topic === b.topic ? a.partition - b.partition || Number(BigInt(a.message.offset) - BigInt(b.message.offset)) : a.topic.localeCompare(b.topic),
  );
}

