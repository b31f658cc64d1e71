import { SchematicsException, filter, noop, type Rule } from '@angular-devkit/schematics';

const SUFFIX = /^[a-zA-Z0-9-]+$/;

/** What the templates need to honour `--spec` / `--spec-file-suffix` (both passed by the Nest CLI). */
export function specOptions(options: { spec?: boolean; specFileSuffix?: string }): { spec: boolean; specFileSuffix: string } {
  const specFileSuffix = options.specFileSuffix ?? 'spec';
  if (!SUFFIX.test(specFileSuffix)) {
    throw new SchematicsException(`Invalid spec file suffix ${JSON.stringify(specFileSuffix)}: letters, digits and dashes (e.g. "spec", "test").`);
  }
  return { spec: options.spec !== false, specFileSuffix };
}

/** Drops the `__specFileSuffix__` templates when no spec is wanted. */
export function specTemplates(spec: boolean): Rule {
  return spec ? noop() : filter((path) => !path.includes('__specFileSuffix__'));
}
