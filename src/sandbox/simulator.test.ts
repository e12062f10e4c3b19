// The simulator shell: bodies are kept as the exact bytes received, and no simulator borrows the signing or
// parsing code of the adapter it stands in for (a shared mistake would pass every test).
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
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
  const srcDir = join(import.meta.dirname, '..');
  const adaptersDir = join(srcDir, 'adapters');
  const adapterFiles = readdirSync(adaptersDir, { recursive: true, encoding: 'utf8' }).map((f) => f.split(sep).join('/'));
  const simulators = adapterFiles
    .filter((f) => f.endsWith('/simulator.ts'))
    .map((f) => ({ file: f, source: readFileSync(join(adaptersDir, f), 'utf8') }));
  // The JSON narrowing helpers of channels/wire.ts; its template parsing (parsePlaceholders, renderTemplate) and
  // everything else an adapter uses to read or sign the provider's messages stay out of the simulators.
  const WIRE_NARROWING = new Set(['asObject', 'arr', 'str', 'num', 'JsonObject']);

  /** Every import, re-export and dynamic import of a file: its names, whether it is types only, and the file it names. */
  const importsOf = (file: string, source: string) => {
    const found: Array<{ from: string; target: string; typeOnly: boolean; names: string[] }> = [];
    const at = (from: string) => (from.startsWith('.') ? relative(srcDir, resolve(dirname(join(adaptersDir, file)), from)).split(sep).join('/') : from);
    for (const m of source.matchAll(/^\s*(?:import|export)\s+(type\s+)?(?:([^;]*?)\s+from\s+)?'([^']+)'/gm)) {
      const names = [...(m[2] ?? '').matchAll(/(?:^|[{,\s])(type\s+)?([A-Za-z_$][\w$]*)(?:\s+as\s+[\w$]+)?(?=\s*[,}])/g)].map((n) => n[2]!);
      found.push({ from: m[3]!, target: at(m[3]!), typeOnly: m[1] !== undefined, names });
    }
    for (const m of source.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)) found.push({ from: m[1]!, target: at(m[1]!), typeOnly: false, names: ['*'] });
    return found;
  };

  it('finds every simulator', () => {
    expect(simulators.map((s) => s.file).sort()).toEqual([
      'channels/email-smtp/simulator.ts',
      'channels/gupshup/simulator.ts',
      'channels/line/simulator.ts',
      'channels/messenger/simulator.ts',
      'channels/twilio-sms/simulator.ts',
      'channels/whatsapp-cloud/simulator.ts',
      'marketplaces/mirakl/simulator.ts',
      'stores/91app/simulator.ts',
      'stores/cyberbiz/simulator.ts',
      'stores/eshopbox/simulator.ts',
      'stores/shopify/simulator.ts',
      'stores/shopline/simulator.ts',
    ]);
  });

  it.each(simulators.map((s) => [s.file, s.source] as const))('%s imports no adapter code and no shared signer', (file, source) => {
    const imports = importsOf(file, source);
    expect(imports.length).toBeGreaterThan(0);
    for (const { from, target, typeOnly, names } of imports) {
      // Signers are never shared, not even their types.
      expect(target, `import from ${from}`).not.toMatch(/meta-signature|webhooks\/outbound/);
      if (typeOnly || !target.startsWith('adapters/')) continue;
      // Values from the adapters' folders: only the JSON narrowing helpers of channels/wire.ts.
      expect(target, `value import from ${from}`).toBe('adapters/channels/wire.js');
      expect(names.filter((n) => !WIRE_NARROWING.has(n)), `names imported from ${from}`).toEqual([]);
    }
  });

  it('every webhook signature an adapter computes has a known-answer vector in a test beside it', () => {
    const signers = adapterFiles.filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('/simulator.ts') && /createHmac/.test(readFileSync(join(adaptersDir, f), 'utf8')));
    expect(signers.length).toBeGreaterThanOrEqual(8);
    for (const signer of signers) {
      const dir = dirname(signer);
      const vectors = adapterFiles.filter((f) => dirname(f) === dir && f.endsWith('.test.ts') && /known[- ]answer/i.test(readFileSync(join(adaptersDir, f), 'utf8')));
      expect(vectors, `a known-answer test beside ${signer}`).not.toEqual([]);
    }
  });
});
