// Command-line handling the benches share: --help prints the script's header comment, and a bad option
// ends the run with exit code 2 and one line saying what is wrong.
import fs from 'node:fs';

/** Prints the header comment of the script at scriptUrl (its usage text) and a pointer to more, then exits 0. */
export function exitWithUsage(scriptUrl: string, seeAlso: string): never {
  const source = fs.readFileSync(new URL(scriptUrl), 'utf8').split('\n');
  const header = source.slice(0, source.findIndex((l) => !l.startsWith('//')));
  process.stdout.write(header.map((l) => l.replace(/^\/\/ ?/, '')).join('\n') + `\n${seeAlso}\n`);
  process.exit(0);
}

export function fail(message: string): never {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}

export function positiveInt(name: string, value: string | undefined, allowZero = false): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || (n === 0 && !allowZero)) fail(`--${name} must be a ${allowZero ? '' : 'positive '}whole number (got ${value})`);
  return n;
}

/** The --hub-env KEY=VALUE options as an environment for the hub. */
export function hubEnv(pairs: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const kv of pairs) {
    const i = kv.indexOf('=');
    if (i <= 0) fail(`--hub-env wants KEY=VALUE (got ${kv})`);
    env[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return env;
}
