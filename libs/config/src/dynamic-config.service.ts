import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnModuleInit,
  type Type,
} from '@nestjs/common';
import { KafkaClient, withTimeout } from '@tributary/kafka';
import type { KafkaMessage } from 'kafkajs';
import type { Observable } from 'rxjs';
import { defineConfig } from './definition/config-definition';
import { resolveDynamicConfigOptions, type ResolvedDynamicConfigOptions } from './dynamic-config-options';
import { DYNAMIC_CONFIG_MODULE_OPTIONS, HISTORY_LIMIT } from './dynamic-config.constants';
import { DynamicConfigConfigurationException } from './exceptions/dynamic-config-configuration.exception';
import { DynamicConfigNotReadyException } from './exceptions/dynamic-config-not-ready.exception';
import type { ConfigHandle } from './interfaces/config-handle.interface';
import type { DynamicConfigModuleOptions } from './interfaces/dynamic-config-module-options.interface';
import { ConfigTopicReader, type RecordPosition } from './reader/config-topic.reader';
import { decodeConfigRecord, type DecodedConfigRecord } from './records/config-record.codec';
import { ConfigEntry, type ConfigAuditEntry } from './state/config-entry';
import { ConfigWriter, type ConfigDeleteOptions, type ConfigSetOptions } from './writer/config-writer';

/**
 * This app's view of the configuration topic: reads it whole at bootstrap (init waits until it is
 * caught up), follows every change, and writes validated, audited changes.
 */
@Injectable()
export class DynamicConfigService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('DynamicConfig');
  /** Resolved options (topic, service, instance id, …). */
  readonly settings: ResolvedDynamicConfigOptions;
  // Entries of different classes side by side; each is read back with its own class's type.
  private readonly entries = new Map<Type<object>, ConfigEntry<any>>();
  private readonly byKey = new Map<string, ConfigEntry<any>>();
  /** Records of keys no class is registered for yet, replayed when one is. */
  private readonly unclaimed = new Map<string, Array<{ record: DecodedConfigRecord; position: RecordPosition }>>();
  private readonly reader: ConfigTopicReader;
  private readonly writer: ConfigWriter;
  private started?: Promise<void>;

  constructor(
    @Inject(DYNAMIC_CONFIG_MODULE_OPTIONS) options: DynamicConfigModuleOptions,
    kafka: KafkaClient,
  ) {
    this.settings = resolveDynamicConfigOptions(options, kafka.serviceName);
    this.reader = new ConfigTopicReader(kafka, this.settings, (message, position) => this.onRecord(message, position));
    this.writer = new ConfigWriter(kafka, this.settings, this.reader);
  }

  async onModuleInit(): Promise<void> {
    const { topic, readyTimeoutMs } = this.settings;
    this.started ??= this.reader.start();
    await withTimeout(
      this.started.then(() => this.reader.caughtUp),
      readyTimeoutMs,
      () => new DynamicConfigNotReadyException(topic, readyTimeoutMs),
    );
  }

  /** Resolves once the topic has been read up to where it was when the app started (init already waits for it). */
  ready(): Promise<void> {
    return this.reader.caughtUp;
  }

  /** The current value of a `@DynamicConfig` class (frozen); its declared defaults while nothing is stored. */
  get<T extends object>(config: Type<T>): T {
    return this.entry(config).current;
  }

  /** The current value now, then each different value. Completes when the app shuts down. */
  watch<T extends object>(config: Type<T>): Observable<T> {
    return this.entry(config).watch();
  }

  /** A live handle on one entry (what `@InjectConfig` injects). */
  handle<T extends object>(config: Type<T>): ConfigHandle<T> {
    const entry = this.entry(config);
    return { get: () => entry.current, watch: () => entry.watch() };
  }

  /** Record key of a class's entry, `<service>/<entry>`. */
  keyOf(config: Type<object>): string {
    return this.entry(config).definition.key;
  }

  /**
   * Validate and write a new value (`mode: 'merge'` by default: `change` over the current value),
   * then resolve with the value this instance now holds. An invalid value throws
   * `InvalidConfigValueException` and nothing is written; a missing actor or another service's
   * entry throws `ConfigWriteRefusedException`.
   */
  async set<T extends object>(config: Type<T>, change: Partial<T>, options: ConfigSetOptions): Promise<T> {
    const entry = this.entry(config);
    await this.ready();
    await this.writer.set(entry, change, options);
    return entry.current;
  }

  /** Delete the stored value (tombstone): every instance falls back to the declared defaults. */
  async delete<T extends object>(config: Type<T>, options: ConfigDeleteOptions): Promise<void> {
    const entry = this.entry(config);
    await this.ready();
    await this.writer.delete(entry, options);
  }

  /**
   * The entry's records read from the topic since this app started, oldest first (at most
   * `HISTORY_LIMIT`): what compaction has left of older changes, plus every change since.
   */
  history(config: Type<object>): ConfigAuditEntry[] {
    return this.entry(config).history();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.reader.stop();
    for (const entry of this.entries.values()) entry.complete();
  }

  private entry<T extends object>(config: Type<T>): ConfigEntry<T> {
    const known = this.entries.get(config);
    if (known) return known as ConfigEntry<T>;
    const definition = defineConfig(config, this.settings.service);
    const clash = this.byKey.get(definition.key);
    if (clash) {
      throw new DynamicConfigConfigurationException(
        `${config.name} and ${clash.definition.type.name} both declare entry "${definition.key}"; give one of them another entry name.`,
      );
    }
    const entry = new ConfigEntry(definition, this.logger);
    this.entries.set(config, entry);
    this.byKey.set(definition.key, entry);
    for (const { record, position } of this.unclaimed.get(definition.key) ?? []) entry.apply(record, position);
    this.unclaimed.delete(definition.key);
    return entry;
  }

  private onRecord(message: KafkaMessage, position: RecordPosition): void {
    const record = decodeConfigRecord(message);
    if (!record) return;
    const entry = this.byKey.get(record.key);
    if (entry) {
      try {
        entry.apply(record, position);
      } catch (e) {
        // One bad record must not stop the reader; the error name only, its message may quote the value.
        this.logger.warn(`ignoring config record "${record.key}" (partition ${position.partition}, offset ${position.offset}): ${(e as Error).name}`);
      }
      return;
    }
    const list = this.unclaimed.get(record.key) ?? [];
    list.push({ record, position });
    if (list.length > HISTORY_LIMIT) list.shift();
    this.unclaimed.set(record.key, list);
  }
}
