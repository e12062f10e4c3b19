// The workspace's currency and language in notification previews (rendered without saving, before a notification
// is turned on), the fields each event offers to a template's placeholders, and the bot's answer to text it does
// not understand: the welcome menu by default, nothing (or only the merchant's message) when switched off.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MerchantSetup, TestHub } from './support/hub.js';
import { setUpMerchant, startTestHub } from './support/hub.js';
import { waitFor } from './support/services.js';
import { defaultChatSettings } from '../src/core/conversations/model.js';
import type { ChatSettings } from '../src/core/conversations/model.js';
import { hubVariants } from './support/variants.js';
import { sayOnLine, waitForHandled } from './support/chat.js';

const hex = (n: number) => randomBytes(n).toString('hex');

const variants = hubVariants('redis');

describe.each(variants)('previews in the shop’s currency and the menu for unknown text ($name)', (variant) => {
  let t: TestHub;
  let m: MerchantSetup;
  const lineChannel = { channelAccessToken: `line_${hex(16)}`, channelSecret: hex(16), botUserId: `U${hex(16)}`, displayName: 'Menu LINE' };

  beforeAll(async () => {
    t = await startTestHub(variant);
    m = await setUpMerchant(t, { enable: false });
    t.line.addChannel(lineChannel);
    const line = (await t.api<{ id: string; webhook_url: string }>('POST', '/v1/channel-accounts', m.key, { channel: 'line', provider: 'line', channel_access_token: lineChannel.channelAccessToken, channel_secret: lineChannel.channelSecret })).body;
    t.line.addChannel({ ...lineChannel, webhookUrl: line.webhook_url });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it('keeps the workspace’s currency and language, and refuses what is not one', async () => {
    const ws = await t.api<{ currency: string | null; language: string | null }>('GET', '/v1/workspace', m.key);
    expect(ws.body.currency).toBeNull();
    const set = await t.api<{ currency: string; language: string }>('PATCH', '/v1/workspace', m.key, { currency: 'twd', language: 'zh-Hant' });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ currency: 'TWD', language: 'zh-Hant' });
    const bad = await t.api<{ error: { message: string } }>('PATCH', '/v1/workspace', m.key, { currency: 'ZZZ' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^currency: ZZZ is not a currency code/);
    const badLanguage = await t.api<{ error: { message: string } }>('PATCH', '/v1/workspace', m.key, { language: 'klingon' });
    expect(badLanguage.status).toBe(400);
    expect(badLanguage.body.error.message).toMatch(/^language:/);
    expect((await t.api<{ currency: string }>('GET', '/v1/workspace', m.key)).body.currency).toBe('TWD');
  });

  it('previews a WhatsApp template with the mapped fields in the shop’s currency, without turning it on', async () => {
    const p = await t.api<{ preview: string; template_status: string; currency: string; variables: Record<string, string> }>('POST', '/v1/notification-settings/order.placed/whatsapp/preview', m.key, {
      template: { name: 'order_placed', language: 'en_US' },
      variables: { '1': 'customer_name', '2': 'customer_order_id', '3': 'order_total' },
    });
    expect(p.status).toBe(200);
    expect(p.body.template_status).toBe('APPROVED');
    expect(p.body.currency).toBe('TWD');
    expect(p.body.preview).toContain('Asha Verma');
    expect(p.body.preview).toContain('NT$998.00');
    expect(p.body.variables).toMatchObject({ '1': 'customer_name', '3': 'order_total' });
    const settings = await t.api<{ data: Array<{ event_type: string; channel: string; enabled: boolean }> }>('GET', '/v1/notification-settings', m.key);
    expect(settings.body.data.find((s) => s.event_type === 'order.placed' && s.channel === 'whatsapp')!.enabled).toBe(false);

    const unknownField = await t.api<{ error: { message: string } }>('POST', '/v1/notification-settings/order.placed/whatsapp/preview', m.key, { template: { name: 'order_placed', language: 'en_US' }, variables: { '1': 'shoe_size' } });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.error.message).toMatch(/^variables\.1: unknown variable shoe_size/);
    const missing = await t.api<{ error: { message: string } }>('POST', '/v1/notification-settings/order.placed/whatsapp/preview', m.key, { template: { name: 'no_such_template' } });
    expect(missing.status).toBe(400);
  });

  it('previews a built-in text in the shop’s language, and offers each event its own fields', async () => {
    const p = await t.api<{ preview: string; language: string; template_status: string }>('POST', '/v1/notification-settings/order.placed/line/preview', m.key, {});
    expect(p.status).toBe(200);
    expect(p.body.language).toBe('zh-Hant');
    expect(p.body.template_status).toBe('BUILTIN');
    expect(p.body.preview).toContain('NT$998.00');
    expect(p.body.preview).toContain('感謝您');
    const own = await t.api<{ preview: string }>('POST', '/v1/notification-settings/order.placed/line/preview', m.key, { template: { body: 'Total {{ order_total }}' } });
    expect(own.body.preview).toBe('Total NT$998.00');

    const placed = await t.api<{ data: Array<{ key: string }> }>('GET', '/v1/notification-variables?event_type=order.placed', m.key);
    const shipped = await t.api<{ data: Array<{ key: string }> }>('GET', '/v1/notification-variables?event_type=order.shipped', m.key);
    expect(placed.body.data.map((v) => v.key)).toContain('order_total');
    expect(placed.body.data.map((v) => v.key)).not.toContain('tracking_number');
    expect(shipped.body.data.map((v) => v.key)).toContain('tracking_number');
    const matrix = await t.api<{ data: Array<{ event_type: string; event_label: string }> }>('GET', '/v1/notification-matrix', m.key);
    expect(matrix.body.data.find((c) => c.event_type === 'order.placed')!.event_label).toBe('Order placed');
  });

  it('answers text it does not understand with the welcome menu by default, and not when switched off', async () => {
    expect((await t.api<{ unknown_text: string }>('GET', '/v1/chat-settings', m.key)).body.unknown_text).toBe('menu');
    // Settings saved before the choice existed read as "menu" too.
    const { unknownText: _none, ...older } = defaultChatSettings();
    await t.hub.uow.repos.chatSettings.set(m.workspaceId, older as ChatSettings);
    expect((await t.api<{ unknown_text: string }>('GET', '/v1/chat-settings', m.key)).body.unknown_text).toBe('menu');
    const menu = await t.api<{ id: string }>('POST', '/v1/flow-modules', m.key, {
      name: 'Main menu',
      text: 'Welcome to the tea house! What would you like to do?',
      buttons: [
        { id: 'orders', title: 'My orders', on_click: { kind: 'action', action: 'my_orders' } },
        { id: 'site', title: 'Our shop', on_click: { kind: 'url', url: 'https://tea.example/' } },
      ],
    });
    expect(menu.status).toBe(201);
    expect((await t.api('PUT', '/v1/chat-settings', m.key, { welcome_module_id: menu.body.id, escalate_after: 10 })).status).toBe(200);

    const user = `U${hex(16)}`;
    const out = () => t.line.messages(user);
    const says = (text: string) => sayOnLine(t, lineChannel.botUserId, user, { text });
    const texts = (ms: Array<{ text: string | null }>) => ms.map((x) => x.text ?? '').join('\n');
    expect(texts(await says('hi'))).toContain('Welcome to the tea house!');
    expect(texts(await says('what is the meaning of oolong'))).toContain('Welcome to the tea house!');

    expect((await t.api<{ unknown_text: string }>('PUT', '/v1/chat-settings', m.key, { unknown_text: 'nothing' })).body.unknown_text).toBe('nothing');
    const before = out().length;
    await t.line.emitInbound({ userId: user, botUserId: lineChannel.botUserId, text: 'still wondering about oolong' });
    // The message is handled (read) without an answer.
    await waitForHandled(t, m.key, 'still wondering about oolong', 'the unanswered message handled');
    expect(out().length).toBe(before);

    // Switched off, the merchant's own message still answers when it is on; with the menu on, it comes first.
    await t.api('PUT', '/v1/chat-settings', m.key, { incorrect_reply: { enabled: true, text: 'Sorry, I did not get that.' } });
    const only = await says('oolong?');
    expect(texts(only)).toContain('Sorry, I did not get that.');
    expect(texts(only)).not.toContain('Welcome to the tea house!');
    await t.api('PUT', '/v1/chat-settings', m.key, { unknown_text: 'menu' });
    const beforeBoth = out().length;
    await t.line.emitInbound({ userId: user, botUserId: lineChannel.botUserId, text: 'oolong??' });
    const both = await waitFor(() => (out().length >= beforeBoth + 2 ? out().slice(beforeBoth) : null), { what: 'the message and the menu' });
    expect(texts(both)).toMatch(/Sorry, I did not get that\.[\s\S]*Welcome to the tea house!/);
  }, 60_000);
});
