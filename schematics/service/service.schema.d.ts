import type { TributaryPackageOptions } from '../utils/tributary-packages';

/** Options of the `service` schematic. */
export interface ServiceOptions extends TributaryPackageOptions {
  /** Name of the service: the app goes to `apps/<name>`, the Kafka `serviceName` is `<name>`. */
  name: string;
  /** Wire `OutboxModule` and a sample service publishing through `OutboxPublisher`. @default true */
  outbox?: boolean;
  /** Wire `ProjectionsModule`. @default true */
  projections?: boolean;
  /** Wire `RpcModule`. @default true */
  rpc?: boolean;
  /** Wire `DiscoveryModule` and `@TributaryService`. @default true */
  discovery?: boolean;
  /** Also create a unit test of the sample event. @default true */
  spec?: boolean;
  /** Suffix of test files. @default 'spec' */
  specFileSuffix?: string;
}
