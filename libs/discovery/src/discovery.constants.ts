/** Compacted topic that holds one record per live instance. */
export const DEFAULT_REGISTRY_TOPIC = 'tributary.registry';

/** Version of the registry record layout; readers skip records of a newer layout they do not know. */
export const REGISTRY_RECORD_SCHEMA = 1;

/** Names services, instances and registry keys may use (the rule all Tributary names follow). */
export { TRIBUTARY_NAME_PATTERN as NAME_PATTERN } from '@tributary/kafka';
