import type { Logger } from '@nestjs/common';
import { BehaviorSubject, type Observable } from 'rxjs';
import type { ConfigDefinition } from '../definition/config-definition';
import { HISTORY_LIMIT } from '../dynamic-config.constants';
import { DynamicConfigConfigurationException } from '../exceptions/dynamic-config-configuration.exception';
import type { ConfigAudit, DecodedConfigRecord } from '../records/config-record.codec';
import type { RecordPosition } from '../reader/config-topic.reader';
import { canonicalJson } from '../values/canonical-json';
import { checkConfigValue, defaultPlainConfig, describeViolations, type PlainConfig } from '../values/config-value';

/** One record of an entry as read from the topic (what compaction has left of it). */
export interface ConfigAuditEntry extends ConfigAudit {
  partition: number;
  offset: string;
  operation: 'set' | 'delete';
  /** False when readers ignored the record (invalid value); `rejected` then names the broken rules. */
  applied: boolean;
  rejected?: string;
}

/** Current value, stored value and watchers of one registered entry. */
export class ConfigEntry<T extends object> {
  private value: T;
  private stored: PlainConfig | null = null;
  private signature: string;
  private readonly defaults: PlainConfig;
  private readonly subject: BehaviorSubject<T>;
  private readonly audit: ConfigAuditEntry[] = [];

  constructor(
    readonly definition: ConfigDefinition<T>,
    private readonly logger: Logger,
  ) {
    this.defaults = defaultPlainConfig(definition);
    this.value = this.defaultValue();
    this.signature = canonicalJson(this.defaults);
    this.subject = new BehaviorSubject(this.value);
  }

  /** The current value (frozen). */
  get current(): T {
    return this.value;
  }

  /** The stored value (plain JSON), or null while the declared defaults apply. */
  get storedValue(): PlainConfig | null {
    return this.stored;
  }

  /** The current value as plain JSON (stored value or defaults). */
  get currentPlain(): PlainConfig {
    return this.stored ?? this.defaults;
  }

  get defaultPlain(): PlainConfig {
    return this.defaults;
  }

  /** Current value now, then every different value. */
  watch(): Observable<T> {
    return this.subject.asObservable();
  }

  history(): ConfigAuditEntry[] {
    return [...this.audit];
  }

  /** Apply a record read from the topic; an invalid value is logged (rules only) and ignored. */
  apply(record: DecodedConfigRecord, position: RecordPosition): void {
    const where = `partition ${position.partition}, offset ${position.offset}`;
    const base = { ...record.audit, partition: position.partition, offset: position.offset.toString() };
    if (record.kind === 'delete') {
      this.remember({ ...base, operation: 'delete', applied: true });
      this.stored = null;
      this.publish(this.defaultValue(), this.defaults);
      return;
    }
    if (record.kind === 'malformed') {
      this.remember({ ...base, operation: 'set', applied: false, rejected: record.reason });
      this.logger.warn(`ignoring config record "${this.definition.key}" (${where}): ${record.reason}; keeping the previous value`);
      return;
    }
    const check = checkConfigValue(this.definition, record.value, 'strip');
    if (!check.ok) {
      const rules = describeViolations(check.violations);
      this.remember({ ...base, operation: 'set', applied: false, rejected: rules });
      this.logger.warn(
        `ignoring config record "${this.definition.key}" (${where}) written by ${record.audit.actor ?? 'an unknown actor'}: ` +
          `it breaks ${rules}; keeping the previous value`,
      );
      return;
    }
    this.remember({ ...base, operation: 'set', applied: true });
    this.stored = check.plain;
    this.publish(check.value, check.plain);
  }

  complete(): void {
    this.subject.complete();
  }

  private defaultValue(): T {
    const check = checkConfigValue(this.definition, this.defaults, 'strip');
    if (!check.ok) {
      throw new DynamicConfigConfigurationException(
        `the defaults of ${this.definition.type.name} break its own rules (${describeViolations(check.violations)}); ` +
          'give those properties valid initialisers or mark them @IsOptional().',
      );
    }
    return check.value;
  }

  private publish(value: T, plain: PlainConfig): void {
    this.value = value;
    const signature = canonicalJson(plain);
    if (signature === this.signature) return;
    this.signature = signature;
    this.subject.next(value);
  }

  private remember(entry: ConfigAuditEntry): void {
    this.audit.push(entry);
    if (this.audit.length > HISTORY_LIMIT) this.audit.shift();
  }
}
