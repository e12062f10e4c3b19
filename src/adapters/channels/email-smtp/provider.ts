// E-mail over the merchant's SMTP server as a provider.
import { z } from 'zod';
import { defineChannel } from '../../../core/connections/definition.js';
import { field, nameField, ownerField, providerText, rateLimitField } from '../../../core/connections/fields.js';
import { invalidField } from '../../../core/errors.js';
import { checkDestinationHost } from '../../../core/net/destinations.js';
import { SmtpEmailAdapter } from './adapter.js';

export const smtpProvider = defineChannel({
  id: 'smtp',
  kind: 'channel',
  channel: 'email',
  label: 'SMTP',
  title: 'E-mail (SMTP)',
  credentials: z.object({
    name: nameField(),
    host: field(z.string().trim().min(1).max(255), { label: 'SMTP host', example: 'smtp.example.com' }),
    port: field(z.number().int().min(1).max(65535), { label: 'Port', example: 587 }),
    security: field(z.enum(['tls', 'starttls', 'none']), { label: 'Security', help: 'tls: TLS from the start (port 465); starttls: upgraded (587)' }),
    username: field(providerText(320), { label: 'Username' }).optional(),
    password: field(providerText(500), { label: 'Password', secret: true }).optional(),
    from_address: field(z.string().trim().max(320), { label: 'From address', format: 'email', example: 'orders@example.com' }),
    from_name: field(providerText(200).trim(), { label: 'From name', example: 'Acme Shop' }).optional(),
    reply_to: field(z.string().trim().email().max(320), { label: 'Reply-to address', format: 'email' }).optional(),
    owner: ownerField(),
    rate_limit_per_second: rateLimitField(),
  }),
  rateLimitPerSecond: 20,
  webhooks: { paths: ['smtp', 'email'], published: 'email', signature: 'X-Shoptalk-Mail-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body" with the webhook secret>' },
  create: (ctx) => new SmtpEmailAdapter({ guard: ctx.guard, timeoutMs: ctx.timeoutMs }),
  /**
   * E-mail goes out over the merchant's SMTP server. Inbound mail and bounce reports come back from the mail
   * relay as signed posts; the signing secret is generated here and shown once.
   */
  async connect(input, ctx) {
    const fromAddress = input.from_address.trim().toLowerCase();
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(fromAddress)) throw invalidField('from_address', 'must be an e-mail address');
    const host = input.host.trim().toLowerCase();
    if (!/^[a-z0-9.-]+$/.test(host)) throw invalidField('host', 'must be the SMTP server’s host name');
    checkDestinationHost('host', host, ctx.destinations);
    const settings: Record<string, string> = { host, port: String(input.port), security: input.security, fromAddress };
    if (input.from_name) settings['fromName'] = input.from_name.trim();
    if (input.reply_to) settings['replyTo'] = input.reply_to.trim();
    if (input.username) settings['username'] = input.username;
    const webhookSecret = `whsec_${ctx.randomToken(32)}`;
    const secrets: Record<string, string> = { webhookSecret };
    if (input.password) secrets['password'] = input.password;
    const verified = await ctx.verify((a) => a.verifyAccount({ settings, secrets }));
    // Shown once: the mail relay signs inbound mail and bounce reports with it.
    return { externalId: fromAddress, settings, secrets, verified, once: () => ({ webhook_secret: webhookSecret }) };
  },
});
