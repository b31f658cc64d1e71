import { normalize, relative, dirname } from '@angular-devkit/core';
import { SchematicsException, type Rule, type Tree } from '@angular-devkit/schematics';
import { MetadataManager } from '@nestjs/schematics';

/** A named import the module file needs: from a package or from another file of the workspace. */
export interface ModuleImport {
  symbol: string;
  /** A package name (`@nestjs/typeorm`) or a workspace path without extension (`apps/x/src/a/b.entity`). */
  from: string;
}

/** What to add to the `@Module({...})` of a service. */
export interface ModuleAdditions {
  imports: ModuleImport[];
  /** `@Module` metadata entries, e.g. `{ key: 'providers', value: 'CustomerDirectoryProjection' }`. */
  metadata: Array<{ key: 'imports' | 'providers' | 'controllers' | 'exports'; value: string }>;
}

const IMPORT_STATEMENT = /import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*['"][^'"]+['"];?/g;

function importedSymbols(content: string): Set<string> {
  const names = new Set<string>();
  for (const match of content.matchAll(IMPORT_STATEMENT)) {
    for (const part of match[1].split(',')) {
      const local = part.trim().split(/\s+as\s+/).pop();
      if (local) names.add(local.trim());
    }
  }
  return names;
}

function specifier(modulePath: string, from: string): string {
  if (!from.includes('/') || from.startsWith('@')) return from;
  const path = relative(dirname(normalize(`/${modulePath}`)), normalize(`/${from}`));
  return path.startsWith('.') ? path : `./${path}`;
}

/** Imports go after the last existing import, so the file keeps one import block. */
function addImportLine(content: string, line: string): string {
  const matches = [...content.matchAll(IMPORT_STATEMENT)];
  if (matches.length === 0) return `${line}\n${content}`;
  const last = matches[matches.length - 1];
  const end = (last.index ?? 0) + last[0].length;
  return `${content.slice(0, end)}\n${line}${content.slice(end)}`;
}

/** `content` of the file at `filePath` with the imports it lacks added (one import block kept). */
export function withImports(content: string, filePath: string, imports: ModuleImport[]): string {
  const existing = importedSymbols(content);
  for (const { symbol, from } of imports) {
    if (!existing.has(symbol)) content = addImportLine(content, `import { ${symbol} } from '${specifier(filePath, from)}';`);
  }
  return content;
}

/**
 * Adds imports and `@Module` metadata to a service's root module (Nest's own MetadataManager does
 * the AST work, so hand-edited modules keep working as long as they have one `@Module({...})`).
 */
export function addToModule(modulePath: string, additions: ModuleAdditions): Rule {
  return (tree) => {
    const buffer = tree.read(modulePath);
    if (!buffer) {
      throw new SchematicsException(`${modulePath} not found: the service's root module must be <sourceRoot>/<service>.module.ts.`);
    }
    let content = withImports(buffer.toString('utf-8'), modulePath, additions.imports);
    for (const { key, value } of additions.metadata) {
      const updated = new MetadataManager(content).insert(key, value);
      if (updated === undefined) {
        throw new SchematicsException(`${modulePath} has no @Module({ ... }) decorator to add ${value} to.`);
      }
      content = updated;
    }
    tree.overwrite(modulePath, content);
    return tree;
  };
}

/** Fails with what to add when the service's root module lacks a module the generated code needs. */
export function assertModuleUses(tree: Tree, modulePath: string, moduleName: string, hint: string): void {
  const content = tree.read(modulePath)?.toString('utf-8') ?? '';
  if (!new RegExp(`\\b${moduleName}\\b`).test(content)) {
    throw new SchematicsException(`${modulePath} does not import ${moduleName}: ${hint}`);
  }
}

/** Generators never overwrite: fails naming the first of `files` that exists. */
export function assertAbsent(tree: Tree, files: string[], advice: string): void {
  const existing = files.find((file) => tree.exists(file));
  if (existing) throw new SchematicsException(`${existing} already exists: ${advice}`);
}
