// Every spelling of an internal address is refused when a workspace saves a destination, and the guard checks
// every resolved address at connect time.
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { DestinationGuard, DestinationRefusedError, checkDestinationHost, checkDestinationUrl, classifyAddress, parseIpAddress } from './destinations.js';
import type { AddressClass } from './destinations.js';

const strict = { allowPrivate: false };
const allowPrivate = { allowPrivate: true };

function refusal(fn: () => unknown): string | null {
  try {
    fn();
    return null;
  } catch (err) {
    if (err instanceof AppError) return err.message;
    throw err;
  }
}

describe('address parsing and classification', () => {
  const table: Array<[string, AddressClass]> = [
    ['127.0.0.1', 'loopback'],
    ['127.1', 'loopback'],
    ['127.0.1', 'loopback'],
    ['2130706433', 'loopback'],
    ['0x7f000001', 'loopback'],
    ['0x7f.0.0.1', 'loopback'],
    ['0177.0.0.1', 'loopback'],
    ['017700000001', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['::1', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['[::1]', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['[::ffff:7f00:1]', 'loopback'],
    ['0:0:0:0:0:ffff:7f00:0001', 'loopback'],
    ['::127.0.0.1', 'loopback'],
    ['64:ff9b::127.0.0.1', 'loopback'],
    ['64:ff9b::a9fe:a9fe', 'metadata'],
    ['2002:7f00:1::', 'loopback'],
    ['169.254.169.254', 'metadata'],
    ['0xa9fea9fe', 'metadata'],
    ['2852039166', 'metadata'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['100.100.100.200', 'metadata'],
    ['fd00:ec2::254', 'metadata'],
    ['169.254.1.1', 'link_local'],
    ['fe80::1', 'link_local'],
    ['fe80::1%eth0', 'link_local'],
    ['febf::1', 'link_local'],
    ['10.0.0.1', 'private'],
    ['10.255.255.255', 'private'],
    ['012.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['0xc0a80101', 'private'],
    ['100.64.0.1', 'private'],
    ['100.127.255.255', 'private'],
    ['::ffff:10.0.0.1', 'private'],
    ['64:ff9b:1::1.2.3.4', 'private'],
    ['fc00::1', 'unique_local'],
    ['fd12:3456::1', 'unique_local'],
    ['0.0.0.0', 'unspecified'],
    ['0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.1', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['192.0.0.8', 'reserved'],
    ['2001:db8::1', 'reserved'],
    ['2001::1', 'reserved'],
    ['100::1', 'reserved'],
    ['fec0::1', 'reserved'],
    ['8.8.8.8', 'public'],
    ['172.32.0.1', 'public'],
    ['100.128.0.1', 'public'],
    ['93.184.216.34', 'public'],
    ['2606:4700:4700::1111', 'public'],
    ['::ffff:8.8.8.8', 'public'],
    ['64:ff9b::8.8.8.8', 'public'],
  ];
  it.each(table)('%s is %s', (text, cls) => {
    expect(classifyAddress(text)).toBe(cls);
  });

  it('is not fooled by names or malformed addresses', () => {
    for (const text of ['example.com', '1.2.3.4.5', '256.1.1.1', '1.2.3.256', '0x', '08.1.1.1', ':::1', '1::2::3', 'fe80::g']) {
      expect(parseIpAddress(text) === null || text === '0x', text).toBe(true);
    }
    expect(classifyAddress('example.com')).toBeNull();
  });
});

describe('save-time checks', () => {
  const refusedUrls = [
    'http://127.0.0.1/hook',
    'http://127.1/hook',
    'http://2130706433/hook',
    'http://0x7f000001/hook',
    'http://0x7f.1/hook',
    'http://0177.0.0.1/hook',
    'http://[::1]/hook',
    'http://[::ffff:127.0.0.1]/hook',
    'http://[::ffff:7f00:1]/hook',
    'http://[64:ff9b::7f00:1]/hook',
    'http://localhost:8080/hook',
    'http://api.localhost/hook',
    'http://169.254.169.254/latest/meta-data/',
    'http://[fd00:ec2::254]/',
    'http://metadata.google.internal/computeMetadata/v1/',
    'http://10.0.0.5/hook',
    'http://172.20.1.1/hook',
    'http://192.168.0.10/hook',
    'http://100.64.1.1/hook',
    'http://[fc00::1]/hook',
    'http://[fe80::1]/hook',
    'http://0.0.0.0/hook',
    'http://0/hook',
    'http://[::]/hook',
    'http://224.0.0.1/hook',
    'http://255.255.255.255/hook',
    'http://redis:6379/',
    'http://db.internal/hook',
    'https://printer.local/hook',
  ];
  it.each(refusedUrls)('refuses %s', (url) => {
    expect(refusal(() => checkDestinationUrl('url', url, strict))).toMatch(/^url: /);
  });

  it('accepts public URLs and names only DNS can judge', () => {
    for (const url of ['https://hooks.example.com/shoptalk', 'http://93.184.216.34:8080/x', 'https://[2606:4700:4700::1111]/']) {
      expect(refusal(() => checkDestinationUrl('url', url, strict))).toBeNull();
    }
    expect(refusal(() => checkDestinationUrl('url', 'ftp://example.com/', strict))).toBe('url: must be an http(s) URL');
    expect(refusal(() => checkDestinationUrl('url', 'not a url', strict))).toBe('url: must be an absolute http(s) URL');
  });

  it('allows private and loopback destinations only when the operator says so, never link-local or metadata', () => {
    for (const url of ['http://127.0.0.1:9000/hook', 'http://localhost/hook', 'http://10.1.2.3/hook', 'http://[fd12::1]/', 'http://smtp-relay/hook']) {
      expect(refusal(() => checkDestinationUrl('url', url, allowPrivate)), url).toBeNull();
    }
    for (const url of ['http://169.254.169.254/', 'http://[::ffff:a9fe:a9fe]/', 'http://100.100.100.200/', 'http://[fe80::1]/', 'http://0.0.0.0/', 'http://metadata.google.internal/']) {
      expect(refusal(() => checkDestinationUrl('url', url, allowPrivate)), url).toMatch(/^url: .*(metadata|link-local|unspecified)/);
    }
  });

  it('names the reason and the operator setting', () => {
    expect(refusal(() => checkDestinationUrl('url', 'http://2130706433/', strict))).toBe(
      'url: 127.0.0.1 is a loopback address, which this installation does not connect to (an operator may allow private destinations with SHOPTALK_ALLOW_PRIVATE_DESTINATIONS=true)',
    );
  });

  it('checks SMTP hosts in every spelling', () => {
    for (const host of ['127.0.0.1', '127.1', '2130706433', '0x7f000001', 'localhost', '169.254.169.254', '10.0.0.1', '::1', '::ffff:127.0.0.1', 'mailhog']) {
      expect(refusal(() => checkDestinationHost('host', host, strict)), host).toMatch(/^host: /);
    }
    expect(checkDestinationHost('host', 'SMTP.Example.com', strict)).toBe('smtp.example.com');
    expect(refusal(() => checkDestinationHost('host', '127.0.0.1', allowPrivate))).toBeNull();
    expect(refusal(() => checkDestinationHost('host', '169.254.169.254', allowPrivate))).toMatch(/metadata/);
  });
});

describe('connect-time guard', () => {
  const resolver = (table: Record<string, string[]>) => (host: string) => Promise.resolve((table[host] ?? []).map((address) => ({ address, family: address.includes(':') ? (6 as const) : (4 as const) })));

  it('checks every address a name resolves to, and does not echo the address', async () => {
    const guard = new DestinationGuard({ policy: strict, resolve: resolver({ 'hooks.example.com': ['93.184.216.34'], 'rebind.example.com': ['93.184.216.34', '127.0.0.1'], 'meta.example.com': ['169.254.169.254'] }) });
    await expect(guard.resolveChecked('hooks.example.com')).resolves.toEqual([{ address: '93.184.216.34', family: 4 }]);
    await expect(guard.resolveChecked('rebind.example.com')).rejects.toThrow('destination refused: rebind.example.com resolves to a loopback address');
    const err = await guard.resolveChecked('meta.example.com').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DestinationRefusedError);
    expect((err as Error).message).not.toContain('169.254');
  });

  it('refuses metadata even when private destinations are allowed', async () => {
    const guard = new DestinationGuard({ policy: allowPrivate, resolve: resolver({ 'internal.example.com': ['10.0.0.7'], 'meta.example.com': ['169.254.169.254'] }) });
    await expect(guard.resolveChecked('internal.example.com')).resolves.toHaveLength(1);
    await expect(guard.resolveChecked('meta.example.com')).rejects.toThrow(/cloud metadata/);
    await expect(guard.resolveChecked('metadata.google.internal')).rejects.toThrow(/cloud metadata/);
    expect(() => guard.checkAddress('169.254.169.254')).toThrow(DestinationRefusedError);
    expect(() => guard.checkAddress('::ffff:169.254.169.254')).toThrow(DestinationRefusedError);
    expect(() => guard.checkAddress('127.0.0.1')).not.toThrow();
  });
});
