#!/usr/bin/env node
'use strict';
// Builds and packs every publishable package of the repository into one folder, for installing
// Tributary where no registry has it:
//   npm run pack [-- --out <dir>] [-- --no-build] [-- --no-schematics] [-- <lib> ...]
// Packages: every libs/<name> with a package.json (@tributary/<name>) and schematics/
// (@tributary/schematics). Default folder: ./packages (git-ignored). Earlier tarballs of these
// packages in the folder are removed first. Prints one tarball path per line.
// Also a module: `require('tools/pack.js').pack({ outDir, libs })` (used by test/packaging.e2e-spec.ts).
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');

/** Every publishable lib: folder name under libs/ of each lib with a package.json, sorted. */
function publishableLibs() {
  const libsDir = path.join(root, 'libs');
  return fs
    .readdirSync(libsDir)
    .filter((name) => fs.existsSync(path.join(libsDir, name, 'package.json')))
    .sort();
}

/** npm's tarball name for a package: `@tributary/kafka`@0.1.0 -> `tributary-kafka-0.1.0.tgz`. */
function tarballName(name, version) {
  return `${name.replace(/^@/, '').replace(/\//g, '-')}-${version}.tgz`;
}

function runOrThrow(command, args, what) {
  const result = spawnSync(command, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
    throw new Error(`${what} failed (exit ${result.status ?? result.signal}):\n${output}`);
  }
  return result.stdout;
}

/**
 * Builds (unless `build: false`) and packs the given libs (default: every publishable lib) and,
 * unless `schematics: false`, @tributary/schematics into `outDir`.
 * @returns package name -> absolute tarball path
 */
function pack({ outDir = path.join(root, 'packages'), libs = publishableLibs(), build = true, schematics = true, log = () => {} } = {}) {
  const out = path.resolve(outDir);
  const unknown = libs.filter((lib) => !fs.existsSync(path.join(root, 'libs', lib, 'package.json')));
  if (unknown.length > 0) throw new Error(`no libs/<name>/package.json for ${unknown.join(', ')}: pick among ${publishableLibs().join(', ')}`);
  const dirs = libs.map((lib) => path.join(root, 'libs', lib));
  if (schematics) dirs.push(path.join(root, 'schematics'));
  const manifests = dirs.map((dir) => JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')));

  if (build) {
    log(`building ${libs.length} libs${schematics ? ' and the schematics' : ''}`);
    if (libs.length > 0) runOrThrow(process.execPath, [path.join(root, 'tools/build-libs.js'), ...libs], 'tools/build-libs.js');
    if (schematics) runOrThrow(process.execPath, [path.join(root, 'schematics/build.js')], 'schematics/build.js');
  }
  for (const [i, dir] of dirs.entries()) {
    if (!fs.existsSync(path.join(dir, 'dist'))) throw new Error(`${manifests[i].name} has no dist/: run without --no-build`);
  }

  fs.mkdirSync(out, { recursive: true });
  for (const { name, version } of manifests) fs.rmSync(path.join(out, tarballName(name, version)), { force: true });
  // One npm process packs them all (its start-up is the slow part); scripts are not run because
  // the build above already happened (the schematics' prepack would build them a second time).
  const json = runOrThrow('npm', ['pack', '--json', '--ignore-scripts', '--loglevel=error', '--pack-destination', out, ...dirs], 'npm pack');
  const packed = JSON.parse(json);
  const tarballs = {};
  for (const entry of packed) tarballs[entry.name] = path.join(out, entry.filename);
  for (const { name } of manifests) {
    if (!tarballs[name] || !fs.existsSync(tarballs[name])) throw new Error(`npm pack produced no tarball for ${name} in ${out}`);
  }
  return tarballs;
}

function main(argv) {
  const options = { libs: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--out') options.outDir = argv[++i];
    else if (arg.startsWith('--out=')) options.outDir = arg.slice('--out='.length);
    else if (arg === '--no-build') options.build = false;
    else if (arg === '--no-schematics') options.schematics = false;
    else if (arg === '--help' || arg === '-h') {
      console.log('usage: node tools/pack.js [--out <dir>] [--no-build] [--no-schematics] [lib ...]');
      return;
    } else if (arg.startsWith('-')) throw new Error(`unknown option ${arg} (see --help)`);
    else options.libs.push(arg);
  }
  if (options.libs.length === 0) delete options.libs;
  const tarballs = pack({ ...options, log: (line) => console.error(line) });
  for (const file of Object.values(tarballs)) console.log(file);
}

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (e) {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  }
}

module.exports = { pack, publishableLibs, tarballName };
