// X-Hub-Signature-256 ("sha256=" + lowercase hex HMAC-SHA256 of the raw body with the app secret), checked by
// both Meta adapters against a published known-answer vector, never against our own signer. The vector is
// GitHub's documented example of the same header scheme (docs.github.com, "Validating webhook deliveries"):
// secret "It's a Secret to Everybody", payload "Hello, World!".
import { describe, expect, it } from 'vitest';
import type { ChannelAdapter, RawWebhook } from '../../core/channels/ports.js';
import { WhatsAppCloudAdapter } from './whatsapp-cloud/adapter.js';
import { MessengerAdapter } from './messenger/adapter.js';

const SECRET = "It's a Secret to Everybody";
const BODY = Buffer.from('Hello, World!', 'utf8');
const EXPECTED = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';

const hook = (signature: string | undefined, body = BODY): RawWebhook => ({ body, headers: signature === undefined ? {} : { 'x-hub-signature-256': signature }, query: {} });

describe.each<[string, ChannelAdapter]>([
  ['WhatsApp Cloud', new WhatsAppCloudAdapter({ baseUrl: 'http://127.0.0.1:9' })],
  ['Messenger', new MessengerAdapter({ baseUrl: 'http://127.0.0.1:9' })],
])('%s webhook signature', (_name, adapter) => {
  const account = { settings: {}, secrets: { appSecret: SECRET } };

  it('accepts the known-answer vector', () => {
    expect(adapter.verifyWebhook(account, hook(EXPECTED))).toBe(true);
    // Hex is case-insensitive on the wire.
    expect(adapter.verifyWebhook(account, hook(EXPECTED.toUpperCase().replace('SHA256=', 'sha256=')))).toBe(true);
  });

  it('refuses a changed body, another secret, a changed digit, or no header', () => {
    expect(adapter.verifyWebhook(account, hook(EXPECTED, Buffer.from('Hello, World?')))).toBe(false);
    expect(adapter.verifyWebhook({ settings: {}, secrets: { appSecret: `${SECRET}!` } }, hook(EXPECTED))).toBe(false);
    expect(adapter.verifyWebhook(account, hook(EXPECTED.replace(/7$/, '8')))).toBe(false);
    expect(adapter.verifyWebhook(account, hook(EXPECTED.replace('sha256=', 'sha1=')))).toBe(false);
    expect(adapter.verifyWebhook(account, hook(undefined))).toBe(false);
  });
});
