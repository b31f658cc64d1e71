import { Injectable } from '@nestjs/common';
import { KafkaClient } from '../kafka.client';
import { healthResult, type TributaryHealthResult } from './health-indicator-result';

/**
 * Terminus-compatible health indicator: up when the cluster answers within `timeoutMs` and,
 * once the shared producer was created, that producer is connected.
 */
@Injectable()
export class KafkaHealthIndicator {
  constructor(private readonly client: KafkaClient) {}

  async isHealthy<Key extends string = 'kafka'>(key: Key = 'kafka' as Key, timeoutMs = 3000): Promise<TributaryHealthResult<Key>> {
    try {
      const brokers = await this.client.ping(timeoutMs);
      const producerConnected = this.client.producerConnected;
      const up = brokers > 0 && (producerConnected || !this.client.options.connectOnBootstrap);
      return healthResult(key, up, { brokers, producerConnected });
    } catch (e) {
      return healthResult(key, false, { message: (e as Error).message });
    }
  }
}
