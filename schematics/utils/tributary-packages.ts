import { SchematicsException } from '@angular-devkit/schematics';

/** Version range of the Tributary packages the generated code imports (they are released together). */
export const TRIBUTARY_VERSION = '^0.1.0';

/** `--tributary-source` value for packages installed from a registry (npm's configured one). */
export const REGISTRY_SOURCE = 'registry';

/**
 * The Tributary packages each one depends on (as in libs/<name>/package.json; a spec checks it).
 * With a `file:` source npm cannot fetch them from a registry, so they are written to package.json
 * too (npm then dedupes them).
 */
const PACKAGE_DEPENDENCIES: Record<string, string[]> = {
  discovery: ['kafka'],
  outbox: ['kafka'],
  projections: ['kafka'],
  rpc: ['kafka', 'discovery'],
};

/** `modules` and the Tributary packages they depend on, transitively. */
function withPackageDependencies(modules: string[]): string[] {
  const all = new Set<string>();
  const visit = (module: string): void => {
    if (all.has(module)) return;
    all.add(module);
    (PACKAGE_DEPENDENCIES[module] ?? []).forEach(visit);
  };
  modules.forEach(visit);
  return [...all].sort();
}

/** Where the generated package.json takes the `@tributary/*` packages from. */
export interface TributaryPackageOptions {
  /** Version (range) of the packages: a registry range, or the exact version of the tarballs. @default '^0.1.0' */
  tributaryVersion?: string;
  /**
   * `registry`, or `file:<folder>` holding the tarballs of Tributary's `npm run pack`
   * (`tributary-<name>-<version>.tgz`), relative to the workspace root. @default 'registry'
   */
  tributarySource?: string;
}

const EXACT_VERSION = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;

/**
 * package.json entries of the `@tributary/*` packages for `modules` (`['kafka', 'outbox']`):
 * `{ '@tributary/kafka': '^0.1.0' }` from a registry, or
 * `{ '@tributary/kafka': 'file:../packages/tributary-kafka-0.1.0.tgz' }` from packed tarballs.
 */
export function tributaryDependencies(modules: string[], options: TributaryPackageOptions = {}): Record<string, string> {
  const version = (options.tributaryVersion ?? TRIBUTARY_VERSION).trim();
  const source = (options.tributarySource ?? REGISTRY_SOURCE).trim();
  if (!version) throw new SchematicsException('--tributary-version is empty: give a version such as 0.1.0 or a range such as ^0.1.0.');
  if (source === REGISTRY_SOURCE) return Object.fromEntries(modules.map((m) => [`@tributary/${m}`, version]));

  if (!source.startsWith('file:') || source.length === 'file:'.length) {
    throw new SchematicsException(
      `--tributary-source=${JSON.stringify(source)} is not supported: use "${REGISTRY_SOURCE}" or "file:<folder>" with the tarballs of \`npm run pack\` (e.g. file:../tributary/packages).`,
    );
  }
  // The tarballs' names carry their version: a bare range such as ^0.1.0 means its lowest version.
  const exact = version.replace(/^[\^~=v]+/, '');
  if (!EXACT_VERSION.test(exact)) {
    throw new SchematicsException(
      `--tributary-version=${JSON.stringify(version)} with a file: source must be an exact version (the tarball names carry it), e.g. 0.1.0.`,
    );
  }
  const folder = source.slice('file:'.length).replace(/\\/g, '/').replace(/\/+$/, '');
  return Object.fromEntries(withPackageDependencies(modules).map((m) => [`@tributary/${m}`, `file:${folder}/tributary-${m}-${exact}.tgz`]));
}
