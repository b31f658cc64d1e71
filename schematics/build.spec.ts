import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT, removeDir, run, scratchDir, writeTree } from './test-support/scratch-dir';
import { seedMonorepo, tributaryRunner } from './test-support/workspace';

function listFiles(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? listFiles(full, base) : [path.relative(base, full)];
  });
}

/**
 * The published package: build.js output installed as node_modules/@tributary/schematics of a
 * scratch workspace, then driven by SchematicTestRunner and by the real `nest generate`.
 */
describe('published layout (build.js)', () => {
  let dir: string | undefined;
  afterAll(() => removeDir(dir));

  it('builds compiled factories with their schemas and templates, and they generate what the sources do', async () => {
    dir = scratchDir('build');
    const pkg = path.join(dir, 'node_modules', '@tributary', 'schematics');
    mkdirSync(pkg, { recursive: true });
    await run(process.execPath, [path.join(__dirname, 'build.js'), path.join(pkg, 'dist')], { cwd: REPO_ROOT });
    copyFileSync(path.join(__dirname, 'package.json'), path.join(pkg, 'package.json'));

    const manifest = JSON.parse(readFileSync(path.join(pkg, 'package.json'), 'utf8')) as { schematics: string; files: string[] };
    expect(manifest.schematics).toBe('./dist/collection.json');
    expect(manifest.files).toContain('dist');
    expect(listFiles(path.join(pkg, 'dist')).sort()).toEqual([
      'collection.json',
      'event/event.factory.js',
      'event/files/__name@dasherize__.event.__specFileSuffix__.ts.template',
      'event/files/__name@dasherize__.event.ts.template',
      'event/schema.json',
      'projection/files/__name@dasherize__.entity.ts.template',
      'projection/files/__name@dasherize__.projection.ts.template',
      'projection/projection.factory.js',
      'projection/schema.json',
      'rpc-handler/files/__name@dasherize__.contract.ts.template',
      'rpc-handler/files/__name@dasherize__.handler.__specFileSuffix__.ts.template',
      'rpc-handler/files/__name@dasherize__.handler.ts.template',
      'rpc-handler/rpc-handler.factory.js',
      'rpc-handler/schema.json',
      'service/files/src/__name__.module.ts.template',
      'service/files/src/__name__.service.ts.template',
      'service/files/src/main.ts.template',
      'service/files/tsconfig.app.json.template',
      'service/schema.json',
      'service/service.factory.js',
      'utils/dependencies.js',
      'utils/for-root-options.js',
      'utils/module-declarations.js',
      'utils/names.js',
      'utils/templates.js',
      'utils/tributary-packages.js',
      'utils/workspace.js',
    ]);

    // Same output from the built collection as from the sources.
    const steps: Array<[string, Record<string, unknown>]> = [
      ['service', { name: 'payments' }],
      ['projection', { name: 'ledger', service: 'payments' }],
      ['rpc-handler', { name: 'get-balance', service: 'payments' }],
    ];
    let fromSource = await seedMonorepo();
    let fromBuild = await seedMonorepo();
    for (const [schematic, options] of steps) {
      fromSource = await tributaryRunner().runSchematic(schematic, options, fromSource);
      fromBuild = await tributaryRunner(path.join(pkg, 'dist', 'collection.json')).runSchematic(schematic, options, fromBuild);
    }
    expect(fromBuild.files.sort()).toEqual(fromSource.files.sort());
    for (const file of fromSource.files) expect(fromBuild.readContent(file)).toBe(fromSource.readContent(file));

    // What a user runs: the Nest CLI resolves the package from node_modules and runs it.
    writeTree(await seedMonorepo(), dir, ['/nest-cli.json', '/apps/', '/package.json', '/tsconfig.json']);
    const nest = require.resolve('@nestjs/cli/bin/nest.js');
    // `-p` with a new name keeps the CLI from asking which existing project to use.
    await run(process.execPath, [nest, 'generate', '-c', '@tributary/schematics', 'service', 'payments', '-p', 'payments'], { cwd: dir });
    const expected = await tributaryRunner().runSchematic('service', { name: 'payments' }, await seedMonorepo());
    const generated = expected.files.filter((f) => f.startsWith('/apps/payments/'));
    expect(generated.length).toBeGreaterThan(4);
    for (const file of generated) expect(readFileSync(path.join(dir, file), 'utf8')).toBe(expected.readContent(file));
    const cli = JSON.parse(readFileSync(path.join(dir, 'nest-cli.json'), 'utf8')) as { projects: Record<string, { sourceRoot: string }> };
    expect(cli.projects.payments.sourceRoot).toBe('apps/payments/src');
  }, 90_000);
});
