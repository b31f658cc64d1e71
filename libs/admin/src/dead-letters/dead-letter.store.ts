import { DEAD_LETTER_HEADER_PREFIX, DeadLetterHeaders, headersToStrings, TributaryHeaders, type KafkaClient } from '@tributary/kafka';
import type { IHeaders } from 'kafkajs';
import type { AdminActor } from '../interfaces/admin-action.interface';
import type { AdminDeadLetter, DeadLetterFilter } from '../interfaces/admin-dead-letter.interface';
import { readTopicSnapshot, type SnapshotMessage } from '../kafka/topic-snapshot.reader';

/** A dead letter with the raw message it came from (for replay). */
export interface FoundDeadLetter {
  letter: AdminDeadLetter;
  raw: SnapshotMessage;
}

/** Value of a record in a `<dlq>.archive` topic (key: `<partition>/<offset>`). */
interface ArchiveMarker {
  disposition: 'replayed' | 'archived';
  by: string;
  via: string;
  at: string;
}

/**
 * Reads dead-letter topics and records what was done with each dead letter in a compacted
 * `<dlq><suffix>` topic next to it (no database needed, so it works in cluster mode too).
 */
export class DeadLetterStore {
  constructor(
    private readonly kafka: KafkaClient,
    private readonly archiveSuffix: string,
    private readonly timeoutMs: number,
  ) {}

  archiveTopicOf(dlqTopic: string): string {
    return `${dlqTopic}${this.archiveSuffix}`;
  }

  /** Dead letters of `topics` matching `filter` (without `limit`), with their disposition. */
  async find(topics: string[], filter: DeadLetterFilter, withPayloads: boolean): Promise<FoundDeadLetter[]> {
    const archives = new Map(topics.map((t) => [this.archiveTopicOf(t), t]));
    const messages = await readTopicSnapshot(this.kafka, [...topics, ...archives.keys()], this.timeoutMs);
    const dispositions = new Map<string, ArchiveMarker['disposition']>();
    for (const m of messages) {
      const dlq = archives.get(m.topic);
      if (!dlq || !m.message.key) continue;
      const id = `${dlq}/${m.message.key.toString('utf8')}`;
      if (!m.message.value || m.message.value.length === 0) dispositions.delete(id);
      else dispositions.set(id, (JSON.parse(m.message.value.toString('utf8')) as ArchiveMarker).disposition);
    }
    const error = filter.error?.toLowerCase();
    const found: FoundDeadLetter[] = [];
    for (const raw of messages) {
      if (archives.has(raw.topic)) continue;
      const letter = this.toLetter(raw, dispositions, withPayloads);
      if (!filter.includeHandled && letter.disposition) continue;
      if (filter.projection !== undefined && letter.projection !== filter.projection) continue;
      if (filter.reason !== undefined && letter.reason !== filter.reason) continue;
      if (filter.type !== undefined && letter.eventType !== filter.type) continue;
      if (error !== undefined && !letter.error.toLowerCase().includes(error)) continue;
      const failedAt = Date.parse(letter.failedAt);
      if (filter.since && !(failedAt >= filter.since.getTime())) continue;
      if (filter.until && !(failedAt < filter.until.getTime())) continue;
      found.push({ letter, raw });
    }
    return found;
  }

  /**
   * Send dead letters back to their origin topics: original key, value and headers minus the
   * dead-letter ones, plus `tributary-dlq-replayed-from` (the dead letter's id), the mark by which
   * the projection that dead-lettered the event applies this copy (it skips any other copy).
   */
  async replay(items: FoundDeadLetter[]): Promise<void> {
    if (items.length === 0) return;
    const producer = await this.kafka.producer();
    const byTopic = new Map<string, FoundDeadLetter[]>();
    for (const item of items) byTopic.set(item.letter.originTopic, [...(byTopic.get(item.letter.originTopic) ?? []), item]);
    await producer.sendBatch({
      topicMessages: [...byTopic].map(([topic, list]) => ({
        topic,
        messages: list.map(({ raw, letter }) => ({
          key: raw.message.key,
          value: raw.message.value,
          headers: { ...withoutDeadLetterHeaders(raw.message.headers), [DeadLetterHeaders.REPLAYED_FROM]: letter.id },
        })),
      })),
    });
  }

  /** Record the disposition of dead letters in their archive topics (created compacted when missing). */
  async mark(items: FoundDeadLetter[], disposition: ArchiveMarker['disposition'], actor: AdminActor): Promise<void> {
    if (items.length === 0) return;
    const byArchive = new Map<string, FoundDeadLetter[]>();
    for (const item of items) {
      const archive = this.archiveTopicOf(item.letter.topic);
      byArchive.set(archive, [...(byArchive.get(archive) ?? []), item]);
    }
    await this.kafka.admin.ensureTopics([...byArchive.keys()].map((topic) => ({ topic, compacted: true })));
    const marker: ArchiveMarker = { disposition, by: actor.name, via: actor.via, at: new Date().toISOString() };
    const producer = await this.kafka.producer();
    await producer.sendBatch({
      topicMessages: [...byArchive].map(([topic, list]) => ({
        topic,
        messages: list.map(({ letter }) => ({ key: `${letter.partition}/${letter.offset}`, value: JSON.stringify(marker) })),
      })),
    });
  }

  private toLetter(raw: SnapshotMessage, dispositions: Map<string, ArchiveMarker['disposition']>, withPayloads: boolean): AdminDeadLetter {
    const { topic, partition, message } = raw;
    const h = headersToStrings(message.headers);
    const id = `${topic}/${partition}/${message.offset}`;
    const letter: AdminDeadLetter = {
      id,
      topic,
      partition,
      offset: message.offset,
      key: message.key ? message.key.toString('utf8') : null,
      eventId: h[TributaryHeaders.EVENT_ID],
      eventType: h[TributaryHeaders.EVENT_TYPE],
      reason: h[DeadLetterHeaders.REASON] ?? 'unknown',
      error: h[DeadLetterHeaders.ERROR] ?? '',
      projection: h[DeadLetterHeaders.PROJECTION] ?? '',
      originTopic: h[DeadLetterHeaders.ORIGIN_TOPIC] ?? '',
      originPartition: Number(h[DeadLetterHeaders.ORIGIN_PARTITION] ?? -1),
      originOffset: h[DeadLetterHeaders.ORIGIN_OFFSET] ?? '',
      attempts: Number(h[DeadLetterHeaders.ATTEMPTS] ?? 0),
      failedAt: h[DeadLetterHeaders.FAILED_AT] ?? new Date(Number(message.timestamp)).toISOString(),
    };
    const disposition = dispositions.get(`${topic}/${partition}/${message.offset}`);
    if (disposition) letter.disposition = disposition;
    if (withPayloads) {
      letter.payload = message.value?.toString('utf8') ?? '';
      letter.headers = h;
    }
    return letter;
  }
}

function withoutDeadLetterHeaders(headers: IHeaders | undefined): IHeaders {
  const out: IHeaders = {};
  for (const [name, value] of Object.entries(headers ?? {})) if (!name.startsWith(DEAD_LETTER_HEADER_PREFIX) && value !== undefined) out[name] = value;
  return out;
}
