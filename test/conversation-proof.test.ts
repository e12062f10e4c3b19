// Identity in chat needs proof, and one-time codes keep their limits however they are asked for again.
// - Codes: a resend continues the try counter; at most 3 sends per 30 minutes per destination and per
//   conversation, counted from the log of sends; an expired code can be resent within the limits; after 30
//   minutes (the conversations' clock moved, never slept) codes go out again; two chats asking for one
//   destination share its limit.
// - Proof: no conversation path (loyalty join, claims typed or by deep link, account linking, agent actions)
//   attaches a chat to an existing customer without a code: the attacker's chat sees none of the victim's
//   orders, points or order links, and cannot redeem them.
// - "Account linked" goes to the chat that just linked; notifications go to the customer's most recently active
//   chat on the channel.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHub } from './support/hub.js';
import { startTestHub } from './support/hub.js';
import { waitFor } from './support/services.js';
import { hubVariants } from './support/variants.js';
import { connectLine, connectMessenger, sayOnLine, texts } from './support/chat.js';

const hex = (n: number) => randomBytes(n).toString('hex');
const MIN = 60_000;
/** What "my orders" answers a chat that is not linked to a store customer. */
const NOT_LINKED = /Link your store account first|not linked to a store yet/;

interface Customer {
  id: string;
  identities: Array<{ kind: string; value: string; channel_account_id: string | null; store_connection_id: string | null }>;
}

let offset = 0;
const clock = () => Date.now() + offset;

const variants = hubVariants('redis', { clock });

describe.each(variants)('identity proof and one-time codes in chat ($name)', (variant) => {
  let t: TestHub;
  let key: string;
  const domain = `proof-${hex(3)}.cyberbiz.co`;
  let cyberbiz: { id: string; webhook_url: string };
  const lineChannel = { channelAccessToken: `line_${hex(16)}`, channelSecret: hex(16), botUserId: `U${hex(16)}`, displayName: 'Proof LINE' };
  const page = { pageId: String(1487925400000000 + Math.floor(Math.random() * 99999)), name: 'Proof Page', pageAccessToken: `EAAP${hex(12)}`, appSecret: hex(12) };
  let messenger: { id: string; webhook_url: string };
  const sms = { accountSid: `AC${hex(16)}`, authToken: hex(16), from: '+15005550009' };

  beforeAll(async () => {
    t = await startTestHub(variant);
    const ws = await t.hub.workspaces.createWorkspace('Proof Tea');
    key = (await t.hub.workspaces.createApiKey(ws.id, 'tests')).key;
    const token = `eyJ${hex(16)}`;
    const secret = hex(16);
    t.cyberbiz.addShop({ domain, name: 'Proof Tea', accessToken: token, appSecret: secret });
    cyberbiz = (await t.api<typeof cyberbiz>('POST', '/v1/store-connections', key, { platform: 'cyberbiz', shop_domain: domain, access_token: token, app_secret: secret })).body;
    t.cyberbiz.addShop({ domain, name: 'Proof Tea', accessToken: token, appSecret: secret, webhookUrl: cyberbiz.webhook_url });
    await connectLine(t, key, lineChannel);
    messenger = await connectMessenger(t, key, page);
    t.twilio.addAccount({ accountSid: sms.accountSid, authToken: sms.authToken, numbers: [sms.from] });
    expect((await t.api('POST', '/v1/channel-accounts', key, { channel: 'sms', provider: 'twilio', account_sid: sms.accountSid, auth_token: sms.authToken, from: sms.from })).status).toBe(201);
    const settings = await t.api('PUT', '/v1/chat-settings', key, {
      linking: { store_connection_id: cyberbiz.id, verify_by: 'sms', terms_url: null },
      loyalty: { enabled: true, points_per_unit: '1', signup_bonus: 50, prizes: [{ id: 'tote', name: 'Tote bag', cost: 40, reward: { kind: 'code', code: 'TOTE-2026' } }] },
    });
    expect(settings.status).toBe(200);
    for (const type of ['account.linked', 'order.shipped']) expect((await t.api('PUT', `/v1/notification-settings/${type}/line`, key, { enabled: true })).status).toBe(200);
  });
  afterAll(async () => {
    await t?.close();
  });

  // --- what a customer sees: the simulators' outboxes
  const lineOut = (user: string) => t.line.messages(user);
  const lineSays = (user: string, input: { text?: string; postbackData?: string }) => sayOnLine(t, lineChannel.botUserId, user, input);
  const smsTo = (phone: string) => t.twilio.messages(phone);
  const smsCode = async (phone: string, after: number) => {
    const msg = await waitFor(() => smsTo(phone).slice(after)[0] ?? null, { what: `SMS code number ${after + 1} to ${phone}` });
    return /\b(\d{6})\b/.exec(msg.body)![1]!;
  };
  const wrongCode = (code: string) => (code === '000000' ? '111111' : '000000');
  const messengerOut = (psid: string) => t.messenger.messages(psid);
  const messengerSays = async (psid: string, input: { text?: string; ref?: string; postbackPayload?: string }) => {
    const before = messengerOut(psid).length;
    await t.messenger.emitInbound({ pageId: page.pageId, psid, ...input });
    return JSON.stringify(await waitFor(() => (messengerOut(psid).length > before ? messengerOut(psid).slice(before) : null), { what: `a Messenger reply to ${JSON.stringify(input)}` }));
  };
  const customerOf = async (value: string) => (await t.api<{ data: Customer[] }>('GET', `/v1/customers?query=${encodeURIComponent(value)}`, key)).body.data[0] ?? null;
  const loyaltyOf = async (customerId: string) => (await t.api<{ balance: number | null; ledger: Array<{ reason: string; delta: number }> }>('GET', `/v1/customers/${customerId}/loyalty`, key)).body;

  /** A LINE user links to the store customer with this mobile number (a right code). */
  const linkByPhone = async (user: string, e164: string) => {
    await lineSays(user, { postbackData: 'a:link_account' });
    const before = smsTo(e164).length;
    expect(texts(await lineSays(user, { text: e164 }))).toMatch(/We sent a 6-digit code/);
    const notices = lineOut(user).filter((m) => (m.text ?? '').includes('linked to this chat')).length;
    await lineSays(user, { text: await smsCode(e164, before) });
    await waitFor(() => lineOut(user).find((m) => (m.text ?? '').includes('Your account is linked')) ?? null, { what: 'the linked reply' });
    // "Account linked" is on: it arrives beside the reply, so later replies are not mistaken for it.
    await waitFor(() => lineOut(user).filter((m) => (m.text ?? '').includes('linked to this chat')).length > notices || null, { what: 'the account-linked notification' });
  };

  describe('one-time codes', () => {
    it('a resend continues the try counter: 5 wrong tries in all, then no new code until the window has passed', async () => {
      const user = `U${hex(16)}`;
      const phone = '+886911000101';
      await lineSays(user, { postbackData: 'a:link_account' });
      await lineSays(user, { text: phone });
      const first = await smsCode(phone, 0);
      expect(texts(await lineSays(user, { text: wrongCode(first) }))).toMatch(/4 tries left/);
      expect(texts(await lineSays(user, { text: wrongCode(first) }))).toMatch(/3 tries left/);
      expect(texts(await lineSays(user, { postbackData: 'link:resend' }))).toMatch(/We sent a 6-digit code/);
      const second = await smsCode(phone, 1);
      // Not 4: the resend did not give five more tries.
      expect(texts(await lineSays(user, { text: wrongCode(second) }))).toMatch(/2 tries left/);
      expect(texts(await lineSays(user, { text: wrongCode(second) }))).toMatch(/1 try left/);
      expect(texts(await lineSays(user, { text: wrongCode(second) }))).toMatch(/Too many wrong codes/);
      // Starting again for the same number does not open five more tries either.
      await lineSays(user, { postbackData: 'a:link_account' });
      expect(texts(await lineSays(user, { text: phone }))).toMatch(/cannot be tried again\. You can ask for a new code in \d+ minutes/);
      expect(smsTo(phone)).toHaveLength(2);
      // The way out: once the window has passed, a new code with new tries.
      offset += 31 * MIN;
      await lineSays(user, { postbackData: 'a:link_account' });
      expect(texts(await lineSays(user, { text: phone }))).toMatch(/We sent a 6-digit code/);
      const third = await smsCode(phone, 2);
      expect(texts(await lineSays(user, { text: wrongCode(third) }))).toMatch(/4 tries left/);
    });

    it('an expired code is resent within the limits; the 4th send in 30 minutes is refused politely; after 30 minutes codes go out again', async () => {
      const user = `U${hex(16)}`;
      const phone = '+886911000202';
      t.cyberbiz.addCustomer(domain, { name: 'Wu Lan', email: 'lan@example.tw', mobile: '0911000202' });
      await lineSays(user, { postbackData: 'a:link_account' });
      await lineSays(user, { text: phone });
      const first = await smsCode(phone, 0);
      offset += 11 * MIN;
      expect(texts(await lineSays(user, { text: first }))).toMatch(/expired/);
      expect(texts(await lineSays(user, { postbackData: 'link:resend' }))).toMatch(/We sent a 6-digit code/);
      await smsCode(phone, 1);
      expect(texts(await lineSays(user, { text: 'resend' }))).toMatch(/We sent a 6-digit code/);
      await smsCode(phone, 2);
      const refused = texts(await lineSays(user, { postbackData: 'link:resend' }));
      expect(refused).toMatch(/For your security we send at most 3 codes in 30 minutes\. Please try again in \d+ minutes?\./);
      expect(smsTo(phone)).toHaveLength(3);
      // Starting over does not get round it.
      await lineSays(user, { postbackData: 'a:link_account' });
      expect(texts(await lineSays(user, { text: phone }))).toMatch(/at most 3 codes in 30 minutes/);
      expect(smsTo(phone)).toHaveLength(3);
      // 30 minutes after the first of them, codes go out again, and the right one links.
      offset += 20 * MIN;
      await lineSays(user, { postbackData: 'a:link_account' });
      expect(texts(await lineSays(user, { text: phone }))).toMatch(/We sent a 6-digit code/);
      await lineSays(user, { text: await smsCode(phone, 3) });
      await waitFor(() => lineOut(user).find((m) => (m.text ?? '').includes('Your account is linked')) ?? null, { what: 'the linked reply' });
    });

    it('two conversations asking for one destination share its limit; each conversation has its own', async () => {
      const a = `U${hex(16)}`;
      const b = `U${hex(16)}`;
      const phone = '+886911000303';
      await lineSays(a, { postbackData: 'a:link_account' });
      await lineSays(a, { text: phone });
      await lineSays(a, { postbackData: 'link:resend' });
      await lineSays(b, { postbackData: 'a:link_account' });
      expect(texts(await lineSays(b, { text: phone }))).toMatch(/We sent a 6-digit code/);
      await waitFor(() => smsTo(phone).length >= 3 || null, { what: 'three codes' });
      expect(texts(await lineSays(b, { postbackData: 'link:resend' }))).toMatch(/at most 3 codes in 30 minutes/);
      expect(texts(await lineSays(a, { postbackData: 'link:resend' }))).toMatch(/at most 3 codes in 30 minutes/);
      expect(smsTo(phone)).toHaveLength(3);
      // Another number from the second chat: its conversation has sent one code only.
      await lineSays(b, { postbackData: 'a:link_account' });
      expect(texts(await lineSays(b, { text: '+886911000304' }))).toMatch(/We sent a 6-digit code/);
      await smsCode('+886911000304', 0);
    });
  });

  describe('no chat is attached to an existing customer without proof', () => {
    // The victim: a store customer, linked from their own LINE chat with a code, a loyalty member with points
    // and an order; the merchant's CRM knows their e-mail.
    const victim = { email: `victim-${hex(3)}@example.tw`, mobile: '0911000900', e164: '+886911000900', line: `U${hex(16)}` };
    let victimCustomer: Customer;
    let victimOrder: { id: number; order_number: string | number };
    let victimBalance: number;

    beforeAll(async () => {
      const store = t.cyberbiz.addCustomer(domain, { name: 'Victim', email: victim.email, mobile: victim.mobile });
      const template = t.cyberbiz.createOrder(domain).customer!;
      victimOrder = t.cyberbiz.createOrder(domain, { customer: { ...template, id: store.id, email: victim.email, mobile: victim.mobile, name: 'Victim' }, email: victim.email } as never);
      const created = await t.api<Customer>('POST', '/v1/customers', key, { name: 'Victim', email: victim.email, identities: [{ kind: 'store', value: String(store.id), store_connection_id: cyberbiz.id }] });
      expect(created.status).toBe(201);
      await linkByPhone(victim.line, victim.e164);
      expect(texts(await lineSays(victim.line, { postbackData: 'a:loyalty_join' }))).toMatch(/send the e-mail address/);
      expect(texts(await lineSays(victim.line, { text: victim.email }))).toMatch(/Welcome to our rewards programme! Your balance is 50 points/);
      expect(texts(await lineSays(victim.line, { text: `CLAIM ${victimOrder.order_number}` }))).toMatch(/You got \d+ points/);
      victimCustomer = (await customerOf(victim.line))!;
      expect(victimCustomer.id).toBe(created.body.id);
      victimBalance = (await loyaltyOf(victimCustomer.id)).balance!;
    });

    /** What every attack must leave unchanged, and what the attacker's chat must not see. */
    const attackerSeesNothing = async (psid: string) => {
      expect(await messengerSays(psid, { postbackPayload: 'a:my_orders' })).toMatch(NOT_LINKED);
      const points = await messengerSays(psid, { postbackPayload: 'a:loyalty_balance' });
      expect(points).not.toContain(`${victimBalance} points`);
      const redeem = await messengerSays(psid, { postbackPayload: 'loyalty:prize:tote' });
      expect(redeem).not.toContain('TOTE-2026');
      const all = JSON.stringify(messengerOut(psid));
      expect(all).not.toContain(`Order ${victimOrder.order_number}`);
      expect(all).not.toMatch(/You got \d+ points/);
      expect(all).not.toContain(`${domain}/account/orders`);
      const after = (await t.api<Customer>('GET', `/v1/customers/${victimCustomer.id}`, key)).body;
      expect(after.identities.some((i) => i.value === psid)).toBe(false);
      expect((await loyaltyOf(victimCustomer.id)).balance).toBe(victimBalance);
    };

    it('loyalty join with another customer’s e-mail', async () => {
      const psid = String(7702407863300000 + Math.floor(Math.random() * 99999));
      expect(await messengerSays(psid, { postbackPayload: 'a:loyalty_join' })).toMatch(/send the e-mail address/);
      expect(await messengerSays(psid, { text: victim.email })).toMatch(/already belongs to another member/);
      await attackerSeesNothing(psid);
    });

    it('a "CLAIM n" first message, and a deep link m.me/?ref=claim-n, for the victim’s order', async () => {
      const typed = String(7702407863400000 + Math.floor(Math.random() * 99999));
      expect(await messengerSays(typed, { text: `CLAIM ${victimOrder.order_number}` })).toMatch(/join our rewards programme first/);
      await messengerSays(typed, { text: victim.email });
      await attackerSeesNothing(typed);
      const linked = String(7702407863500000 + Math.floor(Math.random() * 99999));
      expect(await messengerSays(linked, { ref: `claim-${victimOrder.order_number}` })).toMatch(/join our rewards programme first/);
      await messengerSays(linked, { text: victim.email });
      await attackerSeesNothing(linked);
    });

    it('a customer who is not a member yet: the attacker becomes a new member with no link, and claims nothing of theirs; the owner joins later', async () => {
      const owner = { email: `owner-${hex(3)}@example.tw`, mobile: '0911000901', e164: '+886911000901', line: `U${hex(16)}` };
      const store = t.cyberbiz.addCustomer(domain, { name: 'Owner', email: owner.email, mobile: owner.mobile });
      const template = t.cyberbiz.createOrder(domain).customer!;
      const order = t.cyberbiz.createOrder(domain, { customer: { ...template, id: store.id, email: owner.email, mobile: owner.mobile, name: 'Owner' }, email: owner.email } as never);
      await linkByPhone(owner.line, owner.e164);
      // Linked by a code to the mobile number, the owner's e-mail in the store is theirs too.
      const ownerCustomer = (await customerOf(owner.line))!;
      expect(ownerCustomer.identities.some((i) => i.kind === 'email' && i.value === owner.email)).toBe(true);

      const psid = String(7702407863600000 + Math.floor(Math.random() * 99999));
      await messengerSays(psid, { postbackPayload: 'a:loyalty_join' });
      expect(await messengerSays(psid, { text: owner.email })).toMatch(/Your balance is 50 points/);
      expect(await messengerSays(psid, { text: `CLAIM ${order.order_number}` })).toMatch(/please link your store account first/);
      expect(await messengerSays(psid, { postbackPayload: 'a:my_orders' })).toMatch(NOT_LINKED);
      const attacker = (await customerOf(psid))!;
      expect(attacker.id).not.toBe(ownerCustomer.id);
      expect((await loyaltyOf(attacker.id)).ledger.some((e) => e.reason === 'order_claim')).toBe(false);
      expect(JSON.stringify(messengerOut(psid))).not.toContain(`${domain}/account/orders`);

      // The owner, proven by their code, joins with their own e-mail and claims their order.
      await lineSays(owner.line, { postbackData: 'a:loyalty_join' });
      expect(texts(await lineSays(owner.line, { text: owner.email }))).toMatch(/Welcome to our rewards programme/);
      expect(texts(await lineSays(owner.line, { text: `CLAIM ${order.order_number}` }))).toMatch(/You got \d+ points/);
    });

    it('account linking with the victim’s number: the code goes to the victim; five wrong tries and the chat stays unlinked', async () => {
      const user = `U${hex(16)}`;
      const before = smsTo(victim.e164).length;
      await lineSays(user, { postbackData: 'a:link_account' });
      await lineSays(user, { text: victim.e164 });
      const code = await smsCode(victim.e164, before);
      for (let i = 0; i < 4; i++) expect(texts(await lineSays(user, { text: wrongCode(code) }))).toMatch(/not right/);
      expect(texts(await lineSays(user, { text: wrongCode(code) }))).toMatch(/Too many wrong codes/);
      // Even the right code no longer works in this chat (after so many misses, it goes to an agent).
      expect(texts(await lineSays(user, { text: code }))).not.toMatch(/linked/);
      const conversation = (await t.api<{ data: Array<{ id: string; address: string }> }>('GET', '/v1/conversations?limit=200', key)).body.data.find((c) => c.address === user)!;
      await t.api('POST', `/v1/conversations/${conversation.id}/release`, key);
      expect(texts(await lineSays(user, { postbackData: 'a:my_orders' }))).toMatch(/Link your store account first/);
      expect((await t.api<Customer>('GET', `/v1/customers/${victimCustomer.id}`, key)).body.identities.some((i) => i.value === user)).toBe(false);
    });

    it('agent actions: an identity attached through the API and a hand-over do not open the customer’s orders or points to the chat', async () => {
      const psid = String(7702407863700000 + Math.floor(Math.random() * 99999));
      await messengerSays(psid, { text: 'hi' });
      const conversation = (await t.api<{ data: Array<{ id: string; address: string }> }>('GET', '/v1/conversations?limit=200', key)).body.data.find((c) => c.address === psid)!;
      expect((await t.api('POST', `/v1/conversations/${conversation.id}/handover`, key, {})).status).toBe(200);
      expect((await t.api('POST', `/v1/conversations/${conversation.id}/release`, key)).status).toBe(200);
      const attached = await t.api('POST', `/v1/customers/${victimCustomer.id}/identities`, key, { kind: 'messenger', value: psid, channel_account_id: messenger.id });
      expect(attached.status).toBe(201);
      expect(await messengerSays(psid, { postbackPayload: 'a:my_orders' })).toMatch(NOT_LINKED);
      expect(await messengerSays(psid, { postbackPayload: 'a:loyalty_balance' })).not.toContain(`${victimBalance} points`);
      expect(await messengerSays(psid, { postbackPayload: 'loyalty:prize:tote' })).not.toContain('TOTE-2026');
      expect((await loyaltyOf(victimCustomer.id)).balance).toBe(victimBalance);
    });
  });

  it('a chat that joined the programme before linking keeps its membership once linking proves who it is', async () => {
    const user = `U${hex(16)}`;
    const email = `early-${hex(3)}@example.tw`;
    t.cyberbiz.addCustomer(domain, { name: 'Early', email, mobile: '0911000800' });
    await lineSays(user, { postbackData: 'a:loyalty_join' });
    expect(texts(await lineSays(user, { text: email }))).toMatch(/Your balance is 50 points/);
    const before = (await customerOf(user))!;
    expect(before.identities.some((i) => i.kind === 'store')).toBe(false);
    await linkByPhone(user, '+886911000800');
    const after = (await customerOf(user))!;
    expect(after.identities.some((i) => i.kind === 'store' && i.store_connection_id === cyberbiz.id)).toBe(true);
    expect((await loyaltyOf(after.id)).balance).toBe(50);
    expect(texts(await lineSays(user, { postbackData: 'a:loyalty_balance' }))).toMatch(/Your balance is 50 points/);
  });

  describe('which chat gets the customer’s notifications', () => {
    it('"account linked" goes to the chat that just linked; order updates go to the most recently active chat', async () => {
      const mobile = '0911000700';
      const e164 = '+886911000700';
      const store = t.cyberbiz.addCustomer(domain, { name: 'Two Phones', email: `two-${hex(3)}@example.tw`, mobile });
      const older = `U${hex(16)}`;
      const newer = `U${hex(16)}`;
      const linkedNotice = (user: string) => lineOut(user).filter((m) => (m.text ?? '').includes('linked to this chat'));
      await linkByPhone(older, e164);
      await waitFor(() => linkedNotice(older).length >= 1 || null, { what: 'the first account-linked notification' });
      await linkByPhone(newer, e164);
      await waitFor(() => linkedNotice(newer).length >= 1 || null, { what: 'the account-linked notification in the chat that just linked' });
      expect(linkedNotice(older)).toHaveLength(1);
      const customer = (await customerOf(newer))!;
      expect(customer.identities.filter((i) => i.kind === 'line').map((i) => i.value).sort()).toEqual([older, newer].sort());

      const template = t.cyberbiz.createOrder(domain).customer!;
      const shipped = async () => {
        const order = t.cyberbiz.createOrder(domain, { customer: { ...template, id: store.id, mobile, name: 'Two Phones' } } as never);
        await t.cyberbiz.emitOrderEvent(order.id, 'orders/fulfilled');
        return String(order.order_number);
      };
      const gotOrder = (user: string, number: string) => lineOut(user).some((m) => JSON.stringify(m).includes(number));
      await lineSays(older, { text: 'hi' });
      const first = await shipped();
      await waitFor(() => gotOrder(older, first) || null, { what: 'the shipping update in the chat written from last' });
      expect(gotOrder(newer, first)).toBe(false);
      await lineSays(newer, { text: 'hi' });
      const second = await shipped();
      await waitFor(() => gotOrder(newer, second) || null, { what: 'the shipping update in the other chat, now the most recent' });
      expect(gotOrder(older, second)).toBe(false);
    });
  });
});
