#!/usr/bin/env node
'use strict';
// Builds the published layout of @tributary/schematics: the factories compiled to CommonJS by
// tsconfig.json, next to the collection.json, schema.json files and files/ templates they load at
// run time (paths in collection.json are relative, so the layout under <out> mirrors the sources).
//   node schematics/build.js [outDir]      (default: schematics/dist)
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const source = __dirname;
const out = path.resolve(process.argv[2] || path.join(source, 'dist'));
const skipped = new Set(['node_modules', 'dist', 'test', 'test-support']);

fs.rmSync(out, { recursive: true, force: true });
const tsc = require.resolve('typescript/bin/tsc', { paths: [source] });
const result = spawnSync(process.execPath, [tsc, '-p', path.join(source, 'tsconfig.json'), '--outDir', out], { stdio: 'inherit' });
if (result.status !== 0) {
  console.error(`tsc failed (exit ${result.status ?? result.signal})`);
  process.exit(1);
}

fs.copyFileSync(path.join(source, 'collection.json'), path.join(out, 'collection.json'));
for (const entry of fs.readdirSync(source, { withFileTypes: true })) {
  if (!entry.isDirectory() || skipped.has(entry.name) || entry.name.startsWith('.')) continue;
  const dir = path.join(source, entry.name);
  for (const asset of ['schema.json', 'files']) {
    const from = path.join(dir, asset);
    if (fs.existsSync(from)) fs.cpSync(from, path.join(out, entry.name, asset), { recursive: true });
  }
}
console.log(`@tributary/schematics built in ${path.relative(process.cwd(), out) || '.'}`);
