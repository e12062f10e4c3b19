// The WhatsApp Cloud API simulator in its own process, so that its CPU is not charged to the hub or the
// relay under test. Started by bench/run.ts with an IPC channel (child_process.fork):
//   argv: --port <n> --phone-number-id <id> --waba-id <id> --access-token <t> --app-secret <s> --max-outbox <n>
//   → {type:'ready', url}
//   {type:'count'}            → how many messages the simulator accepted since the last clear
//   {type:'collect', clear}   → every accepted message (receive time, recipient, template values)
//   {type:'open-windows', phoneNumberId, from} → opens the customer-service window for these customers
// It exits on SIGTERM, or when the parent goes away.
import { WhatsAppCloudSimulator } from '../src/adapters/channels/whatsapp-cloud/simulator.js';
import type { ReceivedMessage, SimCommand, SimReply } from './common.js';
import { argValue, requireArg } from './common.js';

const argv = process.argv.slice(2);
const maxOutbox = Number(argValue(argv, 'max-outbox') ?? 200_000);

// No status webhooks: the bench measures webhook → send, and status callbacks would add load to the hub
// that the relay does not get. No request recording: it would grow the simulator's memory per message.
const sim = new WhatsAppCloudSimulator({ statusWebhooks: false, maxOutbox });
sim.recordRequests = false;
sim.addPhoneNumber({
  phoneNumberId: requireArg(argv, 'phone-number-id'),
  wabaId: requireArg(argv, 'waba-id'),
  accessToken: requireArg(argv, 'access-token'),
  appSecret: requireArg(argv, 'app-secret'),
  displayPhoneNumber: '15550783881',
  verifiedName: 'Bench Store',
  webhookUrl: null,
});

/**
 * Accepted messages so far. Polled several times a second while a run drains, so it must not render the
 * whole outbox (messages() builds every parameter list and text): the outbox Map's size is read directly.
 * That field is private to the simulator, hence the guarded cast and the slow public fallback.
 */
function count(): number {
  const outbox = (sim as unknown as { outbox?: unknown }).outbox;
  return outbox instanceof Map ? outbox.size : sim.messages().length;
}

function collect(clear: boolean): ReceivedMessage[] {
  const out = sim.messages().map((m) => ({ at: m.at, to: m.to, values: m.parameters.map((p) => p.value) }));
  // reset() forgets the outbox (and faults, windows) but keeps the phone number and its templates.
  if (clear) sim.reset();
  return out;
}

function reply(msg: SimReply): void {
  process.send?.(msg);
}

process.on('message', (raw: SimCommand) => {
  switch (raw.type) {
    case 'count':
      reply({ type: 'count', reqId: raw.reqId, count: count() });
      break;
    case 'collect':
      reply({ type: 'collect', reqId: raw.reqId, messages: collect(raw.clear) });
      break;
    case 'open-windows':
      // The chat bench posts the customers' messages to the hub itself (pre-signed, from the load generator),
      // so the simulator does not see them: their replies need the window those messages would have opened.
      for (const from of raw.from) sim.openWindow(raw.phoneNumberId, from);
      reply({ type: 'open-windows', reqId: raw.reqId, opened: raw.from.length });
      break;
  }
});

// The parent going away (even by SIGKILL) closes the IPC channel: do not outlive it.
process.on('disconnect', () => process.exit(0));

const url = await sim.listen(Number(argValue(argv, 'port') ?? 0), '127.0.0.1');
reply({ type: 'ready', url });
