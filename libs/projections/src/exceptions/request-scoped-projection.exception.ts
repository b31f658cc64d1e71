/** A `@Projection` class is request- or transient-scoped (or depends on such a provider). */
export class RequestScopedProjectionException extends Error {
  constructor(className: string) {
    super(
      `Projection ${className} is not a singleton (it is, or depends on, a request/transient-scoped provider). ` +
        'Projections run outside any request: make the class and its dependencies default-scoped.',
    );
    this.name = 'RequestScopedProjectionException';
  }
}
