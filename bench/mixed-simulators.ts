// The provider simulators of the mixed-channel benchmark, in one process of their own so that their CPU is
// not charged to the hub: WhatsApp Cloud, Twilio SMS, SMTP, LINE, Messenger and the CYBERBIZ App Store API
// (the hub verifies the store connection against it). Started by bench/mixed.ts with an IPC channel:
//   argv: --config <MixedSimConfig JSON file>
//   → {type:'ready', urls}
//   {type:'count'}    → messages accepted per channel since the last collect
//   {type:'collect'}  → those messages (receive time, recipient), and a new mark for the next phase
// It exits on SIGTERM, or when the parent goes away.
import fs from 'node:fs';
import { WhatsAppCloudSimulator } from '../src/adapters/channels/whatsapp-cloud/simulator.js';
import { TwilioSmsSimulator } from '../src/adapters/channels/twilio-sms/simulator.js';
import { SmtpSimulator } from '../src/adapters/channels/email-smtp/simulator.js';
import { LineSimulator } from '../src/adapters/channels/line/simulator.js';
import { MessengerSimulator } from '../src/adapters/channels/messenger/simulator.js';
import { CyberbizSimulator } from '../src/adapters/stores/cyberbiz/simulator.js';
import { requireArg } from './common.js';
import type { Channel, MixedCollected, MixedCounts, MixedReceived, MixedSimCommand, MixedSimConfig, MixedSimReply } from './mixed-types.js';
import { CHANNELS } from './mixed-types.js';

const config = JSON.parse(fs.readFileSync(requireArg(process.argv.slice(2), 'config'), 'utf8')) as MixedSimConfig;

// Status/delivery webhooks off everywhere: they are not measured, and they would add load to the hub that
// has nothing to do with order notifications. Request recording off: it grows memory per message.
const whatsapp = new WhatsAppCloudSimulator({ statusWebhooks: false, maxOutbox: config.maxOutbox });
const twilio = new TwilioSmsSimulator({ statusCallbacks: false });
const smtp = new SmtpSimulator();
const line = new LineSimulator();
const messenger = new MessengerSimulator({ deliveryWebhooks: false });
const cyberbiz = new CyberbizSimulator();
for (const sim of [whatsapp, twilio, smtp, line, messenger, cyberbiz]) sim.recordRequests = false;

whatsapp.addPhoneNumber({ ...config.whatsapp, displayPhoneNumber: '886255501234', verifiedName: 'Bench Tea House', webhookUrl: null });
twilio.addAccount({ accountSid: config.twilio.accountSid, authToken: config.twilio.authToken, numbers: [config.twilio.from] });
// No delivery reports: the SMTP acceptance is the "send" measured here.
smtp.addAccount({ username: config.smtp.username, password: config.smtp.password, reportDelivery: false });
line.addChannel({ ...config.line, webhookUrl: null });
messenger.addPage({ pageId: config.messenger.pageId, name: config.messenger.name, pageAccessToken: config.messenger.pageAccessToken, appSecret: config.messenger.appSecret, webhookUrl: null });
// The Send API refuses PSIDs the page has never heard from; every bench customer "wrote" just now.
for (const psid of config.messenger.psids) messenger.registerPsid(config.messenger.pageId, psid);
cyberbiz.addShop({ ...config.cyberbiz, webhookUrl: null });

/**
 * Per channel: how many messages the simulator holds (cheap, polled several times a second while a run
 * drains) and the messages themselves (rendered, read once per phase). The sizes are private fields of the
 * simulators, hence the guarded reads with the public, slower, list as the fallback.
 */
interface Tap {
  size(): number;
  all(): MixedReceived[];
}

function privateSize(sim: object, field: string, fallback: () => number): number {
  const value = (sim as Record<string, unknown>)[field];
  if (value instanceof Map) return value.size;
  if (Array.isArray(value)) return value.length;
  return fallback();
}

const taps: Record<Channel, Tap> = {
  whatsapp: {
    size: () => privateSize(whatsapp, 'outbox', () => whatsapp.messages().length),
    all: () => whatsapp.messages().map((m) => ({ at: m.at, to: m.to })),
  },
  sms: {
    size: () => privateSize(twilio, 'outbox', () => twilio.messages().length),
    all: () => twilio.messages().map((m) => ({ at: m.at, to: m.to })),
  },
  email: {
    size: () => privateSize(smtp, 'mailbox', () => smtp.messages().length),
    // One recipient per notification; several would make every one of them count.
    all: () => smtp.messages().flatMap((m) => m.recipients.map((to) => ({ at: m.at, to }))),
  },
  line: {
    size: () => privateSize(line, 'outbox', () => line.messages().length),
    all: () => line.messages().map((m) => ({ at: m.at, to: m.to })),
  },
  messenger: {
    size: () => privateSize(messenger, 'outbox', () => messenger.messages().length),
    all: () => messenger.messages().map((m) => ({ at: m.at, to: m.psid })),
  },
};

// Outboxes are not reset between phases (a reset would also forget the Messenger PSIDs): a mark per channel
// says where the current phase starts.
const marks = Object.fromEntries(CHANNELS.map((c) => [c, 0])) as Record<Channel, number>;

function counts(): MixedCounts {
  return Object.fromEntries(CHANNELS.map((c) => [c, taps[c].size() - marks[c]])) as MixedCounts;
}

function collect(): MixedCollected {
  const out = {} as MixedCollected;
  for (const c of CHANNELS) {
    const all = taps[c].all();
    out[c] = all.slice(marks[c]);
    marks[c] = all.length;
  }
  return out;
}

function reply(msg: MixedSimReply): void {
  process.send?.(msg);
}

process.on('message', (raw: MixedSimCommand) => {
  switch (raw.type) {
    case 'count':
      reply({ type: 'count', reqId: raw.reqId, counts: counts() });
      break;
    case 'collect':
      reply({ type: 'collect', reqId: raw.reqId, messages: collect() });
      break;
  }
});

// The parent going away (even by SIGKILL) closes the IPC channel: do not outlive it.
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => {
  void Promise.allSettled([whatsapp, twilio, smtp, line, messenger, cyberbiz].map((s) => s.close())).finally(() => process.exit(0));
});

const host = '127.0.0.1';
const urls = {
  whatsapp: await whatsapp.listen(0, host),
  twilio: await twilio.listen(0, host),
  smtpHttp: await smtp.listen(0, host),
  smtpPort: await smtp.listenSmtp(0, host),
  line: await line.listen(0, host),
  messenger: await messenger.listen(0, host),
  cyberbiz: await cyberbiz.listen(0, host),
};
reply({ type: 'ready', urls });
