/*
 * A CPU profile of one phase of a benchmark (`BENCH_CPU_PROFILE=<file.cpuprofile>`), taken with
 * the inspector of this process, plus a summary of where the samples fell: self time per package
 * (kafkajs, pg, typeorm, class-validator, Tributary's libs, ...) and the top functions. Open the
 * file in Chrome DevTools or speedscope for the whole picture.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  file: string;
  sampledMs: number;
  /** Share of the samples whose own frame is in each package (or `(idle)`, `(gc)`, `(program)`, `node:`). */
  byPackage: Record<string, number>;
  /** The functions with the most self time, as `share name (file:line)`. */
  topFunctions: string[];
}

function packageOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node:';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const lib = /\/libs\/([^/]+)\//.exec(url);
  if (lib) return `@tributary/${lib[1]}`;
  if (url.includes('/bench/')) return 'bench';
  return '(other)';
}

function summarize(profile: Profile, file: string): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    selfUs.set(id, (selfUs.get(id) ?? 0) + dt);
    total += dt;
  });
  const byPackage: Record<string, number> = {};
  const byFunction = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const pkg = packageOf(url, functionName);
    byPackage[pkg] = (byPackage[pkg] ?? 0) + us;
    const name = `${functionName || '(anonymous)'} (${url.split('/').slice(-2).join('/')}:${lineNumber + 1})`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
  }
  const share = (us: number) => Math.round((us / total) * 1000) / 1000;
  return {
    file,
    sampledMs: Math.round(total / 1000),
    byPackage: Object.fromEntries(Object.entries(byPackage).sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, share(v)])),
    topFunctions: [...byFunction.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 25)
      .map(([name, us]) => `${share(us)} ${name}`),
  };
}

function post<T>(session: Session, method: string, params?: object): Promise<T> {
  return new Promise((resolve, reject) => session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result as T))));
}

/**
 * Run `work` under the CPU profiler when `file` is set: writes the profile there and returns the
 * summary with the work's result; without a file, just runs it.
 */
export async function profiled<T>(file: string | undefined, work: () => Promise<T>): Promise<{ result: T; profile?: ProfileSummary }> {
  if (!file) return { result: await work() };
  const session = new Session();
  session.connect();
  await post(session, 'Profiler.enable');
  await post(session, 'Profiler.setSamplingInterval', { interval: 200 });
  await post(session, 'Profiler.start');
  try {
    const result = await work();
    const { profile } = await post<{ profile: Profile }>(session, 'Profiler.stop');
    writeFileSync(file, JSON.stringify(profile));
    return { result, profile: summarize(profile, file) };
  } finally {
    session.disconnect();
  }
}
