import { strings } from '@angular-devkit/core';
import { chain, SchematicsException, type Rule } from '@angular-devkit/schematics';
import { addToForRootOption } from '../utils/for-root-options';
import { assertAbsent } from '../utils/module-declarations';
import { normalizeName } from '../utils/names';
import { renderTemplates, specOptions } from '../utils/templates';
import { resolveService } from '../utils/workspace';
import type { EventOptions } from './event.schema';

const TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * `event <name> --service <svc>`: an `@IntegrationEvent` class in `<sourceRoot>/events/`, listed in
 * the service's `OutboxModule.forRoot({ events })` when it has one.
 */
export function main(options: EventOptions): Rule {
  return (tree) => {
    const name = normalizeName(options.name, 'event');
    const service = resolveService(tree, options);
    const topic = options.topic ?? `${service.name}.events`;
    if (!TOPIC.test(topic)) {
      throw new SchematicsException(`Invalid topic ${JSON.stringify(topic)}: a Kafka topic is 1-249 of [a-zA-Z0-9._-].`);
    }
    const key = options.key ?? 'id';
    if (!IDENTIFIER.test(key)) {
      throw new SchematicsException(`Invalid key ${JSON.stringify(key)}: it names a property of the event class (e.g. "orderId").`);
    }
    const directory = `${service.sourceRoot}/events`;
    const eventClass = strings.classify(name);
    const spec = specOptions(options);
    const files = [`${directory}/${name}.event.ts`];
    if (spec.spec) files.push(`${directory}/${name}.event.${spec.specFileSuffix}.ts`);
    assertAbsent(tree, files, 'pick another event name or delete the file.');
    return chain([
      renderTemplates(directory, { name, service: service.name, type: `${service.name}.${name}`, topic, key }, spec),
      // Listed events are announced as published from bootstrap on (not only after a first publish).
      addToForRootOption(service.modulePath, {
        call: 'OutboxModule.forRoot',
        property: 'events',
        element: eventClass,
        import: { symbol: eventClass, from: `${directory}/${name}.event` },
      }),
    ]);
  };
}

