import { apply, applyTemplates, filter, mergeWith, move, noop, SchematicsException, url, type Rule } from '@angular-devkit/schematics';
import { templateHelpers } from './names';

const SUFFIX = /^[a-zA-Z0-9-]+$/;

/** How to honour `--spec` / `--spec-file-suffix` (both passed by the Nest CLI). */
export interface SpecOptions {
  spec: boolean;
  specFileSuffix: string;
}

export function specOptions(options: { spec?: boolean; specFileSuffix?: string }): SpecOptions {
  const specFileSuffix = options.specFileSuffix ?? 'spec';
  if (!SUFFIX.test(specFileSuffix)) {
    throw new SchematicsException(`Invalid spec file suffix ${JSON.stringify(specFileSuffix)}: letters, digits and dashes (e.g. "spec", "test").`);
  }
  return { spec: options.spec !== false, specFileSuffix };
}

/**
 * Renders the running generator's `files/` templates into `directory`. `__specFileSuffix__`
 * templates are dropped unless `spec.spec`; `skip` drops other templates by path.
 */
export function renderTemplates(directory: string, values: Record<string, unknown>, spec?: SpecOptions, skip?: RegExp): Rule {
  return mergeWith(
    apply(url('./files'), [
      spec?.spec ? noop() : filter((path) => !path.includes('__specFileSuffix__')),
      skip ? filter((path) => !skip.test(path)) : noop(),
      applyTemplates({ ...templateHelpers(), ...spec, ...values }),
      move(directory),
    ]),
  );
}
