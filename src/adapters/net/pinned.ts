// Connections to destinations a workspace chose: the host is resolved once, every address is checked by the
// DestinationGuard, and the socket connects to one of those checked addresses (never to a second, unchecked
// resolution). Used by the HTTP client for outbound webhooks and by the SMTP adapter.
import dns from 'node:dns';
import net from 'node:net';
import type { LookupFunction } from 'node:net';
import { buildConnector } from 'undici';
import type { DestinationGuard, ResolvedAddress } from '../../core/net/destinations.js';

/** The system resolver, every address of both families. */
export async function systemResolve(hostname: string): Promise<ResolvedAddress[]> {
  const found = await dns.promises.lookup(hostname, { all: true, verbatim: true });
  return found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
}

/** A `lookup` for net/tls.connect that answers only with addresses the guard accepted. */
export function guardedLookup(guard: DestinationGuard): LookupFunction {
  return (hostname, options, callback) => {
    guard.resolveChecked(hostname).then(
      (addresses) => {
        const family = options.family === 4 || options.family === 6 ? options.family : null;
        const usable = family ? addresses.filter((a) => a.family === family) : addresses;
        if (usable.length === 0) {
          callback(Object.assign(new Error(`${hostname} has no IPv${family} address`), { code: 'ENOTFOUND' }), '', 0);
          return;
        }
        if (options.all) (callback as unknown as (err: null, all: ResolvedAddress[]) => void)(null, usable);
        else callback(null, usable[0]!.address, usable[0]!.family);
      },
      (err: unknown) => callback(err as NodeJS.ErrnoException, '', 0),
    );
  };
}

/** An undici connector: literal addresses are checked before connecting, names through guardedLookup. */
export function guardedConnector(guard: DestinationGuard, timeoutMs: number): buildConnector.connector {
  const connect = buildConnector({ timeout: timeoutMs, lookup: guardedLookup(guard) });
  return (options, callback) => {
    const host = options.hostname.replace(/^\[|\]$/g, '');
    if (net.isIP(host)) {
      try {
        guard.checkAddress(host);
      } catch (err) {
        callback(err as Error, null);
        return;
      }
    }
    connect(options, callback);
  };
}

/** A TCP socket to host:port through the guard (for SMTP; TLS is layered on by the caller). */
export async function connectGuarded(guard: DestinationGuard, host: string, port: number, timeoutMs: number): Promise<net.Socket> {
  const addresses = await guard.resolveChecked(host);
  return new Promise((resolve, reject) => {
    const pinned: LookupFunction = (_name, options, callback) => {
      if (options.all) (callback as unknown as (err: null, all: ResolvedAddress[]) => void)(null, addresses);
      else callback(null, addresses[0]!.address, addresses[0]!.family);
    };
    // With a literal address net.connect skips the lookup; it was checked by resolveChecked above.
    const socket = net.connect({ host, port, lookup: pinned, timeout: timeoutMs });
    const fail = (err: Error) => {
      socket.destroy();
      reject(err);
    };
    socket.once('error', fail);
    socket.once('timeout', () => fail(Object.assign(new Error(`connection to ${host}:${port} timed out`), { code: 'ETIMEDOUT' })));
    socket.once('connect', () => {
      socket.removeListener('error', fail);
      socket.setTimeout(0);
      resolve(socket);
    });
  });
}
