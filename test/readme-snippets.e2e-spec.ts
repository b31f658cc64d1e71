import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

/**
 * Every fenced `ts` block of the READMEs compiles, as a user pasting it into an app made by
 * `nest new` would compile it: the compiler options of that tsconfig (isolatedModules,
 * emitDecoratorMetadata, strictNullChecks, …) and `@tributary/*` resolving to `libs/<name>/src`.
 *
 * Rules for README authors:
 * - Each block is its own module. Imports from `@tributary/*`, `@nestjs/common`, `@nestjs/core`,
 *   `@nestjs/typeorm`, `class-validator` and `typeorm` may be left out: a name the block uses
 *   without declaring it is imported the way a user's editor would, with a plain `import { X }`.
 *   So a type used in a decorated signature must be shown with `import type` (TS1272 otherwise),
 *   and everything else (your entities, events, variables) must be declared in the block.
 * - A block whose first line is `// snippet: fragment` is not compiled (a method on its own, a
 *   line with `...`). Use it sparingly: the default is compiled.
 */
const REPO_ROOT = path.resolve(__dirname, '..');
const FRAGMENT_MARKER = /^\s*\/\/\s*snippet:\s*fragment\b/;
const AUTO_IMPORT_MODULES = ['@nestjs/common', '@nestjs/core', '@nestjs/typeorm', 'class-validator', 'typeorm'];

interface Snippet {
  /** `README.md:57`: where the block's first line is. */
  where: string;
  file: string;
  code: string;
}

function readmes(): string[] {
  const found = [path.join(REPO_ROOT, 'README.md')];
  for (const parent of ['libs', 'apps']) {
    const dir = path.join(REPO_ROOT, parent);
    for (const name of readdirSync(dir).sort()) {
      const readme = path.join(dir, name, 'README.md');
      if (existsSync(readme)) found.push(readme);
    }
  }
  return found;
}

function extractSnippets(): Snippet[] {
  const snippets: Snippet[] = [];
  for (const readme of readmes()) {
    const relative = path.relative(REPO_ROOT, readme);
    const lines = readFileSync(readme, 'utf8').split('\n');
    for (let i = 0; i < lines.length; i++) {
      const open = /^\s*```(ts|typescript)\b/.exec(lines[i]);
      if (!open) continue;
      const start = i + 1;
      let end = start;
      while (end < lines.length && !/^\s*```\s*$/.test(lines[end])) end++;
      const body = lines.slice(start, end);
      i = end;
      if (body.length > 0 && FRAGMENT_MARKER.test(body[0])) continue;
      const slug = relative.replace(/[^a-zA-Z0-9]+/g, '-').toLowerCase();
      snippets.push({ where: `${relative}:${start + 1}`, file: `${slug}-${start + 1}.ts`, code: body.join('\n') });
    }
  }
  return snippets;
}

/**
 * The compiler options of the tsconfig `nest new` writes (@nestjs/schematics 11, without --strict),
 * with the repo's path aliases. `module: nodenext` matters: with it, isolatedModules and
 * emitDecoratorMetadata turn an interface imported without `import type` into a decorated
 * parameter's type into TS1272.
 */
function nestNewOptions(): ts.CompilerOptions {
  const repo = ts.readConfigFile(path.join(REPO_ROOT, 'tsconfig.json'), ts.sys.readFile).config as {
    compilerOptions: { paths: Record<string, string[]> };
  };
  return {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    resolvePackageJsonExports: true,
    declaration: true,
    removeComments: true,
    emitDecoratorMetadata: true,
    experimentalDecorators: true,
    allowSyntheticDefaultImports: true,
    esModuleInterop: true,
    isolatedModules: true,
    target: ts.ScriptTarget.ES2023,
    sourceMap: true,
    skipLibCheck: true,
    strictNullChecks: true,
    forceConsistentCasingInFileNames: true,
    noImplicitAny: false,
    strictBindCallApply: false,
    noFallthroughCasesInSwitch: false,
    noEmit: true,
    types: ['node', 'jest'], // nest new installs both and lists no `types`: all of @types apply
    baseUrl: REPO_ROOT,
    paths: repo.compilerOptions.paths,
  };
}

const MISSING_NAME_CODES = new Set([2304, 2552]); // Cannot find name 'X'. (Did you mean …?)

function missingName(d: ts.Diagnostic): string | undefined {
  if (!MISSING_NAME_CODES.has(d.code)) return undefined;
  return /'([^']+)'/.exec(ts.flattenDiagnosticMessageText(d.messageText, '\n'))?.[1];
}

describe('README code blocks', () => {
  const snippets = extractSnippets();
  const dir = path.join(REPO_ROOT, '.tmp', `readme-snippets-${process.pid}`);
  const failures = new Map<string, string[]>();

  beforeAll(() => {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const options = nestNewOptions();
    const tributary = Object.keys(options.paths ?? {})
      .filter((alias) => alias.startsWith('@tributary/') && !alias.includes('*'))
      .sort((a, b) => (a === '@tributary/kafka' ? -1 : b === '@tributary/kafka' ? 1 : a.localeCompare(b)));
    const modules = [...tributary, ...AUTO_IMPORT_MODULES];
    // Which module exports each name (the first one listed wins: @tributary/kafka before the libs re-exporting it).
    const probe = path.join(dir, '__exports.ts');
    writeFileSync(probe, modules.map((m, i) => `import * as m${i} from '${m}';\nexport { m${i} };`).join('\n'));
    // Line 1 of every snippet file is reserved for the imports added in the second pass.
    const files = snippets.map((s) => path.join(dir, s.file));
    snippets.forEach((s, i) => writeFileSync(files[i], `export {};\n${s.code}\n`));

    const first = ts.createProgram([probe, ...files], options);
    const checker = first.getTypeChecker();
    const exporter = new Map<string, string>();
    const probeFile = first.getSourceFile(probe)!;
    modules.forEach((m, i) => {
      const local = checker.getSymbolsInScope(probeFile, ts.SymbolFlags.Alias).find((s) => s.name === `m${i}`);
      const target = local && checker.getAliasedSymbol(local);
      for (const exported of target ? checker.getExportsOfModule(target) : []) {
        if (!exporter.has(exported.name)) exporter.set(exported.name, m);
      }
    });
    expect(exporter.get('KafkaModule')).toBe('@tributary/kafka');

    snippets.forEach((s, i) => {
      const wanted = new Map<string, Set<string>>();
      for (const d of first.getSemanticDiagnostics(first.getSourceFile(files[i])!)) {
        const name = missingName(d);
        const from = name && exporter.get(name);
        if (!name || !from) continue;
        if (!wanted.has(from)) wanted.set(from, new Set());
        wanted.get(from)!.add(name);
      }
      const imports = [...wanted].map(([from, names]) => `import { ${[...names].sort().join(', ')} } from '${from}';`).join(' ');
      writeFileSync(files[i], `export {}; ${imports}\n${s.code}\n`);
    });

    const second = ts.createProgram([...files], options, undefined, first);
    snippets.forEach((s, i) => {
      const source = second.getSourceFile(files[i])!;
      const diagnostics = [...second.getSyntacticDiagnostics(source), ...second.getSemanticDiagnostics(source)];
      failures.set(
        s.where,
        diagnostics.map((d) => {
          const line = d.start === undefined ? 0 : source.getLineAndCharacterOfPosition(d.start).line;
          const readmeLine = Number(s.where.split(':')[1]) + line - 1;
          return `${s.where.split(':')[0]}:${readmeLine} TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
        }),
      );
    });
  }, 300_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds the code blocks of the root README and of every lib', () => {
    expect(snippets.some((s) => s.where.startsWith('README.md:'))).toBe(true);
    expect(snippets.some((s) => s.where.startsWith('libs/kafka/README.md:'))).toBe(true);
  });

  it.each(snippets.map((s) => [s.where]))('%s compiles', (where) => {
    expect(failures.get(where)).toEqual([]);
  });
});
