// Interactive content and rich menus on LINE, against the simulator over real HTTP: quick replies and flex
// carousels with their limits, reply (token) vs push (retry key), the invalid-reply-token fallback signal,
// configurable token expiry, and setMenu's three calls (create, image on the data host, default).
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { ChannelAccountCredentials, ChatMenu, InteractiveContent, SendRequest } from '../../../core/channels/ports.js';
import { LineAdapter, RICH_MENU_SIZE, retryKeyFor, richMenuImage } from './index.js';
import { LineSimulator } from './simulator.js';
import { crc32 } from './rich-menu-image.js';
import { WebhookReceiver } from '../../../../test/support/receiver.js';
import { expectProviderError } from '../../../../test/support/provider-error.js';
import { serveSimulator } from '../../../../test/support/simulator-tests.js';

const CHANNEL = {
  channelAccessToken: 'line-interactive-token',
  channelSecret: 'line-interactive-secret',
  botUserId: 'U0123456789abcdef0123456789abcde0',
  displayName: 'Shoptalk Sandbox',
};
const USER = 'U4af4980629aaaabbbbccccddddeeee00';
const account: ChannelAccountCredentials = {
  settings: { channelId: '1657000001' },
  secrets: { channelAccessToken: CHANNEL.channelAccessToken, channelSecret: CHANNEL.channelSecret },
};

const buttons = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `choice-${i + 1}`, title: `Choice ${i + 1}` }));
const card = (i: number) => ({ title: `Order #${1000 + i}`, subtitle: 'Shipped', url: `https://shop.example/orders/${1000 + i}`, linkTitle: 'View order' });
const interactive = (content: Omit<InteractiveContent, 'kind'>, idempotencyKey = 'k'): SendRequest => ({
  to: USER,
  idempotencyKey,
  content: { kind: 'interactive', ...content },
});
const menu = (n: number): ChatMenu => ({
  name: 'main',
  chatBarText: 'Shop menu',
  items: Array.from({ length: n }, (_, i) => (i === n - 1 ? { title: 'Website', url: 'https://shop.example' } : { title: `Item ${i}`, payload: `menu:${i}` })),
});

describe('LINE interactive messages and rich menus', () => {
  const sim = new LineSimulator();
  const receiver = new WebhookReceiver('/webhooks/line');
  let adapter: LineAdapter;

  serveSimulator(sim, [receiver], {
    // The simulator serves the api-data host's routes too.
    started: (baseUrl) => (adapter = new LineAdapter({ baseUrl, dataBaseUrl: baseUrl, timeoutMs: 2000 })),
    seed: () => {
      sim.replyTokenTtlMs = 60_000;
      sim.addChannel({ ...CHANNEL, webhookUrl: receiver.url });
    },
  });

  it('pushes buttons as postback quick replies on the text, links appended, with the retry key', async () => {
    const result = await adapter.send(
      account,
      interactive({ text: 'What next?', buttons: [...buttons(2), { id: 'long', title: 'A very long quick reply label' }], links: [{ title: 'Track', url: 'https://t.example/1' }] }, 'order-1-menu'),
    );
    const out = sim.messages(USER);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ id: result.providerMessageId, via: 'push', retryKey: retryKeyFor('order-1-menu') });
    expect(out[0]?.message).toEqual({
      type: 'text',
      text: 'What next?\n\nTrack: https://t.example/1',
      quickReply: {
        items: [
          { type: 'action', action: { type: 'postback', label: 'Choice 1', data: 'choice-1', displayText: 'Choice 1' } },
          { type: 'action', action: { type: 'postback', label: 'Choice 2', data: 'choice-2', displayText: 'Choice 2' } },
          { type: 'action', action: { type: 'postback', label: 'A very long quick r…', data: 'long', displayText: 'A very long quick reply label' } },
        ],
      },
    });
  });

  it('sends cards as a flex carousel of bubbles before the text; returns the first message id', async () => {
    const result = await adapter.send(account, interactive({ text: 'Your orders', buttons: buttons(1), cards: [card(1), { title: 'Order #2', subtitle: '', url: null }] }));
    const [flex, text] = sim.messages(USER);
    expect(result.providerMessageId).toBe(flex?.id);
    expect(flex?.message).toMatchObject({ type: 'flex', altText: 'Your orders', contents: { type: 'carousel' } });
    const bubbles = (flex?.message['contents'] as { contents: Array<Record<string, unknown>> }).contents;
    expect(bubbles).toHaveLength(2);
    expect(bubbles[0]).toMatchObject({
      type: 'bubble',
      body: { contents: [{ type: 'text', text: 'Order #1001' }, { type: 'text', text: 'Shipped' }] },
      footer: { contents: [{ type: 'button', action: { type: 'uri', label: 'View order', uri: 'https://shop.example/orders/1001' } }] },
    });
    expect(bubbles[1]?.['footer']).toBeUndefined();
    expect(text?.message).toMatchObject({ type: 'text', text: 'Your orders', quickReply: { items: [{ action: { data: 'choice-1' } }] } });
  });

  it('enforces the limits: 13 quick replies and 12 bubbles pass, more is permanent without a call', async () => {
    await adapter.send(account, interactive({ text: 'x', buttons: buttons(13), cards: Array.from({ length: 12 }, (_, i) => card(i)) }, 'k-max'));
    expect(sim.messages(USER)).toHaveLength(2);
    const before = sim.requests().length;
    expect((await expectProviderError(adapter.send(account, interactive({ text: 'x', buttons: buttons(14) })))).message).toMatch(/at most 13/);
    expect((await expectProviderError(adapter.send(account, interactive({ text: 'x', buttons: [], cards: Array.from({ length: 13 }, (_, i) => card(i)) })))).kind).toBe('permanent');
    expect(sim.requests()).toHaveLength(before);
  });

  it('the simulator validates quick replies, flex carousels and text length with LINE details', async () => {
    const item = (label: string, data = 'd') => ({ type: 'action', action: { type: 'postback', label, data } });
    const bubble = { type: 'bubble', body: { type: 'box', layout: 'vertical', contents: [{ type: 'text', text: 't' }] } };
    const cases: Array<[unknown, string]> = [
      [{ type: 'text', text: 'x', quickReply: { items: Array.from({ length: 14 }, () => item('a')) } }, 'messages[0].quickReply.items: Size must be between 0 and 13'],
      [{ type: 'text', text: 'x', quickReply: { items: [item('x'.repeat(21))] } }, 'messages[0].quickReply.items[0].action.label'],
      [{ type: 'text', text: 'x', quickReply: { items: [item('a', 'd'.repeat(301))] } }, 'messages[0].quickReply.items[0].action.data'],
      [{ type: 'text', text: 'x', quickReply: { items: [{ type: 'action', action: { type: 'uri', label: 'a', uri: 'https://x' } }] } }, 'action.type'],
      [{ type: 'flex', altText: 'a', contents: { type: 'carousel', contents: Array.from({ length: 13 }, () => bubble) } }, 'messages[0].contents.contents: Size must be between 1 and 12'],
      [{ type: 'flex', altText: '', contents: bubble }, 'messages[0].altText'],
      [{ type: 'flex', altText: 'a', contents: { type: 'bubble', footer: { type: 'box', contents: [{ type: 'button', action: { type: 'uri', label: 'a', uri: 'nope' } }] } } }, 'footer.contents[0].action.uri: Invalid URI'],
      [{ type: 'text', text: 'x'.repeat(5001) }, 'messages[0].text'],
    ];
    for (const [message, detail] of cases) {
      const err = await expectProviderError(adapter.push(account, USER, [message], null));
      expect(err).toMatchObject({ kind: 'permanent', httpStatus: 400 });
      expect(err.message).toContain(detail);
    }
    expect(sim.messages(USER)).toHaveLength(0);
  });

  it('replies (no push, no retry key) when the content carries a reply token, for interactive and text', async () => {
    const token = await sim.emitInbound({ userId: USER, text: 'menu' });
    const result = await adapter.send(account, interactive({ text: 'Pick', buttons: buttons(2), replyToken: token }));
    expect(sim.messages(USER)).toMatchObject([{ id: result.providerMessageId, via: 'reply', retryKey: null }]);
    const second = await sim.emitInbound({ userId: USER, text: 'thanks' });
    await adapter.send(account, { to: USER, idempotencyKey: 'k2', content: { kind: 'text', text: 'You are welcome', replyToken: second } });
    expect(sim.messages(USER).map((m) => m.via)).toEqual(['reply', 'reply']);
    expect(sim.requests('/v2/bot/message/push')).toHaveLength(0);
    expect(sim.requests('/v2/bot/message/reply')).toHaveLength(2);
  });

  it('a used, expired or unknown reply token is permanent with providerCode invalid_reply_token; a push then works', async () => {
    const token = await sim.emitInbound({ userId: USER, text: 'hi' });
    const content = { text: 'Pick', buttons: buttons(1), replyToken: token };
    await adapter.send(account, interactive(content));
    const reused = await expectProviderError(adapter.send(account, interactive(content)));
    expect(reused).toMatchObject({ kind: 'permanent', httpStatus: 400, providerCode: 'invalid_reply_token' });

    sim.replyTokenTtlMs = 20;
    const stale = await sim.emitInbound({ userId: USER, text: 'hi again' });
    await new Promise((resolve) => setTimeout(resolve, 40));
    const expired = await expectProviderError(adapter.send(account, { to: USER, idempotencyKey: 'k3', content: { kind: 'text', text: 'late', replyToken: stale } }));
    expect(expired.providerCode).toBe('invalid_reply_token');
    expect((await expectProviderError(adapter.send(account, interactive({ ...content, replyToken: 'never-issued' })))).providerCode).toBe('invalid_reply_token');

    // The hub's fallback: the same content without the token goes out as a push.
    await adapter.send(account, interactive({ ...content, replyToken: null }, 'fallback'));
    expect(sim.messages(USER).map((m) => m.via)).toEqual(['reply', 'push']);
  });

  it('classifies faults on replies: 429 → retry_after, 500 → retryable', async () => {
    const token = await sim.emitInbound({ userId: USER, text: 'hi' });
    sim.injectFault({ kind: 'status', status: 429, retryAfter: 4, path: '/v2/bot/message/reply' });
    expect(await expectProviderError(adapter.send(account, interactive({ text: 'x', buttons: buttons(1), replyToken: token })))).toMatchObject({ kind: 'retry_after', retryAfterMs: 4000 });
    sim.injectFault({ kind: 'status', status: 500, path: '/v2/bot/message/reply' });
    expect(await expectProviderError(adapter.send(account, interactive({ text: 'x', buttons: buttons(1), replyToken: token })))).toMatchObject({ kind: 'retryable' });
  });

  it('inbound events carry a reply token and postback data (the quick-reply or rich-menu tap) as payload', async () => {
    const textToken = await sim.emitInbound({ userId: USER, text: 'hello' });
    const tapToken = await sim.emitInbound({ userId: USER, postbackData: 'choice-2' });
    const [textHook, tapHook] = await receiver.waitFor(2);
    expect(adapter.parseWebhookEvents(textHook!.body)).toMatchObject([{ text: 'hello', payload: null, replyToken: textToken }]);
    expect(adapter.parseWebhook(tapHook!.body).messages).toMatchObject([{ from: USER, payload: 'choice-2' }]);
    expect(adapter.parseWebhookEvents(tapHook!.body)[0]?.replyToken).toBe(tapToken);
  });

  describe('setMenu', () => {
    it('creates a 2500×843 rich menu in equal columns, uploads a PNG to the data host, and makes it the default', async () => {
      const { menuId } = await adapter.setMenu(account, menu(3));
      expect(menuId).toMatch(/^richmenu-[0-9a-f]{32}$/);
      expect(sim.requests().map((r) => `${r.method} ${r.path}`)).toEqual([
        'POST /v2/bot/richmenu',
        `POST /v2/bot/richmenu/${menuId}/content`,
        `POST /v2/bot/user/all/richmenu/${menuId}`,
      ]);
      expect(sim.requests()[1]?.headers['content-type']).toBe('image/png');
      const [stored] = sim.listRichMenus();
      expect(stored).toMatchObject({ richMenuId: menuId, isDefault: true, image: { contentType: 'image/png' } });
      expect(stored?.body).toMatchObject({ size: { width: 2500, height: 843 }, chatBarText: 'Shop menu', name: 'main' });
      expect(stored?.body['areas']).toEqual([
        { bounds: { x: 0, y: 0, width: 833, height: 843 }, action: { type: 'postback', label: 'Item 0', data: 'menu:0', displayText: 'Item 0' } },
        { bounds: { x: 833, y: 0, width: 833, height: 843 }, action: { type: 'postback', label: 'Item 1', data: 'menu:1', displayText: 'Item 1' } },
        { bounds: { x: 1666, y: 0, width: 834, height: 843 }, action: { type: 'uri', label: 'Website', uri: 'https://shop.example' } },
      ]);
      const current = await fetch(`${sim.baseUrl}/v2/bot/user/all/richmenu`, { headers: { authorization: `Bearer ${CHANNEL.channelAccessToken}` } });
      expect(await current.json()).toEqual({ richMenuId: menuId });
    });

    it('clips chatBarText to 14 and refuses 0 or more than 6 items without a call', async () => {
      await adapter.setMenu(account, { ...menu(6), chatBarText: 'A rather long chat bar text' });
      expect(sim.listRichMenus()[0]?.body['chatBarText']).toBe('A rather long…');
      const calls = sim.requests().length;
      expect((await expectProviderError(adapter.setMenu(account, menu(7)))).kind).toBe('permanent');
      expect((await expectProviderError(adapter.setMenu(account, { ...menu(1), items: [] }))).kind).toBe('permanent');
      expect(sim.requests()).toHaveLength(calls);
    });

    it('deletes the half-made menu when the image upload fails, and keeps the error kind', async () => {
      sim.injectFault({ kind: 'status', status: 503, path: '/v2/bot/richmenu/' });
      const err = await expectProviderError(adapter.setMenu(account, menu(2)));
      expect(err.kind).toBe('retryable');
      expect(sim.requests().map((r) => r.method)).toEqual(['POST', 'DELETE']);
      expect(sim.listRichMenus()).toEqual([]);
    });

    it('uploads to api-data.line.me only for the production API host; otherwise to the same host', async () => {
      const local = new LineAdapter({ baseUrl: sim.baseUrl });
      const { menuId } = await local.setMenu(account, menu(1));
      expect(sim.requests(`/v2/bot/richmenu/${menuId}/content`)).toHaveLength(1);
    });

    it('a refused token is permanent', async () => {
      const err = await expectProviderError(adapter.setMenu({ ...account, secrets: { channelAccessToken: 'wrong' } }, menu(2)));
      expect(err).toMatchObject({ kind: 'permanent', httpStatus: 401 });
    });

    it('the simulator validates rich menus and the image order with LINE bodies', async () => {
      const auth = { authorization: `Bearer ${CHANNEL.channelAccessToken}` };
      const create = (body: unknown) => fetch(`${sim.baseUrl}/v2/bot/richmenu`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const good = { size: { width: 2500, height: 843 }, selected: false, name: 'm', chatBarText: 'Menu', areas: [{ bounds: { x: 0, y: 0, width: 2500, height: 843 }, action: { type: 'postback', data: 'x' } }] };
      const bad = await create({ ...good, chatBarText: 'x'.repeat(15), areas: [{ bounds: { x: 2000, y: 0, width: 1000, height: 843 }, action: { type: 'postback', data: '' } }] });
      expect(bad.status).toBe(400);
      const details = ((await bad.json()) as { details: Array<{ property: string }> }).details.map((d) => d.property);
      expect(details).toEqual(['chatBarText', 'areas[0].bounds', 'areas[0].action.data']);

      const { richMenuId } = (await (await create(good)).json()) as { richMenuId: string };
      const setDefault = await fetch(`${sim.baseUrl}/v2/bot/user/all/richmenu/${richMenuId}`, { method: 'POST', headers: auth });
      expect(setDefault.status).toBe(400);
      const upload = (type: string, body: Buffer) => fetch(`${sim.baseUrl}/v2/bot/richmenu/${richMenuId}/content`, { method: 'POST', headers: { ...auth, 'content-type': type }, body });
      expect((await upload('text/plain', Buffer.from('x'))).status).toBe(415);
      expect((await upload('image/png', Buffer.from('not a png'))).status).toBe(400);
      expect((await upload('image/png', richMenuImage(2500, 843, 1))).status).toBe(200);
      const again = await upload('image/png', richMenuImage(2500, 843, 1));
      expect(again.status).toBe(400);
      expect(await again.json()).toEqual({ message: 'An image has already been uploaded to the richmenu' });
      expect((await fetch(`${sim.baseUrl}/v2/bot/user/all/richmenu/richmenu-unknown`, { method: 'POST', headers: auth })).status).toBe(404);
    });
  });

  it('control routes: /_sim/settings validates replyTokenTtlMs, /_sim/richmenus lists menus', async () => {
    const settings = (body: unknown) => fetch(`${sim.baseUrl}/_sim/settings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await settings({ replyTokenTtlMs: -1 })).status).toBe(400);
    expect((await settings({ replyTokenTtlMs: 'soon' })).status).toBe(400);
    expect((await fetch(`${sim.baseUrl}/_sim/settings`, { method: 'POST', body: 'x' })).status).toBe(400);
    expect((await settings({ replyTokenTtlMs: 30_000 })).status).toBe(200);
    expect(sim.replyTokenTtlMs).toBe(30_000);
    await adapter.setMenu(account, menu(2));
    const listed = (await (await fetch(`${sim.baseUrl}/_sim/richmenus`)).json()) as Array<{ isDefault: boolean }>;
    expect(listed).toMatchObject([{ isDefault: true }]);
    expect(new LineSimulator({ replyTokenTtlMs: 5 }).replyTokenTtlMs).toBe(5);
  });
});

describe('richMenuImage', () => {
  it('is a valid RGB PNG of the menu size with one flat colour per column', () => {
    const png = richMenuImage(RICH_MENU_SIZE.width, RICH_MENU_SIZE.height, 3);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.length).toBeLessThan(1024 * 1024);
    const chunks = new Map<string, Buffer>();
    for (let at = 8; at < png.length; ) {
      const length = png.readUInt32BE(at);
      const type = png.toString('ascii', at + 4, at + 8);
      const data = png.subarray(at + 8, at + 8 + length);
      expect(png.readUInt32BE(at + 8 + length)).toBe(crc32(png.subarray(at + 4, at + 8 + length)));
      chunks.set(type, Buffer.concat([chunks.get(type) ?? Buffer.alloc(0), data]));
      at += 12 + length;
    }
    const header = chunks.get('IHDR')!;
    expect([header.readUInt32BE(0), header.readUInt32BE(4), header[8], header[9]]).toEqual([2500, 843, 8, 2]);
    expect(chunks.has('IEND')).toBe(true);
    const pixels = inflateSync(chunks.get('IDAT')!);
    const stride = 1 + 2500 * 3;
    expect(pixels.length).toBe(stride * 843);
    const rgb = (x: number, y = 0) => [...pixels.subarray(y * stride + 1 + x * 3, y * stride + 4 + x * 3)];
    expect(pixels[0]).toBe(0);
    expect(rgb(100)).toEqual(rgb(800, 842));
    expect(rgb(100)).not.toEqual(rgb(1000));
    expect(rgb(1000)).not.toEqual(rgb(2000));
  });
});
