/** Compacted topic that holds one record per configuration entry. */
export const DEFAULT_CONFIG_TOPIC = 'tributary.config';

/** Names services and entries may use (the rule all Tributary names follow). */
export { TRIBUTARY_NAME_PATTERN as CONFIG_NAME_PATTERN } from '@tributary/kafka';

/**
 * Audit headers written with every configuration record (set and delete). Values are UTF-8
 * strings. The writer's service travels in the envelope's `tributary-source` header.
 */
export const ConfigHeaders = {
  /** Who made the change (the `actor` given to `set`/`delete`). */
  ACTOR: 'tributary-config-actor',
  /** ISO-8601 time of the change, by the writer's clock. */
  CHANGED_AT: 'tributary-config-changed-at',
  /**
   * The value before the change: its JSON, `null` when the entry had no stored value (the declared
   * default applied), or `sha256:<hex>` of that JSON when it is longer than `PREVIOUS_VALUE_INLINE_LIMIT`.
   */
  PREVIOUS: 'tributary-config-previous',
  /** Instance id of the writing app. */
  INSTANCE: 'tributary-config-instance',
} as const;

/** Largest previous value (bytes of JSON) copied into the `tributary-config-previous` header; longer ones are hashed. */
export const PREVIOUS_VALUE_INLINE_LIMIT = 16 * 1024;

/** How many audit entries `history()` keeps per entry (oldest dropped first). */
export const HISTORY_LIMIT = 100;

/** Metadata key of `@DynamicConfig`. */
export const DYNAMIC_CONFIG_METADATA = 'tributary:dynamic-config';

/** Injection token of the `DynamicConfigModule` options. */
export const DYNAMIC_CONFIG_MODULE_OPTIONS = Symbol('tributary:dynamic-config-options');
