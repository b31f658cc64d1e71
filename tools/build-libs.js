#!/usr/bin/env node
'use strict';
// Builds every publishable lib (libs/<name>/package.json) with tsc, dependencies first, into
// libs/<name>/dist. Other libs are resolved from their built dist (tsconfig.build.json paths), so
// each package's output holds only its own code and imports the others as @tributary/<name>.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const libsDir = path.join(root, 'libs');
const only = process.argv.slice(2);

const libs = new Map();
for (const name of fs.readdirSync(libsDir)) {
  const pkgFile = path.join(libsDir, name, 'package.json');
  if (!fs.existsSync(pkgFile)) continue;
  const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8'));
  const deps = Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies })
    .filter((d) => d.startsWith('@tributary/'))
    .map((d) => d.slice('@tributary/'.length));
  libs.set(name, deps);
}

const order = [];
const visiting = new Set();
function visit(name) {
  if (order.includes(name)) return;
  if (visiting.has(name)) throw new Error(`dependency cycle through @tributary/${name}`);
  if (!libs.has(name)) throw new Error(`unknown lib @tributary/${name}`);
  visiting.add(name);
  for (const dep of libs.get(name)) visit(dep);
  visiting.delete(name);
  order.push(name);
}
for (const name of only.length ? only : [...libs.keys()].sort()) visit(name);

const tsc = require.resolve('typescript/bin/tsc');
for (const name of order) {
  const dir = path.join(libsDir, name);
  fs.rmSync(path.join(dir, 'dist'), { recursive: true, force: true });
  const started = Date.now();
  const result = spawnSync(process.execPath, [tsc, '-p', path.join(dir, 'tsconfig.lib.json')], { stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`build of @tributary/${name} failed`);
    process.exit(result.status ?? 1);
  }
  console.log(`built @tributary/${name} in ${Date.now() - started} ms`);
}
