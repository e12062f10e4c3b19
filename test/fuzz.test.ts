// Fuzzing every operation of the OpenAPI document and every inbound webhook route with hostile input: NULs,
// control characters, lone surrogates, very long strings, wrong types, malformed JSON and malformed cookies.
// Whatever is sent, the answer is never a 5xx. Bounded and repeatable: a fixed seed and a fixed number of
// cases per route, on SQLite and on PostgreSQL.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HubVariant, MerchantSetup, TestHub } from './support/hub.js';
import { setUpMerchant, startTestHub } from './support/hub.js';
import { postgresAvailable } from './support/services.js';

const variants: Array<HubVariant & { enabled: boolean }> = [
  { name: 'SQLite', db: 'sqlite', redis: false, sandboxPhone: true, enabled: true },
  { name: 'PostgreSQL', db: 'postgres', redis: false, sandboxPhone: true, enabled: postgresAvailable },
];

const SEED = 0x5eed_10;
/** Body-mutation cases per operation, on top of the fixed ones (path, query, types, malformed JSON). */
const BODY_CASES = 6;

/** mulberry32: a small seeded generator, so every run sends the same requests. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOSTILE_STRINGS = [
  '\u0000',
  'a\u0000b',
  '\u0000'.repeat(40),
  '\u0001\u0002\u0007\b\t\n\u000b\f\r\u001b[31m\u007f\u0085',
  '\ud800',
  'x\udfffy',
  '\ufeff\u202e\u200b',
  '😀'.repeat(50),
  'x'.repeat(20_000),
  '%00',
  '%E0%A4%A',
  '../../../../etc/passwd',
  "' OR 1=1 --",
  '{{ 7 | times: 7 }}{% include "x" %}',
  '<script>alert(1)</script>',
  '',
  ' ',
  '-1',
  '1e309',
  'null',
];

const WRONG_TYPES: unknown[] = [0, -1, 1.5, 1e308, -1e308, true, false, null, [], {}, [[[[]]]], 'string', { a: { b: { c: [null] } } }, ['\u0000']];

const MALFORMED_JSON = ['{', '{"a":', '[1,]', '{"a":1}}', 'nul', '\u0000', '{"a":"\\u0000"}', '{"a":"\\ud800"}', '\u0000{}', '"\\x00"', '{"__proto__":{"polluted":1}}', '{"constructor":{"prototype":{"polluted":1}}}', '\ufeff{}', '{"a":' + '['.repeat(5000)];

const MALFORMED_COOKIES = ['shoptalk_session=%E0%A4%A; =; a', 'shoptalk_session=%; shoptalk_csrf=%ZZ', '=;=;=', 'shoptalk_session', `shoptalk_session=${'a'.repeat(4000)}`, 'shoptalk_session="\\u0000"'];

/** encodeURIComponent that also sends lone surrogates, as the (invalid UTF-8) bytes a careless client would. */
function enc(s: string): string {
  return s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|[^\uD800-\uDFFF]+|[\uD800-\uDBFF][\uDC00-\uDFFF]/g, (part) => {
    if (part.length === 1 && part.charCodeAt(0) >= 0xd800 && part.charCodeAt(0) <= 0xdfff) {
      const c = part.charCodeAt(0);
      return [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)].map((b) => '%' + b.toString(16).toUpperCase()).join('');
    }
    return encodeURIComponent(part);
  });
}

interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  minLength?: number;
  minimum?: number;
  format?: string;
  default?: unknown;
  additionalProperties?: boolean | JsonSchema;
}

interface Operation {
  method: string;
  path: string;
  pathParams: string[];
  queryParams: Array<{ name: string; schema: JsonSchema }>;
  body: JsonSchema | null;
}

/** A plausible value for schema, so that a single mutated field gets past the rest of the validation. */
function sample(schema: JsonSchema | undefined, depth = 0): unknown {
  if (!schema || depth > 8) return 'x';
  if (schema.enum?.length) return schema.enum[0];
  const alt = schema.anyOf ?? schema.oneOf ?? schema.allOf;
  if (alt?.length) return sample(alt.find((s) => s.type !== 'null') ?? alt[0], depth + 1);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(schema.properties ?? {})) out[k] = sample(v, depth + 1);
      return out;
    }
    case 'array':
      return [sample(schema.items, depth + 1)];
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    case 'boolean':
      return true;
    case 'string':
      if (schema.format === 'email') return 'fuzz@example.com';
      if (schema.format === 'uri') return 'https://example.com/';
      return 'x'.repeat(Math.max(1, schema.minLength ?? 1));
    default:
      return 'x';
  }
}

/** Paths to every leaf of value ("a", "b.0.c"). */
function leaves(value: unknown, path: string[] = []): string[][] {
  if (value !== null && typeof value === 'object') {
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
    const nested = entries.flatMap(([k, v]) => leaves(v, [...path, k]));
    return nested.length ? [path, ...nested] : [path];
  }
  return [path];
}

function setAt(value: unknown, path: string[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as Record<string, unknown>) }) as Record<string, unknown>;
  copy[path[0]!] = setAt(copy[path[0]!], path.slice(1), replacement);
  return copy;
}

function mapStrings(value: unknown, fn: (s: string) => unknown): unknown {
  if (typeof value === 'string') return fn(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, fn));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, fn)]));
  return value;
}

function operations(doc: { paths: Record<string, Record<string, { parameters?: Array<{ in: string; name: string; schema: JsonSchema }>; requestBody?: { content?: Record<string, { schema: JsonSchema }> } }>> }): Operation[] {
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const params = op.parameters ?? [];
      ops.push({
        method: method.toUpperCase(),
        path,
        pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
        queryParams: params.filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: p.schema })),
        body: op.requestBody?.content?.['application/json']?.schema ?? null,
      });
    }
  }
  return ops;
}

for (const variant of variants) {
  describe.skipIf(!variant.enabled)(`fuzzing every route (${variant.name})`, () => {
    let t: TestHub;
    let m: MerchantSetup;
    let ops: Operation[];
    /** Ids of real rows, so that fuzzed bodies also reach the handlers behind the not-found checks. */
    const realIds: Record<string, string> = {};
    let genericConnection: { id: string; signing_secret: string };

    beforeAll(async () => {
      t = await startTestHub(variant);
      m = await setUpMerchant(t);
      const customer = await t.api<{ id: string }>('POST', '/v1/customers', m.key, { name: 'Fuzz Target', email: 'fuzz-target@example.com' });
      const generic = await t.api<{ id: string; signing_secret: string }>('POST', '/v1/store-connections', m.key, { platform: 'generic', name: 'Fuzz ERP' });
      genericConnection = generic.body;
      realIds['/v1/customers'] = customer.body.id;
      realIds['/v1/store-connections'] = m.connection.id;
      realIds['/v1/channel-accounts'] = m.account.id;
      const doc = await t.hub.http!.inject({ method: 'GET', url: '/docs/json' });
      expect(doc.statusCode).toBe(200);
      ops = operations(JSON.parse(doc.body) as Parameters<typeof operations>[0]);
    }, 60_000);
    afterAll(async () => {
      await t?.close();
    });

    const send = async (op: { method: string }, url: string, init: { payload?: string; headers?: Record<string, string>; auth?: boolean }) => {
      const res = await t.hub.http!.inject({
        method: op.method as 'GET',
        url,
        headers: {
          ...(init.auth === false ? {} : { authorization: `Bearer ${m.key}` }),
          ...(init.payload !== undefined ? { 'content-type': 'application/json' } : {}),
          ...init.headers,
        },
        payload: init.payload,
      });
      return { status: res.statusCode, body: res.body };
    };

    const pathFor = (op: Operation, value: (name: string) => string) =>
      op.path.replace(/\{([^}]+)\}/g, (_m, name: string) => enc(value(name)));

    const realPath = (op: Operation) =>
      pathFor(op, (name) => {
        if (name === 'channel') return 'whatsapp';
        if (name === 'event_type') return 'order.placed';
        // Deletes go to missing rows: the real ones are kept for the cases after them.
        const prefix = op.method === 'DELETE' ? undefined : Object.keys(realIds).find((p) => op.path.startsWith(`${p}/{${name}}`));
        return prefix ? realIds[prefix]! : 'fuzz_missing';
      });

    /** The SSE stream never ends when it is accepted: only cases refused before it starts are sent to it. */
    const streams = (op: Operation) => op.path === '/v1/inbox/stream';

    it('reads the OpenAPI document and covers its operations', () => {
      expect(ops.length).toBeGreaterThan(50);
    });

    it('no operation answers 5xx to NULs, control characters, long strings, wrong types or malformed JSON', async () => {
      const random = prng(SEED);
      const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
      const failures: string[] = [];
      let requests = 0;
      const expect4xxOr2xx = async (op: Operation, label: string, url: string, init: Parameters<typeof send>[2]) => {
        requests += 1;
        const res = await send(op, url, init);
        if (res.status >= 500) failures.push(`${op.method} ${url.slice(0, 120)} [${label}] → ${res.status} ${res.body.slice(0, 200)}`);
      };

      for (const op of ops) {
        const body = op.body ? sample(op.body) : undefined;
        const json = body === undefined ? undefined : JSON.stringify(body);
        const query = (fn: (name: string) => string) => (op.queryParams.length ? '?' + op.queryParams.map((q) => `${enc(q.name)}=${enc(fn(q.name))}`).join('&') : '');

        // Path parameters and query strings carrying hostile text.
        if (streams(op) && op.queryParams.length === 0) continue;
        await expect4xxOr2xx(op, 'NUL in path and query', pathFor(op, () => 'a\u0000') + query(() => '\u0000'), { payload: json });
        if (streams(op)) continue;
        if (op.pathParams.length) {
          await expect4xxOr2xx(op, 'hostile path', pathFor(op, () => pick(HOSTILE_STRINGS).slice(0, 900)), { payload: json });
          await expect4xxOr2xx(op, 'lone surrogate in path', pathFor(op, () => '\ud800'), { payload: json });
        }
        if (op.queryParams.length) {
          await expect4xxOr2xx(op, 'hostile query', realPath(op) + query(() => pick(HOSTILE_STRINGS)), { payload: json });
          await expect4xxOr2xx(op, 'wrong-type query', realPath(op) + query(() => String(pick(WRONG_TYPES))), { payload: json });
          await expect4xxOr2xx(op, 'repeated query', realPath(op) + query(() => 'x') + '&' + op.queryParams.map((q) => `${q.name}=1&${q.name}[]=2`).join('&'), { payload: json });
        }
        // The Idempotency-Key header is data for the routes that read it.
        await expect4xxOr2xx(op, 'control characters in Idempotency-Key', realPath(op), { payload: json, headers: { 'idempotency-key': '\u0001\u007f'.repeat(5) + 'x'.repeat(300) } });
        if (!op.body) continue;

        // One field at a time: hostile text or a wrong type, the rest plausible.
        const paths = leaves(body);
        for (let i = 0; i < BODY_CASES; i++) {
          const at = pick(paths);
          const replacement = random() < 0.6 ? pick(HOSTILE_STRINGS) : pick(WRONG_TYPES);
          await expect4xxOr2xx(op, `${at.join('.') || 'body'} = ${JSON.stringify(replacement).slice(0, 30)}`, realPath(op), { payload: JSON.stringify(setAt(body, at, replacement)) });
        }
        // Every string at once, long or with NUL; the whole body of a wrong type; and JSON that does not parse.
        await expect4xxOr2xx(op, 'every string long', realPath(op), { payload: JSON.stringify(mapStrings(body, () => 'x'.repeat(5_000))) });
        await expect4xxOr2xx(op, 'every string NUL', realPath(op), { payload: JSON.stringify(mapStrings(body, (s) => s + '\u0000')) });
        await expect4xxOr2xx(op, 'NUL field name', realPath(op), { payload: JSON.stringify({ ...(body as object), ['k\u0000']: 'v' }) });
        await expect4xxOr2xx(op, 'body of a wrong type', realPath(op), { payload: JSON.stringify(pick(WRONG_TYPES)) });
        await expect4xxOr2xx(op, 'malformed JSON', realPath(op), { payload: pick(MALFORMED_JSON) });
        await expect4xxOr2xx(op, 'JSON as text/plain', realPath(op), { payload: json, headers: { 'content-type': 'text/plain' } });
      }
      expect(requests).toBeGreaterThan(ops.length * 3);
      expect(failures).toEqual([]);
    }, 120_000);

    it('no webhook route answers 5xx to hostile bodies, paths and headers, signed or not', async () => {
      const random = prng(SEED + 1);
      const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
      // Every inbound route the app has, read from its router (they are not in the OpenAPI document).
      const routes = [...t.hub.http!.printRoutes({ commonPrefix: false }).matchAll(/(\/(?:webhooks\/[a-z0-9-]+|unsubscribe)\/:[a-z]+) \(([A-Z, ]+)\)/g)].flatMap((r) =>
        r[2]!.split(', ').filter((method) => method !== 'HEAD').map((method) => ({ method, path: r[1]! })),
      );
      expect(routes.length).toBeGreaterThanOrEqual(14);
      const ids: Record<string, string> = { shopify: m.connection.id, whatsapp: m.account.id, generic: genericConnection.id };
      const failures: string[] = [];
      for (const route of routes) {
        const kind = route.path.split('/')[2]!;
        const real = route.path.replace(/:[a-z]+$/, ids[kind] ?? 'fuzz_missing');
        const cases: Array<{ label: string; url: string; payload?: string; headers?: Record<string, string> }> = [
          { label: 'NUL id', url: route.path.replace(/:[a-z]+$/, '%00') },
          { label: 'hostile id', url: route.path.replace(/:[a-z]+$/, enc(pick(HOSTILE_STRINGS).slice(0, 900))) },
          { label: 'NUL in query', url: `${real}?hub.mode=subscribe&hub.verify_token=%00&hub.challenge=%00` },
          { label: 'NUL in JSON', url: real, payload: '{"a":"\\u0000","b":"\u0000"}', headers: { 'content-type': 'application/json' } },
          { label: 'malformed JSON', url: real, payload: pick(MALFORMED_JSON), headers: { 'content-type': 'application/json' } },
          { label: 'form with NUL', url: real, payload: 'Body=%00&From=%00&MessageSid=%00', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
          { label: 'control characters in signature headers', url: real, payload: '{}', headers: { 'content-type': 'application/json', 'x-hub-signature-256': 'sha256=\u0001\u007f', 'x-shopify-hmac-sha256': '\u007f', 'x-line-signature': '%E0%A4%A', 'shoptalk-signature': 't=\u0001,v1=zz' } },
          { label: 'long body', url: real, payload: JSON.stringify({ text: 'x'.repeat(200_000) }), headers: { 'content-type': 'application/json' } },
        ];
        for (const c of cases) {
          const res = await t.hub.http!.inject({ method: route.method as 'POST', url: c.url, headers: c.headers ?? {}, payload: route.method === 'GET' ? undefined : c.payload });
          if (res.statusCode >= 500) failures.push(`${route.method} ${c.url.slice(0, 100)} [${c.label}] → ${res.statusCode} ${res.body.slice(0, 200)}`);
        }
      }
      // Signed deliveries of the generic source with hostile content are verified, stored and acknowledged.
      for (let i = 0; i < 20; i++) {
        const body = JSON.stringify({ type: 'order.placed', idempotency_key: `fuzz-${i}-${pick(HOSTILE_STRINGS).slice(0, 50)}`, order: { id: pick(HOSTILE_STRINGS).slice(0, 100), name: pick(HOSTILE_STRINGS), email: pick(HOSTILE_STRINGS) } });
        const ts = Math.floor(Date.now() / 1000);
        const signature = `t=${ts},v1=${createHmac('sha256', genericConnection.signing_secret).update(`${ts}.${body}`).digest('hex')}`;
        const res = await t.hub.http!.inject({ method: 'POST', url: `/webhooks/generic/${genericConnection.id}`, headers: { 'content-type': 'application/json', 'shoptalk-signature': signature }, payload: body });
        if (res.statusCode >= 500) failures.push(`signed generic #${i} → ${res.statusCode} ${res.body.slice(0, 200)}`);
      }
      expect(failures).toEqual([]);
    }, 120_000);

    it('a malformed cookie is a 4xx on every operation, never a 5xx', async () => {
      const failures: string[] = [];
      for (const op of ops) {
        for (const cookie of MALFORMED_COOKIES) {
          const res = await send(op, realPath(op), { auth: false, headers: { cookie } });
          if (res.status >= 500 || res.status < 400) failures.push(`${op.method} ${op.path} [cookie ${cookie.slice(0, 40)}] → ${res.status} ${res.body.slice(0, 120)}`);
        }
      }
      expect(failures).toEqual([]);
    }, 60_000);
  });
}
