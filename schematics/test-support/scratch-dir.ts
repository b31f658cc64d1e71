import type { UnitTestTree } from '@angular-devkit/schematics/testing';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const run = promisify(execFile);

/**
 * A fresh folder under the repo's git-ignored `.tmp/`: inside the repo so generated code resolves
 * the repo's node_modules and can extend its tsconfig (for the `@tributary/*` paths).
 */
export function scratchDir(label: string): string {
  const dir = path.join(REPO_ROOT, '.tmp', `schematics-${label}-${process.pid}-${randomUUID().slice(0, 8)}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function removeDir(dir: string | undefined): void {
  if (dir) rmSync(dir, { recursive: true, force: true });
}

/** Writes the files of `tree` under `prefixes` to `dir`, keeping their workspace paths. */
export function writeTree(tree: UnitTestTree, dir: string, prefixes: string[]): string[] {
  const written = tree.files.filter((f) => prefixes.some((p) => f.startsWith(p)));
  for (const file of written) {
    const target = path.join(dir, file);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, tree.readContent(file));
  }
  return written;
}
