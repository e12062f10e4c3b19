// Interactive content and the persistent menu on Messenger, against the simulator over real HTTP: button
// template, quick replies, generic template + follow-up, their limits (adapter and Graph-side), postback and
// quick-reply taps coming back as payloads, and POST /me/messenger_profile.
import { describe, expect, it } from 'vitest';
import type { ChannelAccountCredentials, ChatMenu, InteractiveContent, SendRequest } from '../../../core/channels/ports.js';
import { GET_STARTED_PAYLOAD, MessengerAdapter } from './index.js';
import { MessengerSimulator } from './simulator.js';
import { WebhookReceiver, rawWebhook } from '../../../../test/support/receiver.js';
import { expectProviderError } from '../../../../test/support/provider-error.js';
import { serveSimulator } from '../../../../test/support/simulator-tests.js';

const PAGE = { pageId: '104857600000002', name: 'Shoptalk Sandbox Shop', pageAccessToken: 'EAAB-page-token-2', appSecret: 'page-app-secret-2' };
const PSID = '6543210987654322';
const account: ChannelAccountCredentials = {
  settings: { pageId: PAGE.pageId },
  secrets: { pageAccessToken: PAGE.pageAccessToken, appSecret: PAGE.appSecret },
};

const buttons = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `choice-${i + 1}`, title: `Choice ${i + 1}` }));
const interactive = (content: Omit<InteractiveContent, 'kind'>): SendRequest => ({ to: PSID, idempotencyKey: 'k', content: { kind: 'interactive', ...content } });

describe('Messenger interactive messages and persistent menu', () => {
  const sim = new MessengerSimulator({ deliveryWebhooks: false });
  const receiver = new WebhookReceiver('/webhooks/messenger');
  let adapter: MessengerAdapter;

  serveSimulator(sim, [receiver], {
    started: (baseUrl) => (adapter = new MessengerAdapter({ baseUrl: `${baseUrl}/v25.0`, timeoutMs: 2000 })),
    seed: () => {
      sim.addPage({ ...PAGE, webhookUrl: receiver.url });
      sim.registerPsid(PAGE.pageId, PSID);
    },
  });

  const sentBodies = () => sim.requests('/v25.0/').filter((r) => r.path.endsWith('/messages')).map((r) => r.json as Record<string, unknown>);

  it('sends ≤ 3 buttons plus links as a button template (postbacks, then URL buttons) as a RESPONSE', async () => {
    const result = await adapter.send(
      account,
      interactive({ text: 'What next?', buttons: buttons(2), links: [{ title: 'Track parcel', url: 'https://track.example/1' }] }),
    );
    const [body] = sentBodies();
    expect(body?.['messaging_type']).toBe('RESPONSE');
    expect(body?.['message']).toEqual({
      attachment: {
        type: 'template',
        payload: {
          template_type: 'button',
          text: 'What next?',
          buttons: [
            { type: 'postback', title: 'Choice 1', payload: 'choice-1' },
            { type: 'postback', title: 'Choice 2', payload: 'choice-2' },
            { type: 'web_url', url: 'https://track.example/1', title: 'Track parcel' },
          ],
        },
      },
    });
    expect(sim.messages(PSID)).toMatchObject([{ id: result.providerMessageId, kind: 'template', templateType: 'button', messagingType: 'RESPONSE' }]);
  });

  it('moves links into the text when buttons and links exceed 3, and clips long titles to 20', async () => {
    await adapter.send(
      account,
      interactive({ text: 'Pick one', buttons: [...buttons(2), { id: 'long', title: 'A very long button title indeed' }], links: [{ title: 'Help', url: 'https://help.example' }] }),
    );
    const payload = (sentBodies()[0]?.['message'] as { attachment: { payload: { text: string; buttons: Array<{ title: string; type: string }> } } }).attachment.payload;
    expect(payload.text).toBe('Pick one\n\nHelp: https://help.example');
    expect(payload.buttons.map((b) => b.type)).toEqual(['postback', 'postback', 'postback']);
    expect(payload.buttons[2]?.title).toBe('A very long button …');
    expect([...(payload.buttons[2]?.title ?? '')]).toHaveLength(20);
  });

  it('sends 4–13 buttons (or text over 640 chars) as text with quick replies, links in the text', async () => {
    await adapter.send(account, interactive({ text: 'Choose', buttons: buttons(13), links: [{ title: 'Shop', url: 'https://shop.example' }] }));
    const message = sentBodies()[0]?.['message'] as { text: string; quick_replies: unknown[] };
    expect(message.text).toBe('Choose\n\nShop: https://shop.example');
    expect(message.quick_replies).toHaveLength(13);
    expect(message.quick_replies[0]).toEqual({ content_type: 'text', title: 'Choice 1', payload: 'choice-1' });
    expect(sim.messages(PSID)[0]?.quickReplyPayloads).toHaveLength(13);

    const long = 'x'.repeat(641);
    await adapter.send(account, interactive({ text: long, buttons: buttons(2) }));
    expect(sentBodies()[1]?.['message']).toMatchObject({ text: long, quick_replies: [{ payload: 'choice-1' }, { payload: 'choice-2' }] });
  });

  it('refuses more than 13 buttons or 10 cards before calling Graph', async () => {
    const tooMany = await expectProviderError(adapter.send(account, interactive({ text: 'x', buttons: buttons(14) })));
    expect(tooMany.kind).toBe('permanent');
    expect(tooMany.message).toMatch(/at most 13/);
    const card = { title: 'Order', subtitle: 's', url: null };
    const cards = await expectProviderError(adapter.send(account, interactive({ text: 'x', buttons: [], cards: Array.from({ length: 11 }, () => card) })));
    expect(cards.kind).toBe('permanent');
    expect(sim.requests()).toHaveLength(0);
  });

  it('sends cards as a generic template first, then the text with buttons; returns the last message id', async () => {
    const result = await adapter.send(
      account,
      interactive({
        text: 'Your orders',
        buttons: buttons(2),
        cards: [
          { title: 'Order #1001', subtitle: 'Shipped · $56.14', url: 'https://shop.example/orders/1001', linkTitle: 'View order' },
          { title: 'T'.repeat(90), subtitle: '', url: null },
        ],
      }),
    );
    const [cards, choices] = sentBodies();
    expect(cards?.['message']).toEqual({
      attachment: {
        type: 'template',
        payload: {
          template_type: 'generic',
          elements: [
            { title: 'Order #1001', subtitle: 'Shipped · $56.14', buttons: [{ type: 'web_url', url: 'https://shop.example/orders/1001', title: 'View order' }] },
            { title: 'T'.repeat(79) + '…' },
          ],
        },
      },
    });
    expect(choices?.['message']).toMatchObject({ attachment: { payload: { template_type: 'button', text: 'Your orders' } } });
    const out = sim.messages(PSID);
    expect(out.map((m) => m.templateType)).toEqual(['generic', 'button']);
    expect(result.providerMessageId).toBe(out[1]?.id);
  });

  it('sends only the generic template when there is no text, button or link to follow it', async () => {
    await adapter.send(account, interactive({ text: '', buttons: [], cards: [{ title: 'Order #1', subtitle: 'Paid', url: null }] }));
    expect(sim.messages(PSID).map((m) => m.templateType)).toEqual(['generic']);
  });

  it('Graph-side validation: the simulator refuses structures over the limits with code 100', async () => {
    const send = (message: unknown) => adapter.sendNative(account, { to: PSID, body: { messaging_type: 'RESPONSE', message } });
    const postback = (i: number) => ({ type: 'postback', title: `B${i}`, payload: `p${i}` });
    const cases: unknown[] = [
      { attachment: { type: 'template', payload: { template_type: 'button', text: 'x', buttons: [1, 2, 3, 4].map(postback) } } },
      { attachment: { type: 'template', payload: { template_type: 'button', text: 'x'.repeat(641), buttons: [postback(1)] } } },
      { attachment: { type: 'template', payload: { template_type: 'button', text: 'x', buttons: [{ type: 'postback', title: 'x'.repeat(21), payload: 'p' }] } } },
      { attachment: { type: 'template', payload: { template_type: 'button', text: 'x', buttons: [{ type: 'web_url', title: 'x', url: 'not a url' }] } } },
      { attachment: { type: 'template', payload: { template_type: 'generic', elements: Array.from({ length: 11 }, () => ({ title: 't' })) } } },
      { attachment: { type: 'template', payload: { template_type: 'generic', elements: [{ title: 't'.repeat(81) }] } } },
      { text: 'x', quick_replies: Array.from({ length: 14 }, (_, i) => ({ content_type: 'text', title: `q${i}`, payload: `p${i}` })) },
      { text: 'x', quick_replies: [{ content_type: 'text', title: 'q', payload: '' }] },
    ];
    for (const message of cases) {
      const err = await expectProviderError(send(message));
      expect(err).toMatchObject({ kind: 'permanent', providerCode: '100', httpStatus: 400 });
    }
    expect(sim.messages(PSID)).toHaveLength(0);
  });

  it('classifies faults on interactive sends: 429 → retry_after, 503 → retryable', async () => {
    sim.injectFault({ kind: 'status', status: 429, retryAfter: 2 });
    expect(await expectProviderError(adapter.send(account, interactive({ text: 'x', buttons: buttons(1) })))).toMatchObject({ kind: 'retry_after', retryAfterMs: 2000 });
    sim.injectFault({ kind: 'status', status: 503 });
    expect(await expectProviderError(adapter.send(account, interactive({ text: 'x', buttons: buttons(1) })))).toMatchObject({ kind: 'retryable', httpStatus: 503 });
  });

  it('postback and quick-reply taps come back with the button id as payload (signed)', async () => {
    await sim.emitInbound({ pageId: PAGE.pageId, psid: PSID, postbackPayload: 'choice-1', postbackTitle: 'Choice 1' });
    await sim.emitInbound({ pageId: PAGE.pageId, psid: PSID, quickReplyPayload: 'choice-7', text: 'Choice 7' });
    const [postbackHook, quickHook] = (await receiver.waitFor(2)).map((r) => rawWebhook(r));
    expect(adapter.verifyWebhook(account, postbackHook!)).toBe(true);
    expect(adapter.verifyWebhook(account, quickHook!)).toBe(true);
    expect(adapter.parseWebhook(postbackHook!.body).messages).toMatchObject([{ from: PSID, text: 'Choice 1', payload: 'choice-1' }]);
    expect(adapter.parseWebhook(quickHook!.body).messages).toMatchObject([{ from: PSID, text: 'Choice 7', payload: 'choice-7' }]);
  });

  describe('setMenu', () => {
    const menu: ChatMenu = {
      name: 'main',
      chatBarText: 'Menu',
      items: [
        { title: 'My orders', payload: 'menu:orders' },
        { title: 'Talk to a person', payload: 'menu:agent' },
        { title: 'Shop', url: 'https://shop.example' },
      ],
    };

    it('posts get_started and a flat default persistent menu to /me/messenger_profile', async () => {
      expect(await adapter.setMenu(account, menu)).toEqual({ menuId: null });
      const req = sim.requests()[0];
      expect(`${req?.method} ${req?.path}`).toBe('POST /v25.0/me/messenger_profile');
      expect(req?.query['access_token']).toBe(PAGE.pageAccessToken);
      expect(sim.profile(PAGE.pageId)).toEqual({
        get_started: { payload: GET_STARTED_PAYLOAD },
        persistent_menu: [
          {
            locale: 'default',
            composer_input_disabled: false,
            call_to_actions: [
              { type: 'postback', title: 'My orders', payload: 'menu:orders' },
              { type: 'postback', title: 'Talk to a person', payload: 'menu:agent' },
              { type: 'web_url', url: 'https://shop.example', title: 'Shop' },
            ],
          },
        ],
      });
    });

    it('refuses more than 20 items before calling Graph, and a bad token as 190', async () => {
      const big: ChatMenu = { ...menu, items: Array.from({ length: 21 }, (_, i) => ({ title: `Item ${i}`, payload: `p${i}` })) };
      expect((await expectProviderError(adapter.setMenu(account, big))).kind).toBe('permanent');
      expect(sim.requests()).toHaveLength(0);
      const twenty: ChatMenu = { ...menu, items: big.items.slice(0, 20) };
      await adapter.setMenu(account, twenty);
      expect(sim.profile(PAGE.pageId).persistent_menu?.[0]?.['call_to_actions']).toHaveLength(20);

      const bad = await expectProviderError(adapter.setMenu({ ...account, secrets: { ...account.secrets, pageAccessToken: 'nope' } }, menu));
      expect(bad).toMatchObject({ kind: 'permanent', providerCode: '190' });
    });

    it('the simulator answers bad profile input in Graph error shape', async () => {
      const post = (body: unknown) =>
        fetch(`${sim.baseUrl}/v25.0/me/messenger_profile?access_token=${PAGE.pageAccessToken}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      const noGetStarted = await post({ persistent_menu: [{ locale: 'default', call_to_actions: [{ type: 'postback', title: 'A', payload: 'a' }] }] });
      expect(noGetStarted.status).toBe(400);
      const error = ((await noGetStarted.json()) as { error: Record<string, unknown> }).error;
      expect(error).toMatchObject({ code: 100, type: 'OAuthException' });
      expect(error['message']).toMatch(/Get Started/);
      expect(error['fbtrace_id']).toEqual(expect.any(String));
      const tooMany = await post({ get_started: { payload: 'GO' }, persistent_menu: [{ locale: 'default', call_to_actions: Array.from({ length: 21 }, (_, i) => ({ type: 'postback', title: `t${i}`, payload: 'p' })) }] });
      expect(tooMany.status).toBe(400);
      expect((await post({ get_started: { payload: 'GO' }, persistent_menu: [{ locale: 'fr_FR', call_to_actions: [{ type: 'postback', title: 'A', payload: 'a' }] }] })).status).toBe(400);
      expect((await post({})).status).toBe(400);
      expect(sim.profile(PAGE.pageId)).toEqual({});
    });

    it('control routes: GET /_sim/profile needs a known pageId; inbound accepts quickReplyPayload', async () => {
      await adapter.setMenu(account, menu);
      expect((await fetch(`${sim.baseUrl}/_sim/profile`)).status).toBe(400);
      expect((await fetch(`${sim.baseUrl}/_sim/profile?pageId=unknown`)).status).toBe(404);
      const profile = (await (await fetch(`${sim.baseUrl}/_sim/profile?pageId=${PAGE.pageId}`)).json()) as Record<string, unknown>;
      expect(profile['get_started']).toEqual({ payload: GET_STARTED_PAYLOAD });
      const inbound = await fetch(`${sim.baseUrl}/_sim/inbound`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ pageId: PAGE.pageId, psid: PSID, quickReplyPayload: 'choice-2' }),
      });
      expect(inbound.status).toBe(200);
      const [hook] = await receiver.waitFor(1);
      expect(adapter.parseWebhook(hook!.body).messages[0]?.payload).toBe('choice-2');
    });
  });
});
