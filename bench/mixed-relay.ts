// The ceiling of the mixed-channel bench: a stateless relay. For each CYBERBIZ order webhook it makes the
// provider calls the hub makes for that order on each measured channel (WhatsApp Cloud template, Twilio SMS,
// SMTP e-mail through a pooled connection like the hub's, LINE push, Messenger send; pre-built, with the same
// HTTP client settings) and answers 200 once every provider has answered. No signature check, no storage, no
// queue: whatever the hub does beyond this is its cost.
//   tsx bench/mixed-relay.ts --file <mixed-relay.json> [--port 0]
// Prints "listening <url>" on stdout once ready.
import fs from 'node:fs';
import http from 'node:http';
import nodemailer from 'nodemailer';
import { Agent, request } from 'undici';
import { argValue, requireArg, serveRelay } from './common.js';
import type { Channel } from './mixed-types.js';

export interface MixedRelayFile {
  channels: Channel[];
  whatsapp: { url: string; accessToken: string };
  twilio: { url: string; accountSid: string; authToken: string; from: string };
  smtp: { host: string; port: number; username: string; password: string; from: string };
  line: { url: string; accessToken: string };
  messenger: { url: string; accessToken: string };
  /** webhook id (x-bench-id) → what goes out for that order. */
  sends: Record<string, { whatsapp: string; smsTo: string; emailTo: string; lineTo: string; psid: string; text: string; subject: string }>;
}

const argv = process.argv.slice(2);
const cfg = JSON.parse(fs.readFileSync(requireArg(argv, 'file'), 'utf8')) as MixedRelayFile;
const sends = new Map(Object.entries(cfg.sends));
// The hub's provider client uses these settings (src/adapters/http-client.ts).
const agent = new Agent({ keepAliveTimeout: 10_000, connections: 128, pipelining: 1 });
// The hub's SMTP pool: ten connections (src/adapters/channels/email-smtp/adapter.ts).
const mailer = nodemailer.createTransport({
  host: cfg.smtp.host,
  port: cfg.smtp.port,
  secure: false,
  ignoreTLS: true,
  auth: { user: cfg.smtp.username, pass: cfg.smtp.password },
  pool: true,
  maxConnections: 10,
});
const twilioAuth = `Basic ${Buffer.from(`${cfg.twilio.accountSid}:${cfg.twilio.authToken}`).toString('base64')}`;
let seq = 0;

async function post(url: string, headers: Record<string, string>, body: string): Promise<void> {
  const res = await request(url, { method: 'POST', headers, body, dispatcher: agent });
  const text = await res.body.text();
  if (res.statusCode >= 300) throw new Error(`${url}: HTTP ${res.statusCode} ${text.slice(0, 200)}`);
  // The hub reads every answer (it needs the provider's message id).
  JSON.parse(text);
}

function relay(s: MixedRelayFile['sends'][string]): Array<Promise<unknown>> {
  const calls: Array<Promise<unknown>> = [];
  const json = { 'content-type': 'application/json' };
  for (const channel of cfg.channels) {
    switch (channel) {
      case 'whatsapp':
        calls.push(post(`${cfg.whatsapp.url}/messages`, { ...json, authorization: `Bearer ${cfg.whatsapp.accessToken}` }, s.whatsapp));
        break;
      case 'sms':
        calls.push(
          post(
            cfg.twilio.url,
            { authorization: twilioAuth, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
            new URLSearchParams({ To: s.smsTo, From: cfg.twilio.from, Body: s.text }).toString(),
          ),
        );
        break;
      case 'email':
        calls.push(mailer.sendMail({ messageId: `<relay-${++seq}@bench.example>`, from: cfg.smtp.from, to: s.emailTo, subject: s.subject, text: s.text }));
        break;
      case 'line':
        calls.push(post(cfg.line.url, { ...json, authorization: `Bearer ${cfg.line.accessToken}` }, JSON.stringify({ to: s.lineTo, messages: [{ type: 'text', text: s.text }], notificationDisabled: false })));
        break;
      case 'messenger':
        calls.push(post(cfg.messenger.url, json, JSON.stringify({ recipient: { id: s.psid }, messaging_type: 'UPDATE', message: { text: s.text } })));
        break;
    }
  }
  return calls;
}

const ACK = JSON.stringify({ received: true });

const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const id = req.headers['x-bench-id'];
    const s = typeof id === 'string' ? sends.get(id) : undefined;
    if (!s) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"unknown webhook id"}');
      return;
    }
    Promise.all(relay(s))
      .then(() => res.writeHead(200, { 'content-type': 'application/json' }).end(ACK))
      .catch((err: unknown) => res.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ error: String(err) })));
  });
});
serveRelay(server, Number(argValue(argv, 'port') ?? 0), () => mailer.close());
