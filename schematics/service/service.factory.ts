import { chain, schematic, SchematicsException, type Rule } from '@angular-devkit/schematics';
import { addDependencies } from '../utils/dependencies';
import { normalizeName } from '../utils/names';
import { renderTemplates } from '../utils/templates';
import { tributaryDependencies } from '../utils/tributary-packages';
import { readNestWorkspace, registerProject } from '../utils/workspace';
import type { ServiceOptions } from './service.schema';

/** Event every new service starts with: the outbox sample publishes it, projections can consume it. */
export const SAMPLE_EVENT = 'record-created';

/** Packages every generated service imports, besides those of the Tributary modules it wires. */
const BASE_DEPENDENCIES: Record<string, string> = {
  '@nestjs/typeorm': '^11.0.0',
  'class-transformer': '^0.5.1',
  'class-validator': '^0.14.0',
  kafkajs: '^2.2.4',
  pg: '^8.11.0',
  typeorm: '^0.3.20',
};

/**
 * `service <name>`: a Nest app in `apps/<name>` wired with Kafka, TypeORM and the chosen Tributary
 * modules, a sample event, and its entry in `nest-cli.json`.
 */
export function main(options: ServiceOptions): Rule {
  return (tree) => {
    const name = normalizeName(options.name, 'service');
    const { projects } = readNestWorkspace(tree);
    const root = `apps/${name}`;
    if (projects[name]) {
      throw new SchematicsException(`nest-cli.json already has a project "${name}": pick another service name.`);
    }
    if (tree.getDir(root).subfiles.length > 0 || tree.getDir(root).subdirs.length > 0) {
      throw new SchematicsException(`${root} already exists: pick another service name or remove the folder.`);
    }
    const modules = {
      outbox: options.outbox ?? true,
      projections: options.projections ?? true,
      rpc: options.rpc ?? true,
      discovery: options.discovery ?? true,
    };
    const wired = Object.entries(modules)
      .filter(([, on]) => on)
      .map(([module]) => module);
    // Checked before anything is written: a bad --tributary-version / --tributary-source stops here.
    const tributary = tributaryDependencies(['kafka', ...wired], options);
    return chain([
      // The sample service and the topic set-up exist for the outbox's events.
      renderTemplates(root, { name, sampleEvent: SAMPLE_EVENT, ...modules }, undefined, modules.outbox ? undefined : /\.service\.ts\.template$/),
      registerProject(name, {
        type: 'application',
        root,
        entryFile: 'main',
        sourceRoot: `${root}/src`,
        compilerOptions: { tsConfigPath: `${root}/tsconfig.app.json` },
      }),
      schematic('event', { name: SAMPLE_EVENT, service: name, spec: options.spec, specFileSuffix: options.specFileSuffix }),
      addDependencies({ ...BASE_DEPENDENCIES, ...tributary }),
    ]);
  };
}
