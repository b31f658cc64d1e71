/** Options of the `rpc-handler` schematic. */
export interface RpcHandlerOptions {
  /** Method name within the service (`get-balance` → method `<service>.get-balance`). */
  name: string;
  /** Service that answers the method. @default the `project` / `sourceRoot` given by nest generate */
  service?: string;
  /** Set by `nest generate -p <project>`: same as `service`. */
  project?: string;
  /** Set by `nest generate`: used to find the service when neither `service` nor `project` is given. */
  sourceRoot?: string;
  /** Safe to run twice. @default false */
  idempotent?: boolean;
  /** Also create a unit test. @default true */
  spec?: boolean;
  /** Suffix of the test file (`<name>.<suffix>.ts`). @default 'spec' */
  specFileSuffix?: string;
}
