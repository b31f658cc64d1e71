import type { Logger } from '@nestjs/common';
import type { ConsumedBatch, KafkaClient } from '@tributary/kafka';
import { ProjectionHaltedException } from '../exceptions/projection-halted.exception';
import { ProjectionFailurePolicy } from '../interfaces/projection-policies.enum';
import type { ProjectionMetricsRecorder } from '../observability/projection-metrics';
import { DeadLetterHeaders } from '../projections.constants';
import type { PreparedMessage } from './prepared-message';
import type { ProjectionDefinition } from './projection-definition';

/**
 * Sends a projection's poison messages to its dead-letter topic with the reason in headers, or
 * halts the projection when its failure policy is `Stop`.
 */
export class ProjectionDeadLetterer {
  /** Messages sent to the dead-letter topic by this instance since it started. */
  sent = 0;

  constructor(
    private readonly definition: ProjectionDefinition,
    private readonly kafka: KafkaClient,
    private readonly metrics: ProjectionMetricsRecorder,
    private readonly logger: Logger,
  ) {}

  /**
   * Called before the batch's transaction commits: a crash in between re-sends the messages (a
   * duplicate dead letter) but never loses one. With the Stop policy it throws
   * `ProjectionHaltedException` instead, so the batch rolls back and the projection halts.
   */
  async send(batch: ConsumedBatch, items: PreparedMessage[]): Promise<void> {
    const { name, failurePolicy, deadLetterTopic } = this.definition.options;
    const first = items[0];
    if (failurePolicy === ProjectionFailurePolicy.Stop) {
      throw new ProjectionHaltedException(name, first.failure!.reason, batch.topic, batch.partition, first.message.offset, first.failure!.error);
    }
    const dlqTopic = deadLetterTopic(batch.topic);
    const failedAt = new Date().toISOString();
    const producer = await this.kafka.producer();
    await producer.send({
      topic: dlqTopic,
      messages: items.map(({ message, failure }) => ({
        key: message.key,
        value: message.value,
        headers: {
          ...(message.headers ?? {}),
          [DeadLetterHeaders.REASON]: failure!.reason,
          [DeadLetterHeaders.ERROR]: failure!.error.slice(0, 2000),
          [DeadLetterHeaders.ORIGIN_TOPIC]: batch.topic,
          [DeadLetterHeaders.ORIGIN_PARTITION]: String(batch.partition),
          [DeadLetterHeaders.ORIGIN_OFFSET]: message.offset,
          [DeadLetterHeaders.PROJECTION]: name,
          [DeadLetterHeaders.ATTEMPTS]: String(failure!.attempts),
          [DeadLetterHeaders.FAILED_AT]: failedAt,
        },
      })),
    });
    this.sent += items.length;
    for (const { message, failure } of items) {
      this.metrics.deadLettered(failure!.reason);
      this.logger.warn(`dead-lettered ${batch.topic}[${batch.partition}]@${message.offset} to ${dlqTopic} (${failure!.reason}): ${failure!.error}`);
    }
  }
}
