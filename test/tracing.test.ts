// OpenTelemetry tracing: with OTEL_EXPORTER_OTLP_ENDPOINT set, one trace follows a store webhook through its
// processing job and the send job it plans to the provider call, and arrives at an OTLP/HTTP receiver (this
// test's, speaking the OTLP JSON encoding). Checked in one process on SQLite, and across an api and a worker
// process on PostgreSQL + Redis, where the trace context travels on the job row and through BullMQ.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it, onTestFailed } from 'vitest';
import { ConfigError, loadConfig } from '../src/config/index.js';
import { parseTraceParent } from '../src/tracing.js';
import { WhatsAppCloudSimulator } from '../src/adapters/channels/whatsapp-cloud/simulator.js';
import { ShopifySimulator } from '../src/adapters/stores/shopify/simulator.js';
import { setUpMerchant, startTestHub } from './support/hub.js';
import { TEST_REDIS_URL, createTestDatabase, postgresAvailable, redisAvailable, uniqueRedisPrefix, waitFor } from './support/services.js';
import type { HubProcess } from './support/crash/processes.js';
import { freePort, hubEnv, runCli, startHubProcess, tail } from './support/crash/processes.js';

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
}
interface OtlpAttribute {
  key: string;
  value: OtlpValue;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: OtlpAttribute[];
  status?: { code?: number; message?: string };
}
interface OtlpExport {
  resourceSpans: Array<{ resource: { attributes: OtlpAttribute[] }; scopeSpans: Array<{ spans: OtlpSpan[] }> }>;
}
interface ReceivedSpan extends OtlpSpan {
  resource: Record<string, unknown>;
  attrs: Record<string, unknown>;
}

const valueOf = (v: OtlpValue): unknown => v.stringValue ?? v.boolValue ?? (v.intValue !== undefined ? Number(v.intValue) : undefined);
const record = (attrs: OtlpAttribute[] | undefined) => Object.fromEntries((attrs ?? []).map((a) => [a.key, valueOf(a.value)]));

/** An OTLP/HTTP trace receiver: keeps every span posted to /v1/traces, and the request headers. */
async function startReceiver() {
  const spans: ReceivedSpan[] = [];
  const requests: Array<{ path: string; contentType: string | undefined; authorization: string | undefined }> = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ path: req.url ?? '', contentType: req.headers['content-type'], authorization: req.headers['authorization'] });
      if (req.method === 'POST' && req.url === '/v1/traces') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpExport;
        for (const rs of body.resourceSpans) {
          const resource = record(rs.resource.attributes);
          for (const ss of rs.scopeSpans) for (const s of ss.spans) spans.push({ ...s, resource, attrs: record(s.attributes) });
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        return;
      }
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, spans, requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** The spans of the trace that holds the webhook span, checked link by link: webhook → processing job → send job → provider call. */
function followTrace(spans: ReceivedSpan[], orderWebhookSource: string) {
  const webhook = spans.find((s) => s.name === `webhook ${orderWebhookSource}`);
  expect(webhook, `spans: ${spans.map((s) => s.name).join(', ')}`).toBeDefined();
  const trace = spans.filter((s) => s.traceId === webhook!.traceId);
  const child = (parent: OtlpSpan, name: string | RegExp) => {
    const found = trace.find((s) => s.parentSpanId === parent.spanId && (typeof name === 'string' ? s.name === name : name.test(s.name)));
    expect(found, `a child "${String(name)}" of "${parent.name}" in: ${trace.map((s) => `${s.name}<-${s.parentSpanId ?? 'root'}`).join(', ')}`).toBeDefined();
    return found!;
  };
  const processing = child(webhook!, 'job store-webhook.process');
  const send = child(processing, 'job message.send');
  const call = child(send, /^meta /);
  return { webhook: webhook!, processing, send, call };
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!().catch(() => undefined);
});

describe('tracing configuration', () => {
  it('is off without an endpoint, and posts to <endpoint>/v1/traces or to the traces endpoint as given', () => {
    expect(loadConfig({}).tracing).toBeNull();
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).tracing).toEqual({ url: 'http://collector:4318/v1/traces', headers: {}, serviceName: 'shoptalk' });
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).tracing?.url).toBe('http://collector:4318/v1/traces');
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://b/custom/path' }).tracing?.url).toBe('https://b/custom/path');
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_SDK_DISABLED: 'true' }).tracing).toBeNull();
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_SERVICE_NAME: 'shop-hub' }).tracing?.serviceName).toBe('shop-hub');
  });

  it('reads OTLP headers as name=value pairs with percent-encoded values, the traces ones winning', () => {
    const c = loadConfig({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318',
      OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Basic%20dXNlcjpwYXNz, x-tenant=one',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-tenant=two',
    });
    expect(c.tracing?.headers).toEqual({ authorization: 'Basic dXNlcjpwYXNz', 'x-tenant': 'two' });
  });

  it('names a bad endpoint or header in a configuration error', () => {
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT/);
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://collector' })).toThrow(ConfigError);
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_HEADERS: 'no-equals-sign' })).toThrow(/OTEL_EXPORTER_OTLP_HEADERS/);
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_HEADERS: 'bad header=x' })).toThrow(/OTEL_EXPORTER_OTLP_HEADERS/);
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_HEADERS: 'x=%E0%A4%A' })).toThrow(/OTEL_EXPORTER_OTLP_HEADERS/);
  });

  it('reads a W3C traceparent (the specification’s example) and refuses malformed or all-zero ones', () => {
    expect(parseTraceParent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toEqual({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: 1,
      isRemote: true,
    });
    expect(parseTraceParent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00')?.traceFlags).toBe(0);
    expect(parseTraceParent('00-00000000000000000000000000000000-00f067aa0ba902b7-01')).toBeNull();
    expect(parseTraceParent('00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01')).toBeNull();
    expect(parseTraceParent('ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toBeNull();
    expect(parseTraceParent('00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01')).toBeNull();
    expect(parseTraceParent(null)).toBeNull();
  });
});

describe('a trace from webhook to send [sqlite, one process]', () => {
  it('links the webhook, its processing job, the send job and the WhatsApp call; no trace header from outside is followed', async () => {
    const receiver = await startReceiver();
    cleanups.push(receiver.close);
    const t = await startTestHub({ name: 'sqlite', db: 'sqlite', redis: false, env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20collector-token', OTEL_SERVICE_NAME: 'shoptalk-test' } });
    let closed = false;
    cleanups.push(async () => {
      if (!closed) await t.close();
    });
    const m = await setUpMerchant(t);

    // A store webhook, sent with a trace header of its own: the hub starts a new trace anyway.
    const foreignTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
    const { order } = await t.shopify.placeOrder(m.shop, { phone: '+44 7700 900123' });
    await waitFor(() => t.wa.messages().some((x) => x.phoneNumberId === m.phoneNumberId), { timeoutMs: 15_000, what: 'the WhatsApp message' });
    const fromOutside = await fetch(m.connection.webhook_url, { method: 'POST', headers: { traceparent: `00-${foreignTrace}-00f067aa0ba902b7-01`, 'content-type': 'application/json' }, body: '{}' });
    expect(fromOutside.status).toBe(401);

    // Stopping the hub exports what is left.
    await t.close();
    closed = true;
    const { webhook, processing, send, call } = followTrace(receiver.spans, 'shopify');
    expect(webhook.parentSpanId ?? '').toBe('');
    expect(webhook.attrs['shoptalk.webhook.duplicate']).toBe(false);
    expect(processing.attrs['shoptalk.job.type']).toBe('store-webhook.process');
    expect(processing.attrs['shoptalk.workspace.id']).toBe(m.workspaceId);
    expect(send.attrs['shoptalk.channel']).toBe('whatsapp');
    expect(send.attrs['shoptalk.send.outcome']).toBe('sent');
    expect(call.attrs['shoptalk.provider']).toBe('meta');
    expect(call.kind).toBe(3); // CLIENT
    expect(webhook.resource['service.name']).toBe('shoptalk-test');
    expect(webhook.resource['shoptalk.role']).toBe('all');
    expect(receiver.spans.some((s) => s.traceId === foreignTrace)).toBe(false);
    // Spans carry no personal data: the buyer's phone number and the order's name appear nowhere.
    const exported = JSON.stringify(receiver.spans);
    expect(exported).not.toContain('7700900123');
    expect(exported).not.toContain(order.name);
    expect(receiver.requests.every((r) => r.contentType?.startsWith('application/json') && r.authorization === 'Bearer collector-token')).toBe(true);
  }, 60_000);
});

describe.skipIf(!postgresAvailable || !redisAvailable)('a trace from webhook to send [postgres+redis, api and worker processes]', () => {
  it('continues the api process’s webhook trace in the worker process, through the job row and BullMQ', async () => {
    const processes: HubProcess[] = [];
    onTestFailed(() => {
      for (const p of processes) console.log(`----- ${p.name} -----\n${tail(p.output(), 4000)}`);
    });
    const receiver = await startReceiver();
    cleanups.push(receiver.close);
    const wa = new WhatsAppCloudSimulator({ statusDelayMs: 20 });
    const shopify = new ShopifySimulator({ retryScale: 0.001 });
    await wa.listen(0, '127.0.0.1');
    cleanups.push(() => wa.close());
    await shopify.listen(0, '127.0.0.1');
    cleanups.push(() => shopify.close());
    const db = await createTestDatabase('postgres');
    cleanups.push(() => db.destroy());
    if (db.database.kind !== 'postgres') throw new Error('expected PostgreSQL');
    const port = await freePort();
    const vars: Record<string, string> = {
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      SHOPTALK_DATA_DIR: db.dataDir,
      DATABASE_URL: db.database.url,
      SHOPTALK_MASTER_KEY: randomBytes(32).toString('base64'),
      REDIS_URL: TEST_REDIS_URL,
      SHOPTALK_REDIS_PREFIX: uniqueRedisPrefix(),
      SHOPTALK_WHATSAPP_API_URL: `${wa.baseUrl}/v23.0`,
      SHOPTALK_WORKER_PORT: '0',
      SHOPTALK_JOB_POLL_MS: '50',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_BSP_SCHEDULE_DELAY: '200',
    };
    const env = hubEnv(vars);
    const wsOut = await runCli(['workspace', 'create', 'Traced Store'], env, 90_000);
    const workspaceId = /^(\S+)\tTraced Store$/m.exec(wsOut)?.[1];
    const keyOut = await runCli(['api-key', 'create', '--workspace', workspaceId!, '--name', 'tracing'], env, 90_000);
    const key = keyOut.split('\n').map((l) => l.trim()).find((l) => l.startsWith('stk_'))!;

    const api = await startHubProcess('api', 'api', env);
    processes.push(api);
    cleanups.push(() => api.kill('SIGKILL'));
    const worker = await startHubProcess('worker', 'worker', env, 60_000);
    processes.push(worker);
    cleanups.push(() => worker.kill('SIGKILL'));
    const base = `http://127.0.0.1:${port}`;
    const call = async <T>(method: string, path: string, body: unknown): Promise<T> => {
      const res = await fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const text = await res.text();
      expect(res.status, text).toBeLessThan(300);
      return JSON.parse(text) as T;
    };
    const shop = 'traced.myshopify.com';
    const webhookSecret = randomBytes(16).toString('hex');
    const phoneNumberId = '104857600000001';
    const accessToken = `EAAG${randomBytes(16).toString('hex')}`;
    const appSecret = randomBytes(16).toString('hex');
    wa.addPhoneNumber({ phoneNumberId, wabaId: '204857600000001', accessToken, appSecret, displayPhoneNumber: '15550783881', webhookUrl: null });
    const connection = await call<{ webhook_url: string }>('POST', '/v1/store-connections', { platform: 'shopify', shop_domain: shop, webhook_secret: webhookSecret });
    await call('POST', '/v1/channel-accounts', { channel: 'whatsapp', provider: 'meta', phone_number_id: phoneNumberId, waba_id: '204857600000001', access_token: accessToken, app_secret: appSecret });
    await call('PUT', '/v1/notification-settings/order.placed/whatsapp', { enabled: true, template: { name: 'order_placed', language: 'en_US' } });
    shopify.addShop({ domain: shop, webhookSecret, subscriptions: [{ topic: 'orders/create', address: connection.webhook_url }] });

    await shopify.placeOrder(shop, { phone: '+44 7700 900456' });
    await waitFor(() => wa.messages().length > 0, { timeoutMs: 30_000, what: 'the WhatsApp message' });
    // Both processes export what they have when they stop.
    await api.kill('SIGTERM');
    await worker.kill('SIGTERM');
    await waitFor(() => receiver.spans.some((s) => /^meta /.test(s.name)), { timeoutMs: 10_000, what: 'the provider call span' });

    const { webhook, processing, send, call: providerCall } = followTrace(receiver.spans, 'shopify');
    expect(webhook.resource['shoptalk.role']).toBe('api');
    expect(processing.resource['shoptalk.role']).toBe('worker');
    expect(send.resource['shoptalk.role']).toBe('worker');
    expect(providerCall.resource['shoptalk.role']).toBe('worker');
    expect(webhook.resource['service.instance.id']).not.toBe(processing.resource['service.instance.id']);
  }, 180_000);
});
