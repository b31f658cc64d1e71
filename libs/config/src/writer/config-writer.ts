import { Logger } from '@nestjs/common';
import type { KafkaClient } from '@tributary/kafka';
import type { ResolvedDynamicConfigOptions } from '../dynamic-config-options';
import { ConfigWriteRefusedException } from '../exceptions/config-write-refused.exception';
import { InvalidConfigValueException } from '../exceptions/invalid-config-value.exception';
import type { ConfigTopicReader } from '../reader/config-topic.reader';
import { encodeConfigRecord } from '../records/config-record.codec';
import type { ConfigEntry } from '../state/config-entry';
import { checkConfigValue, mergeConfigValue, toPlainConfig } from '../values/config-value';

/** Options of `DynamicConfigService.set`. */
export interface ConfigSetOptions {
  /** Who makes the change (user, tool or job name); written in the `tributary-config-actor` header. */
  actor: string;
  /**
   * `merge`: the given properties replace those of the current value, the others stay.
   * `replace`: properties not given take their declared defaults.
   * @default 'merge'
   */
  mode?: 'merge' | 'replace';
}

/** Options of `DynamicConfigService.delete`. */
export interface ConfigDeleteOptions {
  /** Who makes the change; written in the `tributary-config-actor` header. */
  actor: string;
}

/** How long a write waits to see its own record applied locally before resolving anyway. */
const APPLY_TIMEOUT_MS = 10_000;
const MAX_ACTOR_LENGTH = 200;

/** Validates a change, writes it with its audit headers, and waits until this instance has applied it. */
export class ConfigWriter {
  private readonly logger = new Logger('DynamicConfigWriter');

  constructor(
    private readonly kafka: KafkaClient,
    private readonly options: ResolvedDynamicConfigOptions,
    private readonly reader: ConfigTopicReader,
  ) {}

  async set<T extends object>(entry: ConfigEntry<T>, change: unknown, options: ConfigSetOptions): Promise<void> {
    this.checkWrite(entry, options);
    const key = entry.definition.key;
    const plainChange = toPlainConfig(change);
    if (!plainChange.ok) throw new InvalidConfigValueException(key, plainChange.violations);
    const mode = options.mode ?? 'merge';
    if (mode !== 'merge' && mode !== 'replace') {
      throw new ConfigWriteRefusedException(key, `mode must be 'merge' or 'replace', got ${JSON.stringify(mode)}.`);
    }
    const wanted = mergeConfigValue(entry.currentPlain, entry.defaultPlain, plainChange.plain, mode);
    const check = checkConfigValue(entry.definition, wanted, 'refuse');
    if (!check.ok) throw new InvalidConfigValueException(key, check.violations);
    await this.send(entry, check.plain, options.actor);
  }

  async delete<T extends object>(entry: ConfigEntry<T>, options: ConfigDeleteOptions): Promise<void> {
    this.checkWrite(entry, options);
    await this.send(entry, null, options.actor);
  }

  private checkWrite<T extends object>(entry: ConfigEntry<T>, options: { actor: string } | undefined): void {
    const { key, service } = entry.definition;
    const actor = options?.actor;
    if (typeof actor !== 'string' || actor.trim().length === 0 || actor.length > MAX_ACTOR_LENGTH) {
      throw new ConfigWriteRefusedException(
        key,
        `give { actor } (who makes the change, 1 to ${MAX_ACTOR_LENGTH} characters), e.g. set(OrderLimits, { maxItems: 5 }, { actor: 'alice' }).`,
      );
    }
    if (service !== this.options.service && !this.options.allowWritesToOtherServices) {
      throw new ConfigWriteRefusedException(
        key,
        `it belongs to service "${service}" and this app is "${this.options.service}"; write it from ${service}, ` +
          'or set allowWritesToOtherServices: true in DynamicConfigModule.forRoot for an operator tool.',
      );
    }
  }

  private async send<T extends object>(entry: ConfigEntry<T>, value: Record<string, unknown> | null, actor: string): Promise<void> {
    const { key } = entry.definition;
    const message = encodeConfigRecord({
      key,
      value,
      previous: entry.storedValue,
      actor,
      changedAt: new Date(),
      instance: this.options.instanceId,
      service: this.options.service,
    });
    const producer = await this.kafka.producer();
    const [meta] = await producer.send({ topic: this.options.topic, acks: -1, messages: [message] });
    const offset = meta?.baseOffset ?? meta?.offset;
    if (!meta || offset === undefined) return;
    const applied = await this.reader.waitForApplied({ partition: meta.partition, offset: BigInt(offset) }, APPLY_TIMEOUT_MS);
    if (!applied) {
      this.logger.warn(`config entry "${key}" was written but this instance had not read it back after ${APPLY_TIMEOUT_MS} ms`);
    }
  }
}
