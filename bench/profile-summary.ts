// Summarises a V8 .cpuprofile (from `node --cpu-prof`): the functions with the most self time, the same
// grouped by file or package, and the hub's own functions (src/) by inclusive time, so that time spent in
// a library (kysely, fastify, zod...) is also charged to the src/ code that called it.
// Positions in src/ are mapped back to the TypeScript through the source maps that bench/hub-instrument.ts
// saved next to the profile (sourcemaps.json); without them they point into tsx's compiled output. The SQL
// statements it timed (sql.json) are summarised too.
//   tsx bench/profile-summary.ts <file.cpuprofile> [--top 25]
import fs from 'node:fs';
import path from 'node:path';
import { SourceMap } from 'node:module';
import type { SourceMapPayload } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { REPO_ROOT, argValue } from './common.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface ProfileEntry {
  name: string;
  where: string;
  ms: number;
  share: number;
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  /** Time the process was idle (waiting on I/O): not work, so left out of the shares. */
  idleMs: number;
  topSelf: ProfileEntry[];
  /** For the hottest library functions: which src/ code (nearest src frame on the stack) they ran for. */
  callers: Array<{ name: string; where: string; share: number; from: ProfileEntry[] }>;
  byArea: ProfileEntry[];
  srcInclusive: ProfileEntry[];
  sql: SqlSummary | null;
  /** Event-loop delay over the hub's life (bench/hub-instrument.ts), in ms. */
  loopDelay: { p50: number; p99: number; p999: number; max: number; mean: number } | null;
}

export interface SqlSummary {
  driver: string;
  totalMs: number;
  statements: Array<{ sql: string; calls: number; totalMs: number; meanMs: number; maxMs: number }>;
}

interface SqlStatFile {
  sql: string;
  driver: string;
  calls: number;
  totalMs: number;
  maxMs: number;
}

function summariseSql(file: string, top: number): SqlSummary | null {
  if (!fs.existsSync(file)) return null;
  const stats = JSON.parse(fs.readFileSync(file, 'utf8')) as SqlStatFile[];
  if (stats.length === 0) return null;
  return {
    driver: [...new Set(stats.map((s) => s.driver))].join('+'),
    totalMs: stats.reduce((t, s) => t + s.totalMs, 0),
    statements: stats
      .sort((a, b) => b.totalMs - a.totalMs)
      .slice(0, top)
      .map((s) => ({ sql: s.sql.replace(/\s+/g, ' '), calls: s.calls, totalMs: s.totalMs, meanMs: s.totalMs / s.calls, maxMs: s.maxMs })),
  };
}

/** Where a frame lives, relative to the repository: src/core/x.ts:12, kysely, node:internal/..., (gc). */
function location(frame: ProfileNode['callFrame']): { file: string; area: string; src: boolean } {
  const url = frame.url;
  // No URL: V8 builtins and natives, or the pseudo-frames (program), (garbage collector).
  if (!url) return { file: '(native)', area: frame.functionName.startsWith('(') ? frame.functionName : '(native builtins)', src: false };
  let file = url;
  if (url.startsWith('file://')) {
    try {
      file = fileURLToPath(url);
    } catch {
      file = url;
    }
  }
  const rel = path.isAbsolute(file) ? path.relative(REPO_ROOT, file) : file;
  const nm = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(rel);
  if (nm) return { file: rel, area: nm[1]!, src: false };
  if (rel.startsWith('node:')) return { file: rel, area: rel.startsWith('node:internal') ? 'node (internals)' : rel, src: false };
  if (rel.startsWith('src/')) return { file: rel, area: rel, src: true };
  return { file: rel, area: rel, src: false };
}

/** Maps a frame's compiled position to the TypeScript line, when a source map for its file is known. */
function lineMapper(mapsFile: string | null): (frame: ProfileNode['callFrame']) => number {
  const maps = new Map<string, SourceMap>();
  if (mapsFile && fs.existsSync(mapsFile)) {
    const raw = JSON.parse(fs.readFileSync(mapsFile, 'utf8')) as Record<string, SourceMapPayload>;
    for (const [url, payload] of Object.entries(raw)) maps.set(url, new SourceMap(payload));
  }
  return (frame) => {
    const map = maps.get(frame.url);
    if (map) {
      const entry = map.findEntry(frame.lineNumber, frame.columnNumber) as { originalLine?: number };
      if (typeof entry.originalLine === 'number') return entry.originalLine + 1;
    }
    return frame.lineNumber + 1;
  };
}

export function summariseProfile(file: string, top = 25): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const lineOf = lineMapper(path.join(path.dirname(file), 'sourcemaps.json'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  // Self time per node from the sample stream when present (exact intervals), else from hit counts.
  const selfUs = new Map<number, number>();
  if (profile.samples && profile.timeDeltas && profile.samples.length === profile.timeDeltas.length) {
    for (let i = 0; i < profile.samples.length; i++) {
      // timeDeltas[i] is the gap before sample i; attribute the gap after it to the sample.
      const dt = profile.timeDeltas[i + 1] ?? 0;
      const id = profile.samples[i]!;
      selfUs.set(id, (selfUs.get(id) ?? 0) + Math.max(0, dt));
    }
  } else {
    const hits = profile.nodes.reduce((s, n) => s + (n.hitCount ?? 0), 0);
    const per = hits > 0 ? (profile.endTime - profile.startTime) / hits : 0;
    for (const n of profile.nodes) selfUs.set(n.id, (n.hitCount ?? 0) * per);
  }

  let idleUs = 0;
  let totalUs = 0;
  const self = new Map<string, { name: string; where: string; us: number }>();
  const area = new Map<string, number>();
  const inclusive = new Map<string, { name: string; where: string; us: number }>();
  // self key → nearest src/ frame key → time
  const callerOf = new Map<string, Map<string, { name: string; where: string; us: number }>>();
  for (const [id, us] of selfUs) {
    if (us === 0) continue;
    const node = byId.get(id)!;
    const frame = node.callFrame;
    if (frame.functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    totalUs += us;
    const loc = location(frame);
    const where = frame.url ? `${loc.file}:${lineOf(frame)}` : '(native)';
    const name = frame.functionName || '(anonymous)';
    const key = `${name}@${where}`;
    const entry = self.get(key) ?? { name, where, us: 0 };
    entry.us += us;
    self.set(key, entry);
    area.set(loc.area, (area.get(loc.area) ?? 0) + us);

    // Charge this sample to every distinct src/ function on its stack (once each, recursion included).
    const seen = new Set<string>();
    let nearest: { name: string; where: string; key: string } | null = null;
    // Without a src/ frame (code resumed after an await), the nearest package still says whose work it was.
    let nearestPackage: string | null = null;
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur)!.callFrame;
      const l = location(f);
      if (!nearestPackage && f.url && !l.src && !l.area.startsWith('node') && !l.file.startsWith('bench/')) nearestPackage = l.area;
      if (!l.src) continue;
      const w = `${l.file}:${lineOf(f)}`;
      const k = `${f.functionName || '(anonymous)'}@${w}`;
      nearest ??= { name: f.functionName || '(anonymous)', where: w, key: k };
      if (seen.has(k)) continue;
      seen.add(k);
      const e = inclusive.get(k) ?? { name: f.functionName || '(anonymous)', where: w, us: 0 };
      e.us += us;
      inclusive.set(k, e);
    }
    if (!loc.src) {
      const byCaller = callerOf.get(key) ?? new Map<string, { name: string; where: string; us: number }>();
      callerOf.set(key, byCaller);
      const none = `(no src/ frame${nearestPackage ? `; in ${nearestPackage}` : ''})`;
      const ck = nearest?.key ?? none;
      const c = byCaller.get(ck) ?? { name: nearest?.name ?? none, where: nearest?.where ?? '', us: 0 };
      c.us += us;
      byCaller.set(ck, c);
    }
  }

  const toEntries = (list: Array<{ name: string; where: string; us: number }>): ProfileEntry[] =>
    list
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((e) => ({ name: e.name, where: e.where, ms: e.us / 1000, share: totalUs > 0 ? e.us / totalUs : 0 }));
  const hottestLibrary = [...self.entries()]
    .filter(([key]) => callerOf.has(key))
    .sort((a, b) => b[1].us - a[1].us)
    .slice(0, 3);
  return {
    file,
    totalMs: totalUs / 1000,
    idleMs: idleUs / 1000,
    topSelf: toEntries([...self.values()]),
    callers: hottestLibrary.map(([key, e]) => ({
      name: e.name,
      where: e.where,
      share: totalUs > 0 ? e.us / totalUs : 0,
      from: toEntries([...callerOf.get(key)!.values()]).slice(0, 8),
    })),
    sql: summariseSql(path.join(path.dirname(file), 'sql.json'), top),
    loopDelay: fs.existsSync(path.join(path.dirname(file), 'loop.json'))
      ? (JSON.parse(fs.readFileSync(path.join(path.dirname(file), 'loop.json'), 'utf8')) as ProfileSummary['loopDelay'])
      : null,
    byArea: toEntries([...area.entries()].map(([k, us]) => ({ name: k, where: '', us }))),
    srcInclusive: toEntries([...inclusive.values()]),
  };
}

export function formatSummary(s: ProfileSummary): string {
  const pct = (x: number) => `${(x * 100).toFixed(1).padStart(5)}%`;
  const lines = [
    `CPU profile ${path.relative(process.cwd(), s.file)}: ${(s.totalMs / 1000).toFixed(2)} s busy, ${(s.idleMs / 1000).toFixed(2)} s idle`,
    ...(s.loopDelay
      ? [
          `Event-loop delay (whole hub life, sampled every 1 ms): mean ${s.loopDelay.mean.toFixed(1)} ms, p50 ${s.loopDelay.p50.toFixed(1)}, ` +
            `p99 ${s.loopDelay.p99.toFixed(1)}, p99.9 ${s.loopDelay.p999.toFixed(1)}, max ${s.loopDelay.max.toFixed(1)} ms`,
        ]
      : []),
    '',
    'Top self time (busy share):',
    ...s.topSelf.map((e) => `  ${pct(e.share)}  ${e.name}  ${e.where}`),
    '',
    ...s.callers.flatMap((c) => [
      `${c.name} (${c.where}, ${(c.share * 100).toFixed(1)}%) ran for (nearest src/ frame; share of all busy time):`,
      ...c.from.map((e) => `  ${pct(e.share)}  ${e.name}  ${e.where}`),
      '',
    ]),
    'Self time by file / package:',
    ...s.byArea.map((e) => `  ${pct(e.share)}  ${e.name}`),
    '',
    'Hub functions (src/) by inclusive time, libraries they call included:',
    ...s.srcInclusive.map((e) => `  ${pct(e.share)}  ${e.name}  ${e.where}`),
  ];
  if (s.sql) {
    lines.push(
      '',
      s.sql.driver === 'sqlite'
        ? `SQL statements by total time (better-sqlite3 runs them on the event loop thread: ${(s.sql.totalMs / 1000).toFixed(2)} s blocked in all):`
        : `SQL statements by total time until the result came back (${(s.sql.totalMs / 1000).toFixed(2)} s summed over concurrent queries):`,
      '       total ms     calls   mean ms    max ms  statement',
      ...s.sql.statements.map(
        (q) =>
          `  ${q.totalMs.toFixed(0).padStart(13)} ${String(q.calls).padStart(9)} ${q.meanMs.toFixed(3).padStart(9)} ${q.maxMs.toFixed(1).padStart(9)}  ${q.sql.length > 140 ? q.sql.slice(0, 137) + '...' : q.sql}`,
      ),
    );
  }
  return lines.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: tsx bench/profile-summary.ts <file.cpuprofile> [--top 25]\n');
    process.exit(2);
  }
  process.stdout.write(formatSummary(summariseProfile(file, Number(argValue(process.argv, 'top') ?? 25))) + '\n');
}
