import { IntegrationEvent } from '@tributary/kafka';
import { DuplicateProjectionHandlerException } from '../exceptions/duplicate-projection-handler.exception';
import { ProjectionsConfigurationException } from '../exceptions/projections-configuration.exception';
import { buildProjectionRoutes } from './projection-routes';

@IntegrationEvent({ type: 'routes-spec.registered', topic: 'routes-spec.events', version: 2 })
class Registered {}

class NotAnEvent {}

describe('buildProjectionRoutes', () => {
  it('routes by the stable type of the event class, with its version and topic', () => {
    const routes = buildProjectionRoutes('p', [{ className: 'P', methodName: 'onRegistered', targets: [Registered], batch: false }]);
    expect(routes.get('routes-spec.registered')).toMatchObject({
      methodName: 'onRegistered',
      handlerName: 'P.onRegistered',
      eventClass: Registered,
      version: 2,
      topic: 'routes-spec.events',
    });
  });

  it('resolves a bare type to its registered class, and keeps an unknown one as a plain route', () => {
    const routes = buildProjectionRoutes('p', [
      { className: 'P', methodName: 'a', targets: ['routes-spec.registered'], batch: false },
      { className: 'P', methodName: 'b', targets: ['routes-spec.unknown'], batch: false },
    ]);
    expect(routes.get('routes-spec.registered')?.eventClass).toBe(Registered);
    expect(routes.get('routes-spec.unknown')).toMatchObject({ methodName: 'b', eventClass: undefined, version: undefined });
  });

  it('reports two handlers for one type, naming both', () => {
    const build = () =>
      buildProjectionRoutes('p', [
        { className: 'First', methodName: 'one', targets: [Registered], batch: false },
        { className: 'First', methodName: 'two', targets: ['routes-spec.registered'], batch: false },
      ]);
    expect(build).toThrow(DuplicateProjectionHandlerException);
    expect(build).toThrow(/First\.one and First\.two/);
  });

  it('rejects a class that is not an integration event', () => {
    expect(() => buildProjectionRoutes('p', [{ className: 'P', methodName: 'x', targets: [NotAnEvent], batch: false }])).toThrow(
      ProjectionsConfigurationException,
    );
  });
});
