// The address actually connected to is checked: names are resolved and every address checked, literal addresses
// in any spelling are checked, and the connection goes to a checked address. Real sockets on this machine.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DestinationGuard, DestinationRefusedError, classifyAddress } from '../../core/net/destinations.js';
import type { ResolvedAddress } from '../../core/net/destinations.js';
import { DestinationHttp } from '../http-client.js';
import { SmtpEmailAdapter } from '../channels/email-smtp/index.js';
import { SmtpSimulator } from '../channels/email-smtp/simulator.js';
import { connectGuarded, systemResolve } from './pinned.js';

const v4 = (address: string): ResolvedAddress => ({ address, family: 4 });

describe('pinned connections', () => {
  let server: http.Server;
  let port: number;
  let hits = 0;

  beforeAll(async () => {
    server = http.createServer((_req, res) => {
      hits += 1;
      res.writeHead(200).end('reached');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('refuses a name that resolves to loopback at connect time (localhost, the system resolver)', async () => {
    const client = new DestinationHttp(new DestinationGuard({ policy: { allowPrivate: false }, resolve: systemResolve }), 2000);
    const before = hits;
    for (const url of [`http://localhost:${port}/`, `http://2130706433:${port}/`, `http://0x7f.1:${port}/`, `http://127.1:${port}/`, `http://[::ffff:127.0.0.1]:${port}/`, `http://[::1]:${port}/`]) {
      const err = await client.request({ method: 'POST', url, body: '{}' }).catch((e: unknown) => e);
      expect(err, url).toBeInstanceOf(DestinationRefusedError);
      expect((err as Error).message, url).toMatch(/loopback/);
    }
    expect(hits).toBe(before);
    await client.close();
  });

  it('connects to the checked address, not to a second resolution (DNS rebinding)', async () => {
    // The first answer is public (this test server plays a public host); any later answer would be loopback.
    let lookups = 0;
    const resolve = (host: string) => {
      lookups += 1;
      return Promise.resolve(host === 'rebind.example.test' && lookups === 1 ? [v4('127.0.0.2')] : [v4('127.0.0.1')]);
    };
    const publicServer = http.createServer((_req, res) => res.writeHead(200).end('public'));
    await new Promise<void>((r) => publicServer.listen(0, '127.0.0.2', () => r()));
    const publicPort = (publicServer.address() as AddressInfo).port;
    const guard = new DestinationGuard({ policy: { allowPrivate: false }, resolve, classify: (a) => (a === '127.0.0.2' ? 'public' : (classifyAddress(a) ?? 'reserved')) });
    const socket = await connectGuarded(guard, 'rebind.example.test', publicPort, 2000);
    expect(socket.remoteAddress).toBe('127.0.0.2');
    expect(lookups).toBe(1);
    socket.destroy();
    // The next connection resolves again, and this time the answer is refused.
    await expect(connectGuarded(guard, 'rebind.example.test', publicPort, 2000)).rejects.toThrow(/resolves to a loopback address/);
    publicServer.close();
  });

  it('refuses cloud metadata even with private destinations allowed, and allows loopback then', async () => {
    const resolve = (host: string) => Promise.resolve(host === 'meta.example.test' ? [v4('169.254.169.254')] : host === 'mixed.example.test' ? [v4('127.0.0.1'), v4('169.254.169.254')] : [v4('127.0.0.1')]);
    const client = new DestinationHttp(new DestinationGuard({ policy: { allowPrivate: true }, resolve }), 2000);
    for (const url of ['http://169.254.169.254/latest/meta-data/', 'http://2852039166/', 'http://[::ffff:169.254.169.254]/', 'http://meta.example.test/', 'http://mixed.example.test/', 'http://metadata.google.internal/']) {
      const err = await client.request({ method: 'GET', url }).catch((e: unknown) => e);
      expect(err, url).toBeInstanceOf(DestinationRefusedError);
      expect((err as Error).message, url).toMatch(/metadata/);
    }
    const ok = await client.request({ method: 'GET', url: `http://internal.example.test:${port}/` });
    expect(ok).toMatchObject({ status: 200, text: 'reached' });
    await client.close();
  });

  it('reads at most 16 KB of an answer', async () => {
    const big = http.createServer((_req, res) => {
      res.writeHead(500);
      res.end('x'.repeat(1024 * 1024));
    });
    await new Promise<void>((r) => big.listen(0, '127.0.0.1', () => r()));
    const client = new DestinationHttp(new DestinationGuard({ policy: { allowPrivate: true }, resolve: systemResolve }), 2000);
    const res = await client.request({ method: 'POST', url: `http://127.0.0.1:${(big.address() as AddressInfo).port}/`, body: '{}' });
    expect(res.status).toBe(500);
    expect(res.text.length).toBeLessThanOrEqual(16 * 1024);
    await client.close();
    big.closeAllConnections();
    big.close();
  });

  it('checks the SMTP server address on every connection', async () => {
    const sim = new SmtpSimulator();
    await sim.listen();
    const smtpPort = await sim.listenSmtp();
    sim.addAccount({ username: 'shop', password: 'pw' });
    const account = (host: string) => ({ settings: { host, port: String(smtpPort), security: 'none', fromAddress: 'shop@example.com', username: 'shop' }, secrets: { password: 'pw' } });
    const strict = new SmtpEmailAdapter({ timeoutMs: 2000, guard: new DestinationGuard({ policy: { allowPrivate: false }, resolve: systemResolve }) });
    for (const host of ['localhost', '127.0.0.1', '2130706433']) {
      const err = await strict.verifyAccount(account(host)).catch((e: unknown) => e);
      expect(err, host).toBeInstanceOf(DestinationRefusedError);
    }
    const sendErr = await strict.send(account('localhost'), { to: 'buyer@example.com', content: { kind: 'text', text: 'hello' }, idempotencyKey: 'k1' } as never).catch((e: unknown) => e);
    expect(sendErr).toBeInstanceOf(DestinationRefusedError);
    expect(sendErr).toMatchObject({ kind: 'permanent' });
    expect(sim.messages()).toHaveLength(0);
    strict.close();

    const metadata = new SmtpEmailAdapter({ timeoutMs: 2000, guard: new DestinationGuard({ policy: { allowPrivate: true }, resolve: () => Promise.resolve([v4('169.254.169.254')]) }) });
    await expect(metadata.verifyAccount(account('smtp.example.test'))).rejects.toThrow(/metadata/);
    metadata.close();

    // With private destinations allowed the same server is reached through the guarded socket.
    const allowed = new SmtpEmailAdapter({ timeoutMs: 2000, guard: new DestinationGuard({ policy: { allowPrivate: true }, resolve: systemResolve }) });
    await expect(allowed.verifyAccount(account('localhost'))).resolves.toMatchObject({ displayName: 'shop@example.com' });
    await allowed.send(account('localhost'), { to: 'buyer@example.com', content: { kind: 'text', text: 'hello' }, idempotencyKey: 'k2' } as never);
    expect(sim.messages()).toHaveLength(1);
    allowed.close();
    await sim.close();
  });
});
