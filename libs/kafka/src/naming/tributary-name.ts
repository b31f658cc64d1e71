/**
 * The one rule for names Tributary puts into Kafka topic, consumer-group and record-key names:
 * services, instances, event types, RPC methods, configuration entries. Letters, digits, `.`, `_`
 * and `-`, starting with a letter or digit.
 */
export const TRIBUTARY_NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9._-]*$/;

/** True when `value` is a string that follows `TRIBUTARY_NAME_PATTERN` and is at most `maxLength` long. */
export function isTributaryName(value: unknown, maxLength = 249): value is string {
  return typeof value === 'string' && value.length <= maxLength && TRIBUTARY_NAME_PATTERN.test(value);
}
