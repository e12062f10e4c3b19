// The ceiling: a stateless relay. For each webhook POST it makes the provider call the hub would make for
// that order (pre-built body, same headers, same undici Agent settings as src/adapters/http-client.ts) and
// answers 200 once the provider has answered. No signature check, no storage, no queue, no parsing of the
// order: whatever the hub does beyond this is its cost, and hub/relay is the share of the ceiling it keeps.
// The chat scenario uses it unchanged: each inbound customer message gets the reply call the hub's bot makes.
//   tsx bench/relay.ts --file <relay.json> --sim <simulator base URL> [--port 0]
// Prints "listening <url>" on stdout once ready.
import fs from 'node:fs';
import http from 'node:http';
import { Agent, request } from 'undici';
import type { RelayFile } from './common.js';
import { argValue, requireArg, serveRelay } from './common.js';

const argv = process.argv.slice(2);
const relay = JSON.parse(fs.readFileSync(requireArg(argv, 'file'), 'utf8')) as RelayFile;
const sendUrl = `${requireArg(argv, 'sim').replace(/\/$/, '')}/v23.0/${relay.phoneNumberId}/messages`;
const sends = new Map(Object.entries(relay.sends));
const idHeader = (relay.idHeader ?? 'x-shopify-webhook-id').toLowerCase();
const headers = { authorization: `Bearer ${relay.accessToken}`, 'content-type': 'application/json' };
// The hub's provider client uses these settings; the relay must not get a bigger pool than the hub has.
const agent = new Agent({ keepAliveTimeout: 10_000, connections: 128, pipelining: 1 });

const ACK = JSON.stringify({ received: true, duplicate: false });

const server = http.createServer((req, res) => {
  // The body is read to the end (a real receiver must) and dropped.
  req.resume();
  req.on('end', () => {
    const id = req.headers[idHeader];
    const body = typeof id === 'string' ? sends.get(id) : undefined;
    if (!body) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"unknown webhook id"}');
      return;
    }
    request(sendUrl, { method: 'POST', headers, body, dispatcher: agent })
      .then(async (out) => {
        const text = await out.body.text();
        // The hub reads the provider's answer too (it needs the message id).
        if (out.statusCode === 200) JSON.parse(text);
        res.writeHead(out.statusCode === 200 ? 200 : 502, { 'content-type': 'application/json' }).end(out.statusCode === 200 ? ACK : text);
      })
      .catch((err: unknown) => {
        res.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ error: String(err) }));
      });
  });
});
serveRelay(server, Number(argValue(argv, 'port') ?? 0));
