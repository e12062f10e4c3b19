// The simulator shell: bodies are kept as the exact bytes received, and no simulator borrows the signing or
// parsing code of the adapter it stands in for (a shared mistake would pass every test).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Simulator } from './simulator.js';
import type { SimRequest } from './simulator.js';

class EchoSimulator extends Simulator {
  readonly name = 'echo';
  constructor() {
    super();
    this.route('POST', '/upload', (req: SimRequest) => ({ status: 200, body: { size: req.raw.length, textLength: Buffer.byteLength(req.body) } }));
  }
}

describe('Simulator shell', () => {
  const sim = new EchoSimulator();
  beforeAll(async () => {
    await sim.listen();
  });
  afterAll(async () => {
    await sim.close();
  });

  it('keeps binary bodies byte for byte and reports their size, not their UTF-8 decoding', async () => {
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(700_000, 0xff)]);
    const res = await fetch(`${sim.baseUrl}/upload`, { method: 'POST', headers: { 'content-type': 'image/png' }, body: png });
    const answer = (await res.json()) as { size: number; textLength: number };
    expect(answer.size).toBe(png.length);
    // Decoded as UTF-8 the same bytes would be about three times larger: sizes must never be taken from it.
    expect(answer.textLength).toBeGreaterThan(png.length * 2);
    expect(sim.requests('/upload')[0]?.raw.equals(png)).toBe(true);
    const listed = (await (await fetch(`${sim.baseUrl}/_sim/requests?path=/upload`)).json()) as Array<Record<string, unknown>>;
    expect(listed[0]?.['size']).toBe(png.length);
    expect(listed[0]).not.toHaveProperty('raw');
  });
});

describe('Simulator independence', () => {
  const adaptersDir = join(import.meta.dirname, '..', 'adapters');
  const simulators = readdirSync(adaptersDir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('simulator.ts'))
    .map((f) => ({ file: f, source: readFileSync(join(adaptersDir, f), 'utf8') }));

  it('finds every simulator', () => {
    expect(simulators.length).toBeGreaterThanOrEqual(12);
  });

  it.each(simulators.map((s) => [s.file, s.source] as const))('%s imports no adapter code and no shared signer', (_file, source) => {
    const imports = [...source.matchAll(/^import\s+(type\s+)?[^;]*?from\s+'([^']+)';/gms)].map((m) => ({ typeOnly: m[1] !== undefined, from: m[2]! }));
    for (const { typeOnly, from } of imports) {
      if (!typeOnly) expect(from, `value import from ${from}`).not.toMatch(/(^|\/)adapter\.js$|meta-signature|webhooks\/outbound|\/(channels|stores|marketplaces)\/[^/]+\/(?!simulator)/);
      expect(from).not.toMatch(/meta-signature|webhooks\/outbound/);
    }
  });
});
