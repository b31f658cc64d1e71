import { normalize, relative, strings } from '@angular-devkit/core';
import { chain, SchematicsException, type Rule, type Tree } from '@angular-devkit/schematics';
import { addToModule, assertAbsent, assertModuleUses } from '../utils/module-declarations';
import { normalizeName } from '../utils/names';
import { renderTemplates } from '../utils/templates';
import { readNestWorkspace, resolveService, type ServiceTarget } from '../utils/workspace';
import type { ProjectionOptions } from './projection.schema';

/**
 * Where the event class lives: this service's `events/` first (a service projecting its own
 * events), else the single other application that has it (the usual replicated projection).
 */
function findEventFile(tree: Tree, service: ServiceTarget, event: string): string {
  const own = `${service.sourceRoot}/events/${event}.event.ts`;
  if (tree.exists(own)) return own;
  const candidates = Object.entries(readNestWorkspace(tree).projects)
    .filter(([name, p]) => name !== service.name && p.type !== 'library' && p.sourceRoot)
    .map(([, p]) => `${p.sourceRoot!.replace(/\/+$/, '')}/events/${event}.event.ts`)
    .filter((file) => tree.exists(file))
    .sort();
  if (candidates.length === 1) return candidates[0];
  if (candidates.length > 1) {
    throw new SchematicsException(`Event "${event}" exists in several services (${candidates.join(', ')}): rename one, or copy the one you consume into ${own}.`);
  }
  throw new SchematicsException(
    `Event "${event}" not found (looked for ${own} and events/${event}.event.ts in the other applications): ` +
      `create it with \`nest g -c @tributary/schematics event ${event} -p <service>\` or pass --event <name>.`,
  );
}

/** `projection <name> --service <svc>`: a `@Projection` with an `@On` handler, its entity, and their module wiring. */
export function main(options: ProjectionOptions): Rule {
  return (tree) => {
    const name = normalizeName(options.name, 'projection');
    const event = normalizeName(options.event ?? 'record-created', 'event');
    const service = resolveService(tree, options);
    const directory = `${service.sourceRoot}/projections`;
    assertAbsent(tree, [`${directory}/${name}.projection.ts`, `${directory}/${name}.entity.ts`], 'pick another projection name or delete the file.');
    assertModuleUses(tree, service.modulePath, 'ProjectionsModule', 'add `ProjectionsModule.forRoot({})` (from @tributary/projections) to its imports first.');
    assertModuleUses(tree, service.modulePath, 'TypeOrmModule', 'add `TypeOrmModule.forRoot({ ..., autoLoadEntities: true })` (from @nestjs/typeorm) to its imports first.');

    const eventFile = findEventFile(tree, service, event).replace(/\.ts$/, '');
    const eventImport = relative(normalize(`/${directory}`), normalize(`/${eventFile}`));
    const eventClass = strings.classify(event);
    const rowClass = `${strings.classify(name)}Row`;
    const values = {
      name,
      service: service.name,
      eventClass,
      eventImport: eventImport.startsWith('.') ? eventImport : `./${eventImport}`,
      projectionName: `${service.name}.${name}`,
      table: `${strings.underscore(service.name)}_${strings.underscore(name)}`,
    };
    return chain([
      renderTemplates(directory, values),
      addToModule(service.modulePath, {
        imports: [
          { symbol: 'TypeOrmModule', from: '@nestjs/typeorm' },
          { symbol: rowClass, from: `${directory}/${name}.entity` },
          { symbol: `${strings.classify(name)}Projection`, from: `${directory}/${name}.projection` },
        ],
        metadata: [
          { key: 'imports', value: `TypeOrmModule.forFeature([${rowClass}])` },
          { key: 'providers', value: `${strings.classify(name)}Projection` },
        ],
      }),
    ]);
  };
}
