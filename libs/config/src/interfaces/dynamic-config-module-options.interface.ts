/** Options of `DynamicConfigModule.forRoot` (the `configs` list and `isGlobal` are module extras). */
export interface DynamicConfigModuleOptions {
  /**
   * Compacted topic holding the entries; created (`cleanup.policy=compact`) when missing.
   * @default 'tributary.config'
   */
  topic?: string;
  /** Partitions of the topic when this app creates it. @default 1 */
  partitions?: number;
  /**
   * Service owning the entries whose `@DynamicConfig` names none, and the only service whose
   * entries this app may write (see `allowWritesToOtherServices`).
   * @default KafkaModule's `serviceName`
   */
  service?: string;
  /**
   * Id of this app instance: names its consumer group and is written in the
   * `tributary-config-instance` audit header.
   * @default `<host>-<pid>-<random>`
   */
  instanceId?: string;
  /**
   * Longest wait at bootstrap for the topic to be read to the high watermarks taken at start;
   * after it bootstrap fails with `DynamicConfigNotReadyException`.
   * @default 30000
   */
  readyTimeoutMs?: number;
  /** Longest wait of the broker for new records before answering a fetch, ms. @default 100 */
  maxWaitTimeInMs?: number;
  /**
   * Let `set`/`delete` write entries of services other than `service` (an operator tool).
   * @default false
   */
  allowWritesToOtherServices?: boolean;
}
