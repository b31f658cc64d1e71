import { Injectable } from '@nestjs/common';
import { healthResult, type TributaryHealthResult } from '@tributary/kafka';
import { OutboxContext } from '../outbox.context';
import { OutboxRelay } from '../relay/outbox.relay';

/**
 * Terminus-compatible health indicator: down when the outbox table cannot be read, when the relay
 * of this instance cannot reach Kafka, or past the `health` thresholds (pending rows, age of the
 * oldest one, dead rows). The figures travel in the result either way.
 */
@Injectable()
export class OutboxHealthIndicator {
  constructor(
    private readonly relay: OutboxRelay,
    private readonly context: OutboxContext,
  ) {}

  async isHealthy<Key extends string = 'outbox'>(key: Key = 'outbox' as Key): Promise<TributaryHealthResult<Key>> {
    try {
      const m = await this.relay.metrics();
      const limits = this.context.options.health;
      const problems: string[] = [];
      const unpublished = m.pending + m.retrying;
      if (unpublished > limits.maxPending) problems.push(`${unpublished} unpublished rows (max ${limits.maxPending})`);
      if (m.oldestPendingAgeMs > limits.maxOldestPendingAgeMs) {
        problems.push(`oldest unpublished row is ${m.oldestPendingAgeMs} ms old (max ${limits.maxOldestPendingAgeMs})`);
      }
      if (m.dead > limits.maxDeadRows) problems.push(`${m.dead} dead rows (max ${limits.maxDeadRows})`);
      if (m.running && !m.brokerAvailable) problems.push('the relay cannot reach Kafka');
      if (m.running && !m.databaseAvailable) problems.push('the relay cannot reach the database');
      return healthResult(key, problems.length === 0, { ...m, ...(problems.length ? { problems } : {}) });
    } catch (e) {
      return healthResult(key, false, { message: (e as Error).message });
    }
  }
}
