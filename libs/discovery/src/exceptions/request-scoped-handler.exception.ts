/**
 * A discovered handler lives in a request-scoped (or request-scoped-dependent) provider. Handlers
 * are called from Kafka or TCP, outside any HTTP request, so Nest cannot build such a provider.
 */
export class RequestScopedHandlerException extends Error {
  constructor(kind: string, className: string, methodName: string) {
    super(
      `${kind} ${className}.${methodName} is request-scoped or transient (it or one of its dependencies uses Scope.REQUEST or Scope.TRANSIENT). ` +
        'Handlers are called outside of any request: make the provider and its dependencies singletons (the default scope).',
    );
    this.name = 'RequestScopedHandlerException';
  }
}
