/** The dashboard's options are unusable; the message says what to change. */
export class DashboardConfigurationException extends Error {
  constructor(message: string) {
    super(`TributaryDashboardModule: ${message}`);
    this.name = 'DashboardConfigurationException';
  }
}
