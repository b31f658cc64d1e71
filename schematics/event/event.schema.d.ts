/** Options of the `event` schematic. */
export interface EventOptions {
  /** Name of the event, a past-tense fact (`order-placed` → class `OrderPlaced`). */
  name: string;
  /** Service that publishes the event. @default the `project` / `sourceRoot` given by nest generate */
  service?: string;
  /** Set by `nest generate -p <project>`: same as `service`. */
  project?: string;
  /** Set by `nest generate`: used to find the service when neither `service` nor `project` is given. */
  sourceRoot?: string;
  /** Kafka topic. @default `<service>.events` */
  topic?: string;
  /** Property that partitions the event. @default 'id' */
  key?: string;
  /** Also create a unit test. @default true */
  spec?: boolean;
  /** Suffix of the test file (`<name>.<suffix>.ts`). @default 'spec' */
  specFileSuffix?: string;
}
