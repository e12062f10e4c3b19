// Real hub processes for crash tests: `shoptalk start --role api|worker` and one-shot CLI commands, each
// spawned as `node --import tsx src/cli/main.ts ...` so that a signal reaches the hub process itself,
// not a wrapper (npx, the tsx CLI) that would leave the hub running.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { envSchema } from '../../../src/config/index.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const CLI = 'src/cli/main.ts';
/** Output kept per process for diagnostics (the tail). */
const KEEP_CHARS = 200_000;

// Children still alive when the test process exits (a crash, a timeout) are killed with it.
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/**
 * The environment for a hub process: the test process's own environment without any hub variable
 * (so nothing leaks in from the developer's shell), plus `vars`.
 */
export function hubEnv(vars: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(envSchema.shape)) delete env[key];
  delete env['NODE_OPTIONS'];
  return { ...env, ...vars };
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!port) throw new Error('could not pick a free port');
  return port;
}

export interface HubProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  /** Everything the process wrote (stdout and stderr interleaved), the tail only. */
  output(): string;
  /** The beginning of what the process wrote to stdout. */
  stdout(): string;
  /** Resolves with the exit code or signal once the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  isRunning(): boolean;
  /** Resolves when `pattern` appears in the output; rejects if the process exits or time runs out. */
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<void>;
  /** Sends the signal (if still running) and waits for the exit. */
  kill(signal: NodeJS.Signals): Promise<void>;
}

/** Spawns `node --import tsx src/cli/main.ts <args>` in the repository root. */
export function spawnCli(name: string, args: string[], env: NodeJS.ProcessEnv): HubProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`${name}: could not spawn`);
  const pid = child.pid;
  live.add(child);
  let text = '';
  let stdout = '';
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer, isStdout: boolean) => {
    const s = chunk.toString('utf8');
    text += s;
    if (text.length > KEEP_CHARS * 2) text = text.slice(-KEEP_CHARS);
    if (isStdout && stdout.length < KEEP_CHARS) stdout += s;
    for (const l of listeners) l();
  };
  child.stdout?.on('data', (chunk: Buffer) => append(chunk, true));
  child.stderr?.on('data', (chunk: Buffer) => append(chunk, false));
  let running = true;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    // 'close', not 'exit': it comes after the output streams have ended, so nothing written is missed.
    child.once('close', (code, signal) => {
      running = false;
      live.delete(child);
      resolve({ code, signal });
      for (const l of listeners) l();
    });
  });

  const proc: HubProcess = {
    name,
    child,
    pid,
    output: () => text,
    stdout: () => stdout,
    exited,
    isRunning: () => running,
    waitForOutput(pattern, timeoutMs) {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (pattern.test(text)) return done(null);
          if (!running) return done(new Error(`${name} exited before printing ${pattern}:\n${tail(text)}`));
        };
        const timer = setTimeout(() => done(new Error(`${name} did not print ${pattern} within ${timeoutMs} ms:\n${tail(text)}`)), timeoutMs);
        const done = (err: Error | null) => {
          clearTimeout(timer);
          listeners.delete(check);
          if (err) reject(err);
          else resolve();
        };
        listeners.add(check);
        check();
      });
    },
    async kill(signal) {
      if (running) child.kill(signal);
      await exited;
    },
  };
  return proc;
}

/** Starts `shoptalk start --role <role>` and resolves once it reports that it is running. */
export async function startHubProcess(role: 'api' | 'worker', name: string, env: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<HubProcess> {
  const proc = spawnCli(name, ['start', '--role', role], env);
  try {
    await proc.waitForOutput(new RegExp(`Shoptalk ${role} is running`), timeoutMs);
  } catch (err) {
    await proc.kill('SIGKILL');
    throw err;
  }
  return proc;
}

/** Runs a one-shot CLI command to completion; resolves with its stdout, rejects on a non-zero exit. */
export async function runCli(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<string> {
  const proc = spawnCli(`shoptalk ${args.join(' ')}`, args, env);
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), timeoutMs);
  const { code, signal } = await proc.exited;
  clearTimeout(timer);
  if (code !== 0) throw new Error(`shoptalk ${args.join(' ')} failed (code ${code}, signal ${signal}):\n${tail(proc.output())}`);
  return proc.stdout();
}

export function tail(text: string, chars = 4000): string {
  return text.length > chars ? `…${text.slice(-chars)}` : text;
}
