// The generic signed-webhook source against a known answer, not against our own signer:
//   Shoptalk-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(signing secret, "<t>.<raw body>")>
// The v1 below is `printf '%s' '1700000000.<body>' | openssl dgst -sha256 -hmac whsec_kat_secret`.
import { describe, expect, it } from 'vitest';
import type { RawWebhook } from '../../../core/channels/ports.js';
import type { StoreConnectionCredentials } from '../../../core/stores/ports.js';
import { GenericSourceAdapter, signGenericBody } from './index.js';

const SECRET = 'whsec_kat_secret';
const BODY = '{"id":"evt_1","type":"order.paid"}';
const V1 = '9ea40721c19da9a6821312377a7a44dae27aa675fafe52f207122d35d47afc65';
const connection: StoreConnectionCredentials = { settings: {}, secrets: { signingSecret: SECRET } };
const hook = (signature: string, body = BODY): RawWebhook => ({ body: Buffer.from(body), headers: { 'shoptalk-signature': signature }, query: {} });

describe('Shoptalk-Signature known-answer vector', () => {
  it('accepts the known signature inside the five-minute window, with a second v1 during a rotation', () => {
    const at = (now: number) => new GenericSourceAdapter({ now: () => now });
    expect(at(1_700_000_000).verifyWebhook(connection, hook(`t=1700000000,v1=${V1}`))).toBe(true);
    expect(at(1_700_000_300).verifyWebhook(connection, hook(`t=1700000000,v1=${V1}`))).toBe(true);
    expect(at(1_699_999_700).verifyWebhook(connection, hook(`t=1700000000,v1=${V1}`))).toBe(true);
    expect(at(1_700_000_000).verifyWebhook(connection, hook(`t=1700000000,v1=${'0'.repeat(64)},v1=${V1}`))).toBe(true);
  });

  it('refuses it outside the window, for another body, timestamp or secret', () => {
    const adapter = new GenericSourceAdapter({ now: () => 1_700_000_000 });
    expect(new GenericSourceAdapter({ now: () => 1_700_000_301 }).verifyWebhook(connection, hook(`t=1700000000,v1=${V1}`))).toBe(false);
    expect(new GenericSourceAdapter({ now: () => 1_699_999_699 }).verifyWebhook(connection, hook(`t=1700000000,v1=${V1}`))).toBe(false);
    expect(adapter.verifyWebhook(connection, hook(`t=1700000000,v1=${V1}`, BODY.replace('paid', 'paiD')))).toBe(false);
    expect(adapter.verifyWebhook(connection, hook(`t=1700000001,v1=${V1}`))).toBe(false);
    expect(adapter.verifyWebhook({ settings: {}, secrets: { signingSecret: 'whsec_kat_secreT' } }, hook(`t=1700000000,v1=${V1}`))).toBe(false);
    expect(adapter.verifyWebhook(connection, hook(`v1=${V1}`))).toBe(false);
  });

  it('the sender-side helper produces the same header', () => {
    expect(signGenericBody(SECRET, BODY, 1_700_000_000)).toBe(`t=1700000000,v1=${V1}`);
  });
});
