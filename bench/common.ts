// Shared by the benchmark's processes: the files the orchestrator hands to its children, wall-clock
// time that is comparable across processes, percentiles, table cells, and small process helpers.
import fs from 'node:fs';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (bench/ lives directly under it). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** One pre-built, signed Shopify webhook. */
export interface PreparedWebhook {
  webhookId: string;
  /** The order name ("#1001"): it comes back as a template parameter, so a message maps to its order. */
  orderName: string;
  body: string;
  headers: Record<string, string>;
}

/** What the load generator reads for one phase. */
export interface LoadFile {
  webhooks: PreparedWebhook[];
}

/** What the relay reads: the provider call it must make for each webhook id, pre-built. */
export interface RelayFile {
  /** The request header that carries the webhook id (x-shopify-webhook-id for orders, x-bench-id for chat). */
  idHeader?: string;
  phoneNumberId: string;
  accessToken: string;
  /** webhook id → the JSON body of the WhatsApp send, as the hub would build it. */
  sends: Record<string, string>;
}

/** The load generator's report, printed as one JSON line on stdout. */
export interface LoadReport {
  sent: number;
  ok: number;
  errors: number;
  /** HTTP status (or "error: ...") → count, for anything that was not a 200. */
  failures: Record<string, number>;
  /** Wall-clock ms (performance.timeOrigin + performance.now()) of each send, in file order. */
  sendAt: Array<number | null>;
  /** Acknowledgement latency per webhook in ms, in file order (null when it was not a 200). */
  ackMs: Array<number | null>;
  firstSendAt: number;
  lastAckAt: number;
  /** CPU the load generator used while sending, in ms. */
  cpuMs: number;
  /** CPU the load generator used in all, reading its input included, in ms. */
  cpuTotalMs: number;
}

/** A message the simulator accepted: when, to whom, and its template parameter values. */
export interface ReceivedMessage {
  at: number;
  to: string;
  values: string[];
}

/** Parent ↔ simulator-process messages over the IPC channel. */
export type SimRequest =
  | { type: 'count' }
  | { type: 'collect'; clear: boolean }
  /** Opens the 24-hour customer-service window for these customers, as their first message would (chat bench). */
  | { type: 'open-windows'; phoneNumberId: string; from: string[] };
export type SimCommand = SimRequest & { reqId: number };

export type SimReply =
  | { type: 'ready'; url: string }
  | { type: 'count'; reqId: number; count: number }
  | { type: 'collect'; reqId: number; messages: ReceivedMessage[] }
  | { type: 'open-windows'; reqId: number; opened: number };

/** A table cell: the number with `digits` decimals, '-' when there is none. */
export function fmt(n: number | null, digits = 1): string {
  return n === null || !Number.isFinite(n) ? '-' : n.toFixed(digits);
}

/** A table cell for a size per message: bytes, or KB from 10,000 bytes on; '-' when there is none. */
export function bytesCell(b: number | null): string {
  if (b === null || !Number.isFinite(b)) return '-';
  return Math.abs(b) >= 10_000 ? `${(b / 1024).toFixed(0)} KB` : `${b.toFixed(0)} B`;
}

/** Wall-clock milliseconds with sub-millisecond resolution, comparable between processes on one host. */
export function wallNow(): number {
  return performance.timeOrigin + performance.now();
}

/** Nearest-rank percentile of an ascending-sorted array. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function sortedNumbers(values: Iterable<number | null>): number[] {
  const finite = [...values].filter((v): v is number => v !== null && Number.isFinite(v));
  // Typed arrays sort numerically (Array#sort would compare as strings).
  return Array.from(Float64Array.from(finite).sort());
}

/** Peak resident set size (VmHWM) of a live process in bytes, or null when it cannot be read. */
export function peakRss(pid: number): number | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** CPU time (user + system, all threads) a live process has used so far, in ms; null when unreadable. */
export function cpuTimeMs(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces; fields after its closing parenthesis are fixed.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 (indexes 11 and 12 here), in clock ticks: 100 per second on Linux.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return null;
  }
}

/** Live processes whose command line contains one of `needles`, with the needle that matched first. */
export function processesMatching(needles: string[]): Map<number, number> {
  const out = new Map<number, number>();
  if (needles.length === 0) return out;
  let entries: string[] = [];
  try {
    entries = fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return out;
  }
  for (const e of entries) {
    try {
      const cmd = fs.readFileSync(`/proc/${e}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const i = needles.findIndex((n) => cmd.includes(n));
      if (i >= 0) out.set(Number(e), i);
    } catch {
      // Gone in between, or not ours to read.
    }
  }
  return out;
}

/**
 * CPU ms used so far by each live process whose command line contains one of `needles` (e.g. the
 * PostgreSQL backends serving the bench database, whose process titles name it, and redis-server).
 */
export function cpuByCommand(needles: string[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const pid of processesMatching(needles).keys()) {
    const ms = cpuTimeMs(pid);
    if (ms !== null) out.set(pid, ms);
  }
  return out;
}

/** Busy CPU time of the whole machine so far (all cores, every process), in ms; null when unreadable. */
export function systemBusyMs(): number | null {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    // cpu user nice system idle iowait irq softirq steal ...: everything but idle and iowait is busy.
    const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    return (((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) * 1000) / 100;
  } catch {
    return null;
  }
}

/** Minimal `--name value` / `--flag` parsing for the child scripts (run.ts uses node:util parseArgs). */
export function argValue(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}

export function requireArg(argv: string[], name: string): string {
  const v = argValue(argv, name);
  if (v === undefined) {
    process.stderr.write(`missing --${name}\n`);
    process.exit(2);
  }
  return v;
}

/**
 * Runs a relay's HTTP server: keep-alive connections for the load generator, a clean exit on SIGTERM/SIGINT
 * (after `onClose`), and the `listening <url>` line the bench waits for.
 */
export function serveRelay(server: http.Server, port: number, onClose?: () => void): void {
  server.keepAliveTimeout = 60_000;
  const shutdown = () => {
    onClose?.();
    server.closeAllConnections();
    server.close(() => process.exit(0));
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  server.listen(port, '127.0.0.1', () => {
    const { port: bound } = server.address() as AddressInfo;
    process.stdout.write(`listening http://127.0.0.1:${bound}\n`);
  });
}
