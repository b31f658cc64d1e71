/** RPC options, contracts or handlers are wrong; the message says what to fix. Thrown at bootstrap or at the call site. */
export class RpcConfigurationException extends Error {
  constructor(message: string) {
    super(`Invalid RPC configuration: ${message}`);
    this.name = 'RpcConfigurationException';
  }
}
