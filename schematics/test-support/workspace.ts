import { SchematicTestRunner, type UnitTestTree } from '@angular-devkit/schematics/testing';
import * as path from 'node:path';

/** The source collection: jest resolves its factories to the `.ts` files through ts-jest. */
export const SOURCE_COLLECTION = path.join(__dirname, '..', 'collection.json');

export function tributaryRunner(collection = SOURCE_COLLECTION): SchematicTestRunner {
  return new SchematicTestRunner('@tributary/schematics', collection);
}

const nest = new SchematicTestRunner('@nestjs/schematics', require.resolve('@nestjs/schematics/dist/collection.json'));

/**
 * A workspace as a user has it: `nest new shop` then `nest g app orders`, which turns it into a
 * monorepo (nest-cli.json `monorepo: true`, projects `shop`-default and `orders`). Under jest
 * (NODE_ENV=test) the sub-app schematic leaves the original `src/` in place.
 */
export async function seedMonorepo(): Promise<UnitTestTree> {
  const app = await nest.runSchematic('application', { name: 'shop', directory: '.', packageManager: 'npm', skipInstall: true });
  return nest.runSchematic('sub-app', { name: 'orders' }, app);
}

/** A plain (not monorepo) Nest application. */
export function seedStandardApp(): Promise<UnitTestTree> {
  return nest.runSchematic('application', { name: 'shop', directory: '.', packageManager: 'npm', skipInstall: true });
}

/** Files of `tree` under `prefix`, sorted. */
export function filesUnder(tree: UnitTestTree, prefix: string): string[] {
  return tree.files.filter((f) => f.startsWith(prefix)).sort();
}

export function readJson<T = Record<string, any>>(tree: UnitTestTree, file: string): T {
  return JSON.parse(tree.readContent(file)) as T;
}

/** Runs a schematic and returns the tree with the files it created (sorted), judged against the input. */
export async function runAndDiff(
  runner: SchematicTestRunner,
  schematic: string,
  options: object,
  before: UnitTestTree,
): Promise<{ tree: UnitTestTree; created: string[] }> {
  const existing = new Set(before.files);
  const tree = await runner.runSchematic(schematic, options, before);
  return { tree, created: tree.files.filter((f) => !existing.has(f)).sort() };
}
