// Twilio Programmable Messaging (SMS) as a provider.
import { z } from 'zod';
import { defineChannel } from '../../../core/connections/definition.js';
import { credential, field, nameField, ownerField, rateLimitField } from '../../../core/connections/fields.js';
import { invalidField } from '../../../core/errors.js';
import { toE164 } from '../../../core/phone.js';
import { TwilioSmsAdapter } from './adapter.js';

export const twilioProvider = defineChannel({
  id: 'twilio',
  kind: 'channel',
  channel: 'sms',
  label: 'Twilio',
  title: 'SMS (Twilio)',
  credentials: z.object({
    name: nameField(),
    account_sid: field(credential(1, 64, { trim: true }), { label: 'Account SID', example: 'AC0123456789abcdef0123456789abcdef' }),
    auth_token: field(credential(8, 500), { label: 'Auth token', secret: true }),
    from: field(z.string().trim().max(20), { label: 'From number', help: 'or a messaging service SID', example: '+14155550123' }).optional(),
    messaging_service_sid: field(z.string().trim().regex(/^MG[0-9a-fA-F]{32}$/, 'must be a Messaging Service SID (MG followed by 32 hex characters)'), {
      label: 'Messaging service SID',
      example: 'MG0123456789abcdef0123456789abcdef',
    }).optional(),
    owner: ownerField(),
    rate_limit_per_second: rateLimitField(),
  }),
  // A long code sends about 1 message per second; a Messaging Service pools several.
  rateLimitPerSecond: 10,
  webhooks: { paths: ['twilio', 'sms'], published: 'sms', signature: 'X-Twilio-Signature: <base64 HMAC-SHA1 of the URL and sorted form parameters with the auth token>', reply: 'twiml' },
  baseUrls: [{ env: 'SHOPTALK_TWILIO_API_URL', key: 'twilioApiUrl', default: 'https://api.twilio.com' }],
  create: (ctx) => new TwilioSmsAdapter({ baseUrl: ctx.url('twilioApiUrl'), timeoutMs: ctx.timeoutMs }),
  async connect(input, ctx) {
    const accountSid = input.account_sid.trim();
    if (!/^AC[0-9a-fA-F]{32}$/.test(accountSid)) throw invalidField('account_sid', 'must be the Twilio Account SID (AC followed by 32 hex characters)');
    if (!input.from && !input.messaging_service_sid) throw invalidField('from', 'give the sending number (E.164) or a messaging_service_sid');
    const settings: Record<string, string> = { accountSid };
    if (input.messaging_service_sid) settings['messagingServiceSid'] = input.messaging_service_sid.trim();
    if (input.from) {
      const from = toE164(input.from);
      if (!from) throw invalidField('from', 'must be a phone number with its country code, e.g. +14155550123');
      settings['from'] = from;
    }
    const secrets = { authToken: input.auth_token };
    const verified = await ctx.verify((a) => a.verifyAccount({ settings, secrets }));
    return {
      externalId: settings['messagingServiceSid'] ?? settings['from']!,
      settings,
      secrets,
      verified,
      // Status callbacks come back to the account's webhook URL, which is known once the account has an id.
      afterCreate: (webhookUrl) => ({ statusCallbackUrl: webhookUrl }),
    };
  },
});
