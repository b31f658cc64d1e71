/** Thrown at bootstrap when module or `@Projection` options are wrong; the message names the option and the fix. */
export class ProjectionsConfigurationException extends Error {
  constructor(message: string) {
    super(`Invalid projections configuration: ${message}`);
    this.name = 'ProjectionsConfigurationException';
  }
}
