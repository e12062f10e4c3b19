// Merchant Liquid texts are untrusted: they render in memory with no file system, the tags that read other
// templates (include, render, layout) are refused when saved and never read a file when found in an older
// stored text, and render limits (steps, output, memory, time) cut off loops and outputs that would block the hub.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HubVariant, MerchantSetup, TestHub } from './support/hub.js';
import { setUpMerchant, startTestHub } from './support/hub.js';
import { storageKinds, waitFor } from './support/services.js';

interface Msg {
  channel: string;
  direction: string;
  status: string;
  reason: string | null;
  content: Record<string, unknown> | null;
}
interface ErrorBody {
  error: { code: string; message: string; details: { fields?: Array<{ field: string; message: string }> } | null };
}

const hex = (n: number) => randomBytes(n).toString('hex');

const variants: HubVariant[] = storageKinds.map((db) => ({ name: db === 'sqlite' ? 'SQLite' : 'PostgreSQL', db, redis: false }));

// Text that must never reach a merchant or a buyer: lines of the files the exploit aimed at.
const packageName = `"name": "${(JSON.parse(fs.readFileSync('package.json', 'utf8')) as { name: string }).name}"`;
const fileTexts = [packageName, '"dependencies"', 'ENOENT', 'lookup', 'no such file'];
const expectNoFile = (text: string) => {
  for (const leaked of fileTexts) expect(text).not.toContain(leaked);
};

describe.each(variants)('merchant templates ($name)', (variant) => {
  let t: TestHub;
  let m: MerchantSetup;
  let account: { id: string; webhook_url: string };
  const from = '+15005550006';

  beforeAll(async () => {
    t = await startTestHub(variant);
    m = await setUpMerchant(t, { enable: false });
    const accountSid = `AC${hex(16)}`;
    const authToken = hex(16);
    t.twilio.addAccount({ accountSid, authToken, numbers: [from] });
    const created = await t.api<typeof account>('POST', '/v1/channel-accounts', m.key, { channel: 'sms', provider: 'twilio', account_sid: accountSid, auth_token: authToken, from });
    expect(created.status).toBe(201);
    account = created.body;
    t.twilio.setSmsUrl(from, account.webhook_url);
  });
  afterAll(async () => {
    await t?.close();
  });

  const put = (body: unknown, channel = 'sms') => t.api<ErrorBody & { preview: string }>('PUT', `/v1/notification-settings/order.placed/${channel}`, m.key, body);
  const smsFor = async (orderName: string): Promise<Msg | null> => {
    const orders = await t.api<{ data: Array<{ id: string }> }>('GET', `/v1/orders?query=${encodeURIComponent(orderName)}`, m.key);
    const order = orders.body.data[0];
    if (!order) return null;
    const msgs = await t.api<{ data: Msg[] }>('GET', `/v1/messages?order_id=${order.id}`, m.key);
    return msgs.body.data.find((x) => x.channel === 'sms' && x.direction === 'outbound') ?? null;
  };
  /** Stores a text as an older version (with no checks when saved) would have. */
  const storeUnchecked = async (body: string) => {
    await t.hub.uow.repos.settings.upsert(m.workspaceId, {
      eventType: 'order.placed',
      channel: 'sms',
      enabled: true,
      channelAccountId: account.id,
      templateName: 'custom',
      templateLanguage: 'en',
      templateId: null,
      binding: { parameterFormat: 'NAMED', parameters: [] },
      chargesConfirmedAt: null,
      chargesConfirmedBy: null,
      customTemplate: { body, subject: null },
    });
  };

  it('refuses include, render and layout when saved, naming the tag and the field, the same whether the file exists or not', async () => {
    expect.hasAssertions();
    const files = ['data/master.key', 'package.json', 'no-such-file-here.txt', '/etc/passwd', '../package.json'];
    for (const tag of ['include', 'render', 'layout']) {
      const messages = new Set<string>();
      for (const file of files) {
        for (const body of [`Hi {{ customer_name }} {% ${tag} '${file}' %}`, `{% liquid\n ${tag} '${file}'\n%}`, `{%- ${tag} "${file}" -%}`]) {
          const res = await put({ enabled: true, template: { body } });
          expect(res.status, body).toBe(400);
          expect(res.body.error.code).toBe('validation_failed');
          expect(res.body.error.details?.fields?.[0]?.field).toBe('template.body');
          expect(res.body.error.message).toContain('template.body');
          expect(res.body.error.message).toContain(`${tag} tag`);
          expectNoFile(JSON.stringify(res.body));
          // Nothing in the answer tells an existing file from a missing one.
          messages.add(res.body.error.message.replace(/ \(line \d+, column \d+\)/, '').replaceAll(file, 'FILE'));
        }
      }
      expect(messages.size).toBeLessThanOrEqual(3);
    }
  });

  it('refuses the tags in an e-mail subject, naming the subject', async () => {
    const username = `shop-${hex(4)}`;
    const password = hex(12);
    t.smtp.addAccount({ username, password });
    const mail = await t.api('POST', '/v1/channel-accounts', m.key, {
      channel: 'email',
      provider: 'smtp',
      host: '127.0.0.1',
      port: t.smtpPort,
      security: 'none',
      username,
      password,
      from_address: 'orders@kapaskraft.example',
      from_name: 'KapasKraft',
    });
    expect(mail.status).toBe(201);
    const res = await put({ enabled: true, template: { subject: `{{ brand }} {% layout 'package.json' %}`, body: 'Order {{ customer_order_id }}' } }, 'email');
    expect(res.status).toBe(400);
    expect(res.body.error.details?.fields?.[0]?.field).toBe('template.subject');
    expect(res.body.error.message).toContain('layout tag');
    expectNoFile(JSON.stringify(res.body));
  });

  it('renders an older stored text with such a tag without reading any file: the test send is refused and the notification skipped', async () => {
    await storeUnchecked(`Order {{ customer_order_id }} {% include 'package.json' %}{% render 'data/master.key' %}`);
    const test = await t.api<ErrorBody>('POST', '/v1/notification-settings/order.placed/sms/test-send', m.key, { to: '+48601234567' });
    expect(test.status).toBe(400);
    expect(test.body.error.message).toContain('template.body');
    expect(test.body.error.message).toContain('include tag');
    expectNoFile(JSON.stringify(test.body));

    const settings = await t.api<{ data: unknown[] }>('GET', '/v1/notification-settings', m.key);
    expect(settings.status).toBe(200);
    expectNoFile(JSON.stringify(settings.body));

    const { order } = await t.shopify.placeOrder(m.shop, { phone: '+48 601 234 567' });
    const skipped = await waitFor(async () => {
      const msg = await smsFor(order.name);
      return msg && msg.status !== 'queued' && msg.status !== 'sending' ? msg : null;
    }, { what: 'the skipped SMS' });
    expect(skipped.status).toBe('skipped');
    expect(skipped.reason).toMatch(/include tag/);
    expectNoFile(JSON.stringify(skipped));
    for (const sms of t.twilio.messages('+48601234567')) expectNoFile(sms.body);
  });

  it('cuts off enormous loops, outputs and allocations with a clear error, and answers other requests meanwhile', async () => {
    // Which of two limits stops a loop first may depend on the machine's speed; either one cuts it off.
    const cases: Array<[string, RegExp]> = [
      // A million loop passes, each too small for the memory limit.
      ['{% for a in (1..999) %}{% for b in (1..999) %}x{% endfor %}{% endfor %}', /too many steps|takes longer than \d+ ms/],
      ['{% for a in (1..999) %}{% for b in (1..999) %}{% endfor %}{% endfor %}', /too many steps|takes longer than \d+ ms/],
      // A long string printed until the output is enormous.
      [`{% assign s = "${'x'.repeat(3000)}" %}{% for a in (1..999) %}{{ s }}{{ s }}{{ s }}{% endfor %}`, /output is longer than 20,000 characters/],
      [`{% assign s = "${'x'.repeat(1000)}" %}{% for a in (1..999) %}{% for b in (1..999) %}{{ s }}{% endfor %}{% endfor %}`, /output is longer than 20,000 characters/],
      // A range far too big to build, and a string doubled until it is too big.
      ['{% for a in (1..100000000) %}x{% endfor %}', /too much memory/],
      [`{% assign s = "xxxxxxxxxxxxxxxx" %}${'{% assign s = s | append: s %}'.repeat(30)}{{ s | size }}`, /too much memory/],
      [`{% assign s = "xxxxxxxxxxxxxxxx" %}${'{% assign s = s | append: s %}'.repeat(16)}{{ s | split: "" | sort | join: "" }}`, /too much memory/],
    ];
    for (const [body, problem] of cases) {
      const [res, health] = await Promise.all([put({ enabled: true, template: { body } }), t.hub.http!.inject({ method: 'GET', url: '/healthz' })]);
      expect(res.status, body.slice(0, 60)).toBe(400);
      expect(res.body.error.message).toContain('template.body');
      expect(res.body.error.message).toMatch(problem);
      expect(health.statusCode).toBe(200);
    }

    // The same text stored by an older version is cut off when an order comes, and the notification skipped.
    await storeUnchecked(cases[3]![0]);
    const { order } = await t.shopify.placeOrder(m.shop, { phone: '+48 601 234 568' });
    const skipped = await waitFor(async () => {
      const msg = await smsFor(order.name);
      return msg && msg.status !== 'queued' && msg.status !== 'sending' ? msg : null;
    }, { what: 'the skipped SMS' });
    expect(skipped.status).toBe('skipped');
    expect(skipped.reason).toMatch(/longer than/);
  });

  it('still renders merchant texts with loops and filters, and the built-in texts', async () => {
    const own = await put({
      enabled: true,
      template: { body: '{% assign words = "a,b,c" | split: "," %}Order {{ customer_order_id | upcase }}:{% for w in words %} {{ w }}{% endfor %}{% if order_total %} ({{ order_total }}){% endif %}' },
    });
    expect(own.status).toBe(200);
    expect(own.body.preview).toBe('Order ORD123456: a b c (₹998.00)');

    for (const language of ['en', 'zh-Hant', 'pl']) {
      const builtin = await put({ enabled: true, template: { name: 'builtin', language } });
      expect(builtin.status).toBe(200);
      expect(builtin.body.preview).toContain('ORD123456');
    }
    const { order } = await t.shopify.placeOrder(m.shop, { phone: '+48 601 234 569' });
    const sent = await waitFor(async () => {
      const msg = await smsFor(order.name);
      return msg && msg.status !== 'queued' && msg.status !== 'sending' ? msg : null;
    }, { what: 'the SMS' });
    expect(sent.status).not.toBe('skipped');
    const sms = t.twilio.messages('+48601234569').at(-1)!;
    expect(sms.body).toContain(order.name);
  });
});
