import type { Rule } from '@angular-devkit/schematics';
import { parse } from 'jsonc-parser';

/**
 * Adds the packages the generated code imports to the workspace's package.json `dependencies`,
 * leaving alone those already listed (the user's version wins) and those the root tsconfig maps
 * with `paths` (a workspace that builds the libs itself, like Tributary's own repository).
 * The install itself is left to the user (`npm install`): schematics run offline.
 */
export function addDependencies(dependencies: Record<string, string>): Rule {
  return (tree, context) => {
    const manifestText = tree.read('package.json')?.toString('utf-8');
    if (!manifestText) return tree;
    const manifest = JSON.parse(manifestText) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
    const tsconfig = parse(tree.read('tsconfig.json')?.toString('utf-8') ?? '{}') as { compilerOptions?: { paths?: Record<string, unknown> } } | undefined;
    const mapped = new Set(Object.keys(tsconfig?.compilerOptions?.paths ?? {}));
    const present = { ...manifest.devDependencies, ...manifest.dependencies };
    const added = Object.keys(dependencies).filter((name) => !(name in present) && !mapped.has(name));
    if (added.length === 0) return tree;
    const merged: Record<string, string> = { ...manifest.dependencies };
    for (const name of added) merged[name] = dependencies[name];
    manifest.dependencies = Object.fromEntries(Object.entries(merged).sort(([a], [b]) => a.localeCompare(b)));
    tree.overwrite('package.json', `${JSON.stringify(manifest, null, 2)}\n`);
    context.logger.info(`Added to package.json: ${added.join(', ')}. Run your package manager's install.`);
    return tree;
  };
}
