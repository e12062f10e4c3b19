// Preloaded into the hub only when the bench profiles it:
//   node --cpu-prof --import tsx --import ./bench/hub-instrument.ts src/cli/main.ts start
// It changes no behaviour; at exit it writes two files into $BENCH_INSTRUMENT_DIR:
//  - sourcemaps.json: the source map of every loaded src/ (and bench/) module. tsx compiles TypeScript with whitespace
//    minified, so a .cpuprofile's line numbers point into that output; bench/profile-summary.ts maps
//    them back to the .ts lines with these.
//  - sql.json: per SQL text, how many times it ran and for how long. On SQLite the statement runs on the
//    hub's only thread (better-sqlite3 is synchronous), so this is time the event loop was blocked,
//    fsync on COMMIT included, which a CPU profile shows only as one opaque kysely frame. On PostgreSQL
//    it is the time until the query's promise settled (round trip and waiting for a pooled connection).
//  - loop.json: event-loop delay percentiles (perf_hooks): how long a ready socket, such as a webhook
//    waiting for its acknowledgement, can wait for the hub's only thread.
import fs from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import path from 'node:path';
import { findSourceMap } from 'node:module';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import { REPO_ROOT } from './common.js';

const outDir = process.env['BENCH_INSTRUMENT_DIR'];

export interface SqlStat {
  sql: string;
  driver: 'sqlite' | 'postgres';
  calls: number;
  totalMs: number;
  maxMs: number;
}

const stats = new Map<string, SqlStat>();

function record(driver: SqlStat['driver'], sql: string, ms: number): void {
  const key = `${driver}\u0000${sql}`;
  let s = stats.get(key);
  if (!s) {
    s = { sql, driver, calls: 0, totalMs: 0, maxMs: 0 };
    stats.set(key, s);
  }
  s.calls++;
  s.totalMs += ms;
  if (ms > s.maxMs) s.maxMs = ms;
}

function walk(dir: string, files: string[] = []): string[] {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, files);
    else if (entry.name.endsWith('.ts')) files.push(full);
  }
  return files;
}

type Method = (this: { source?: string }, ...a: unknown[]) => unknown;

// The histogram records each timer interval including the resolution itself; it is subtracted below.
const LOOP_RESOLUTION_MS = 1;

if (outDir) {
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  loopDelay.enable();

  // better-sqlite3 statements share one native prototype; a throwaway statement reaches it.
  const probe = new Database(':memory:');
  const proto = Object.getPrototypeOf(probe.prepare('select 1')) as Record<string, Method>;
  probe.close();
  for (const name of ['run', 'all', 'get']) {
    const original = proto[name]!;
    // Named, so that the profile shows the statement execution (native, charged to this frame) by name.
    proto[name] = function sqliteStatementExecution(this: { source?: string }, ...a: unknown[]) {
      const t0 = performance.now();
      try {
        return original.apply(this, a);
      } finally {
        record('sqlite', this.source ?? '?', performance.now() - t0);
      }
    };
  }

  const query = pg.Client.prototype.query as unknown as (this: pg.Client, ...a: unknown[]) => unknown;
  (pg.Client.prototype as unknown as { query: typeof query }).query = function postgresQuery(this: pg.Client, ...a: unknown[]) {
    const config = a[0];
    const text = typeof config === 'string' ? config : ((config as { text?: string } | null)?.text ?? '?');
    const t0 = performance.now();
    const result = query.apply(this, a);
    if (result instanceof Promise) {
      return result.finally(() => record('postgres', text, performance.now() - t0));
    }
    return result;
  };

  process.on('exit', () => {
    const maps: Record<string, unknown> = {};
    for (const file of [...walk(path.join(REPO_ROOT, 'src')), ...walk(path.join(REPO_ROOT, 'bench'))]) {
      const url = pathToFileURL(file).href;
      const map = findSourceMap(url);
      if (map) maps[url] = map.payload;
    }
    fs.writeFileSync(path.join(outDir, 'sourcemaps.json'), JSON.stringify(maps));
    fs.writeFileSync(path.join(outDir, 'sql.json'), JSON.stringify([...stats.values()].sort((x, y) => y.totalMs - x.totalMs)));
    loopDelay.disable();
    const ms = (ns: number) => Math.max(0, ns / 1e6 - LOOP_RESOLUTION_MS);
    fs.writeFileSync(
      path.join(outDir, 'loop.json'),
      JSON.stringify({ p50: ms(loopDelay.percentile(50)), p99: ms(loopDelay.percentile(99)), p999: ms(loopDelay.percentile(99.9)), max: ms(loopDelay.max), mean: ms(loopDelay.mean) }),
    );
  });
}
