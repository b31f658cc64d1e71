import * as fs from 'node:fs';
import * as path from 'node:path';
import { tributaryDependencies } from './tributary-packages';

const libs = path.join(__dirname, '..', '..', 'libs');

/** @tributary/* packages `lib` needs installed: its dependencies and required peers, transitively (from libs/<lib>/package.json). */
function needed(lib: string, seen = new Set<string>()): Set<string> {
  if (seen.has(lib)) return seen;
  seen.add(lib);
  const pkg = JSON.parse(fs.readFileSync(path.join(libs, lib, 'package.json'), 'utf8'));
  const optional = new Set(Object.keys(pkg.peerDependenciesMeta ?? {}).filter((p) => pkg.peerDependenciesMeta[p].optional));
  for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies })) {
    if (dep.startsWith('@tributary/') && !optional.has(dep)) needed(dep.slice('@tributary/'.length), seen);
  }
  return seen;
}

describe('tributaryDependencies', () => {
  // The modules the service generator can wire.
  it.each(['kafka', 'outbox', 'projections', 'rpc', 'discovery'])(
    'with tarballs, lists every @tributary package that %s needs (npm cannot fetch them from a registry)',
    (lib) => {
      const written = Object.keys(tributaryDependencies([lib], { tributarySource: 'file:packages' }));
      expect(written).toEqual([...needed(lib)].sort().map((l) => `@tributary/${l}`));
    },
  );

  it('from a registry, writes the version for the wired modules only', () => {
    expect(tributaryDependencies(['kafka', 'rpc'])).toEqual({ '@tributary/kafka': '^0.1.0', '@tributary/rpc': '^0.1.0' });
    expect(tributaryDependencies(['rpc'], { tributaryVersion: '~0.2.0', tributarySource: 'registry' })).toEqual({ '@tributary/rpc': '~0.2.0' });
  });
});
