// Destinations a workspace chooses (outbound webhook URLs, SMTP hosts, store URLs) are untrusted: a tenant must
// not make the hub reach its own loopback, the cloud metadata service or the installation's private network.
// This module classifies addresses (every spelling of them), checks the text of a destination when it is saved,
// and checks every address a host name resolves to when the hub connects (the adapters pin the connection to
// the checked address). Operator-configured provider base URLs are trusted and do not pass through here.
import { invalidField, ProviderError } from '../errors.js';

export type AddressClass =
  | 'public'
  | 'private'
  | 'loopback'
  | 'unique_local'
  | 'link_local'
  | 'metadata'
  | 'unspecified'
  | 'multicast'
  | 'broadcast'
  | 'reserved';

/** What an operator allows beyond public addresses. */
export interface DestinationPolicy {
  /** Private, loopback and unique-local addresses (self-hosted set-ups whose providers are internal). */
  allowPrivate: boolean;
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to every address it has (the system resolver in production; tests inject their own). */
export type ResolveHost = (hostname: string) => Promise<ResolvedAddress[]>;

const DESCRIPTIONS: Record<Exclude<AddressClass, 'public'>, string> = {
  private: 'a private network address',
  loopback: 'a loopback address',
  unique_local: 'a unique-local (private) IPv6 address',
  link_local: 'a link-local address',
  metadata: 'a cloud metadata service address',
  unspecified: 'the unspecified address',
  multicast: 'a multicast address',
  broadcast: 'the broadcast address',
  reserved: 'a reserved address',
};

/** The classes an operator may allow with SHOPTALK_ALLOW_PRIVATE_DESTINATIONS; the rest are always refused. */
const ALLOWABLE: ReadonlySet<AddressClass> = new Set(['private', 'loopback', 'unique_local']);

/** Why an address of this class may not be a destination under the policy, or null when it may. */
export function refusalReason(cls: AddressClass, policy: DestinationPolicy): string | null {
  if (cls === 'public') return null;
  if (policy.allowPrivate && ALLOWABLE.has(cls)) return null;
  const hint = ALLOWABLE.has(cls) ? ' (an operator may allow private destinations with SHOPTALK_ALLOW_PRIVATE_DESTINATIONS=true)' : '';
  return `${DESCRIPTIONS[cls]}, which this installation does not connect to${hint}`;
}

/** A destination refused at connect time. Permanent: the same request would be refused again. */
export class DestinationRefusedError extends ProviderError {
  constructor(
    readonly addressClass: AddressClass,
    message: string,
  ) {
    super('permanent', message);
    this.name = 'DestinationRefusedError';
  }
}

// -------------------------------------------------------------------------------------------------
// Parsing addresses

/**
 * The bytes of an IP address written in any spelling a resolver or URL parser would accept: dotted decimal,
 * the inet_aton short forms (127.1, 10.1.1), decimal (2130706433), hex (0x7f000001, 0x7f.0.0.1), octal
 * (0177.0.0.1), and IPv6 in any form (with an embedded IPv4 tail, a zone id, in brackets). Null for names.
 */
export function parseIpAddress(text: string): number[] | null {
  let t = text.trim().toLowerCase();
  if (t.startsWith('[') && t.endsWith(']')) t = t.slice(1, -1);
  if (t.includes(':')) return parseIpv6(t);
  if (t.endsWith('.')) t = t.slice(0, -1);
  return parseIpv4(t);
}

function parseIpv4Part(part: string): number | null {
  if (part === '') return null;
  let value: number;
  if (/^0x[0-9a-f]*$/.test(part)) value = part.length === 2 ? 0 : parseInt(part.slice(2), 16);
  else if (/^0[0-7]+$/.test(part)) value = parseInt(part.slice(1), 8);
  else if (/^(0|[1-9][0-9]*)$/.test(part)) value = Number(part);
  else return null;
  return Number.isSafeInteger(value) ? value : null;
}

function parseIpv4(t: string): number[] | null {
  const parts = t.split('.');
  if (parts.length > 4) return null;
  const numbers: number[] = [];
  for (const p of parts) {
    const n = parseIpv4Part(p);
    if (n === null) return null;
    numbers.push(n);
  }
  // inet_aton: a.b.c.d; a.b.c (c is 16 bits); a.b (b is 24 bits); a (32 bits).
  const last = numbers[numbers.length - 1]!;
  const head = numbers.slice(0, -1);
  if (head.some((n) => n > 255)) return null;
  const lastBytes = 4 - head.length;
  if (last >= 2 ** (8 * lastBytes)) return null;
  const tail: number[] = [];
  for (let i = lastBytes - 1; i >= 0; i--) tail.push(Math.floor(last / 2 ** (8 * i)) % 256);
  return [...head, ...tail];
}

function parseIpv6(t: string): number[] | null {
  const zone = t.indexOf('%');
  if (zone >= 0) t = t.slice(0, zone);
  if (!/^[0-9a-f:.]+$/.test(t)) return null;
  let v4: number[] = [];
  const lastColon = t.lastIndexOf(':');
  if (t.slice(lastColon + 1).includes('.')) {
    const dotted = t.slice(lastColon + 1).split('.');
    if (dotted.length !== 4 || dotted.some((d) => !/^(0|[1-9][0-9]{0,2})$/.test(d) || Number(d) > 255)) return null;
    v4 = dotted.map(Number);
    t = t.slice(0, lastColon + 1) + '0:0';
  }
  const halves = t.split('::');
  if (halves.length > 2) return null;
  const groups = (s: string): string[] | null => (s === '' ? [] : s.split(':'));
  const left = groups(halves[0]!);
  const right = halves.length === 2 ? groups(halves[1]!) : [];
  if (!left || !right) return null;
  const missing = 8 - left.length - right.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const all = [...left, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...right];
  const bytes: number[] = [];
  for (const g of all) {
    if (!/^[0-9a-f]{1,4}$/.test(g)) return null;
    const n = parseInt(g, 16);
    bytes.push(n >> 8, n & 0xff);
  }
  if (v4.length) bytes.splice(12, 4, ...v4);
  return bytes;
}

// -------------------------------------------------------------------------------------------------
// Classifying addresses

/** Cloud metadata endpoints that are not already link-local: Alibaba (in CGNAT space) and AWS over IPv6. */
const METADATA_V4 = new Set(['169.254.169.254', '169.254.170.2', '169.254.170.23', '100.100.100.200']);
const METADATA_V6_PREFIX = [0xfd, 0x00, 0x0e, 0xc2]; // fd00:ec2::/32 (IMDS at fd00:ec2::254)

function inV4(b: number[], net: [number, number, number, number], bits: number): boolean {
  for (let i = 0; i < 4; i++) {
    const take = Math.max(0, Math.min(8, bits - i * 8));
    if (take === 0) return true;
    const mask = (0xff << (8 - take)) & 0xff;
    if ((b[i]! & mask) !== (net[i]! & mask)) return false;
  }
  return true;
}

function classifyV4(b: number[]): AddressClass {
  if (METADATA_V4.has(b.join('.'))) return 'metadata';
  if (inV4(b, [0, 0, 0, 0], 8)) return 'unspecified';
  if (inV4(b, [127, 0, 0, 0], 8)) return 'loopback';
  if (inV4(b, [169, 254, 0, 0], 16)) return 'link_local';
  if (inV4(b, [10, 0, 0, 0], 8) || inV4(b, [172, 16, 0, 0], 12) || inV4(b, [192, 168, 0, 0], 16) || inV4(b, [100, 64, 0, 0], 10)) return 'private';
  if (b.every((x) => x === 255)) return 'broadcast';
  if (inV4(b, [224, 0, 0, 0], 4)) return 'multicast';
  if (
    inV4(b, [240, 0, 0, 0], 4) || // future use
    inV4(b, [192, 0, 0, 0], 24) || // IETF protocol assignments
    inV4(b, [192, 0, 2, 0], 24) || // documentation
    inV4(b, [198, 51, 100, 0], 24) ||
    inV4(b, [203, 0, 113, 0], 24) ||
    inV4(b, [192, 88, 99, 0], 24) || // 6to4 relay anycast
    inV4(b, [198, 18, 0, 0], 15) // benchmarking
  ) {
    return 'reserved';
  }
  return 'public';
}

const worse = (embedded: AddressClass, otherwise: AddressClass): AddressClass => (embedded === 'public' ? otherwise : embedded);

function classifyV6(b: number[]): AddressClass {
  const zeroUpTo = (n: number) => b.slice(0, n).every((x) => x === 0);
  if (zeroUpTo(16)) return 'unspecified';
  if (zeroUpTo(15) && b[15] === 1) return 'loopback';
  // IPv4-mapped ::ffff:a.b.c.d: the connection goes to the IPv4 address.
  if (zeroUpTo(10) && b[10] === 0xff && b[11] === 0xff) return classifyV4(b.slice(12));
  // NAT64: 64:ff9b::/96 reaches the embedded IPv4 address; 64:ff9b:1::/48 is a local-use translator.
  const nat64 = [0x00, 0x64, 0xff, 0x9b];
  if (nat64.every((x, i) => b[i] === x)) {
    const embedded = classifyV4(b.slice(12));
    if (b.slice(4, 12).every((x) => x === 0)) return embedded;
    if (b[4] === 0 && b[5] === 1) return worse(embedded, 'private');
    return 'reserved';
  }
  // IPv4-compatible ::a.b.c.d (deprecated) and the rest of ::/8.
  if (b[0] === 0) return worse(zeroUpTo(12) ? classifyV4(b.slice(12)) : 'reserved', 'reserved');
  // 6to4 2002:a.b.c.d::/48 tunnels to the embedded IPv4 address.
  if (b[0] === 0x20 && b[1] === 0x02) return classifyV4(b.slice(2, 6));
  if (METADATA_V6_PREFIX.every((x, i) => b[i] === x)) return 'metadata';
  if ((b[0]! & 0xfe) === 0xfc) return 'unique_local';
  if (b[0] === 0xfe && (b[1]! & 0xc0) === 0x80) return 'link_local';
  if (b[0] === 0xff) return 'multicast';
  // Outside global unicast 2000::/3 nothing is reachable on the Internet (site-local fec0::/10, discard 100::/64...).
  if ((b[0]! & 0xe0) !== 0x20) return 'reserved';
  // 2001::/23 IETF protocol assignments (Teredo 2001::/32, ORCHID...), 2001:db8::/32 and 3fff::/20 documentation.
  if (b[0] === 0x20 && b[1] === 0x01 && b[2] === 0x00 && b[3]! < 0x02) return 'reserved';
  if (b[0] === 0x20 && b[1] === 0x01 && b[2] === 0x0d && b[3] === 0xb8) return 'reserved';
  if (b[0] === 0x3f && b[1] === 0xff && (b[2]! & 0xf0) === 0) return 'reserved';
  return 'public';
}

/** The class of an IP address in any spelling; null when the text is not an address. */
export function classifyAddress(text: string): AddressClass | null {
  const b = parseIpAddress(text);
  if (!b) return null;
  return b.length === 4 ? classifyV4(b) : classifyV6(b);
}

// -------------------------------------------------------------------------------------------------
// Host names whose text already tells

const METADATA_NAMES = new Set(['metadata', 'metadata.google.internal', 'metadata.goog', 'instance-data', 'instance-data.ec2.internal']);
/** Names that never reach the public Internet: loopback names and special-use or private-use suffixes. */
const LOCAL_SUFFIXES = ['.internal', '.local', '.localdomain', '.home.arpa', '.lan', '.intranet', '.corp'];

function hostNameClass(name: string): AddressClass | null {
  const n = name.toLowerCase().replace(/\.$/, '');
  if (METADATA_NAMES.has(n)) return 'metadata';
  if (n === 'localhost' || n.endsWith('.localhost') || n === 'localhost.localdomain') return 'loopback';
  // A name without a dot is resolved by the local network's search domains, never on the Internet.
  if (!n.includes('.')) return 'private';
  if (LOCAL_SUFFIXES.some((s) => n.endsWith(s))) return 'private';
  return null;
}

/** The class of a destination host as written (an address in any spelling, or a telling name); null when only DNS can tell. */
export function classifyHostText(host: string): AddressClass | null {
  const h = host.trim();
  return classifyAddress(h) ?? hostNameClass(h.replace(/^\[|\]$/g, ''));
}

/**
 * Save-time check of a URL a workspace chooses: an absolute http(s) URL whose host, as written, is not a
 * refused address. Returns the normalized URL (the WHATWG parser turns 2130706433, 0x7f.1 and 127.1 into
 * 127.0.0.1). Names are resolved only when connecting.
 */
export function checkDestinationUrl(field: string, raw: string, policy: DestinationPolicy): URL {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw invalidField(field, 'must be an absolute http(s) URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalidField(field, 'must be an http(s) URL');
  if (url.hostname === '') throw invalidField(field, 'must name a host');
  // The raw text matters too: some spellings are normalized only by the URL parser, not by resolvers.
  const cls = classifyHostText(url.hostname);
  if (cls) {
    const reason = refusalReason(cls, policy);
    if (reason) throw invalidField(field, `${url.hostname} is ${reason}`);
  }
  return url;
}

/** Save-time check of a bare host name or address (an SMTP server). Returns it lower-cased. */
export function checkDestinationHost(field: string, raw: string, policy: DestinationPolicy): string {
  const host = raw.trim().toLowerCase();
  if (host === '') throw invalidField(field, 'must name a host');
  let normalized: string;
  try {
    // The URL host parser applies the same IPv4 spellings resolvers accept (inet_aton).
    normalized = new URL(`http://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}/`).hostname;
  } catch {
    throw invalidField(field, 'must be a host name or an IP address');
  }
  for (const text of new Set([host, normalized])) {
    const cls = classifyHostText(text);
    const reason = cls ? refusalReason(cls, policy) : null;
    if (reason) throw invalidField(field, `${host} is ${reason}`);
  }
  return host;
}

// -------------------------------------------------------------------------------------------------
// Connect time

export interface DestinationGuardOptions {
  policy: DestinationPolicy;
  resolve: ResolveHost;
  /** Tests treat a local test server as public with this; production uses classifyAddress. */
  classify?: (address: string) => AddressClass;
}

/** Checks the addresses the hub is about to connect to, after resolving names. */
export class DestinationGuard {
  readonly policy: DestinationPolicy;
  private readonly resolveHost: ResolveHost;
  private readonly classify: (address: string) => AddressClass;

  constructor(options: DestinationGuardOptions) {
    this.policy = options.policy;
    this.resolveHost = options.resolve;
    this.classify = options.classify ?? ((a) => classifyAddress(a) ?? 'reserved');
  }

  /** Throws DestinationRefusedError when the address may not be connected to. */
  checkAddress(address: string, host = address): void {
    const cls = this.classify(address);
    const reason = refusalReason(cls, this.policy);
    if (!reason) return;
    // The resolved address is not echoed for a name: it would tell a tenant about the internal network.
    const what = host === address ? address : `${host} resolves to`;
    throw new DestinationRefusedError(cls, `destination refused: ${what} ${reason}`);
  }

  /** Resolves a host (or takes a literal address) and checks every address; the connection must use one of these. */
  async resolveChecked(host: string): Promise<ResolvedAddress[]> {
    const bare = host.replace(/^\[|\]$/g, '');
    const literal = parseIpAddress(bare);
    if (literal && isCanonicalLiteral(bare)) {
      this.checkAddress(bare);
      return [{ address: bare, family: literal.length === 4 ? 4 : 6 }];
    }
    const nameClass = hostNameClass(bare);
    if (nameClass === 'metadata') this.checkAddress('169.254.169.254', bare);
    const addresses = await this.resolveHost(bare);
    if (addresses.length === 0) throw new ProviderError('retryable', `${bare} did not resolve to any address`);
    // Every address is checked, not only the first: the connection may try any of them.
    for (const a of addresses) this.checkAddress(a.address, bare);
    return addresses;
  }
}

/** A literal the system connects to as written (dotted quad or IPv6); other spellings go through the resolver. */
function isCanonicalLiteral(text: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(text) || text.includes(':');
}
