/** Options of the `projection` schematic. */
export interface ProjectionOptions {
  /** Name of the read model (`customer-directory` → `CustomerDirectoryProjection`, `CustomerDirectoryRow`). */
  name: string;
  /** Service that keeps the read model. @default the `project` / `sourceRoot` given by nest generate */
  service?: string;
  /** Set by `nest generate -p <project>`: same as `service`. */
  project?: string;
  /** Set by `nest generate`: used to find the service when neither `service` nor `project` is given. */
  sourceRoot?: string;
  /**
   * Event the `@On` handler applies: `events/<event>.event.ts` of this service, else of the one
   * other service that has it. @default 'record-created' (every generated service has it)
   */
  event?: string;
}
