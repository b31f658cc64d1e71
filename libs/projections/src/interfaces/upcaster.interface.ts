/** Turns a payload of schema version `fromVersion` into one of version `fromVersion + 1`. */
export type UpcastFunction = (payload: Record<string, unknown>) => Record<string, unknown>;

/** An upcaster registered through `ProjectionsModule.forRoot({ upcasters })`. */
export interface UpcasterRegistration {
  /** Event type it applies to. */
  type: string;
  /** Version it reads; it produces `fromVersion + 1`. */
  fromVersion: number;
  /** The mapping. */
  upcast: UpcastFunction;
}
