// The support inbox against the Mirakl (EmpikPlace) simulator: only threads with a message after the connection
// was enabled are imported; one ticket per thread, no message twice (also with two pollers at once); contacts
// matched or created by the customer-id field and not changeable afterwards; the three kinds of incoming
// messages; replies through M12 with attachments, refused when they are HTML or pass 10 MB per conversation;
// internal comments never sent; the queue's auto-reply once; live updates; chats handed over as tickets.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHub } from './support/hub.js';
import { startTestHub } from './support/hub.js';
import { waitFor } from './support/services.js';

const hex = (n: number) => randomBytes(n).toString('hex');

interface TicketView {
  id: string;
  source: string;
  queue_id: string;
  category_id: string;
  contact_id: string | null;
  customer_external_id: string | null;
  status: string;
  order: { id: string; url: string; products: Array<{ title: string }> } | null;
  conversation_url: string | null;
  conversation_id?: string | null;
  messages: Array<{ id: string; kind: string; body: string; status: string; attachments: Array<{ name: string; size: number }> }>;
}

describe('support inbox: EmpikPlace and chats', () => {
  let t: TestHub;
  let key: string;
  let field: { id: string };
  let queue: { id: string };
  let category: { id: string };
  let connection: { id: string };
  const shopId = String(2000 + Math.floor(Math.random() * 7000));
  const apiKey = hex(16);

  beforeAll(async () => {
    t = await startTestHub({ name: 'sqlite', db: 'sqlite', redis: false });
    const ws = await t.hub.workspaces.createWorkspace('Księgarnia');
    key = (await t.hub.workspaces.createApiKey(ws.id, 'tests')).key;
    t.mirakl.addShop({ apiKey, shopId, shopName: 'Księgarnia Pod Sową' });
    field = (await t.api<{ id: string }>('POST', '/v1/custom-fields', key, { name: 'Empik ID' })).body;
    queue = (await t.api<{ id: string }>('POST', '/v1/queues', key, { name: 'EmpikPlace', auto_reply: 'Dziękujemy za wiadomość. Odpowiemy w ciągu 24 godzin.', signature: 'Zespół Księgarni Pod Sową' })).body;
    category = (await t.api<{ id: string }>('POST', '/v1/categories', key, { name: 'Marketplace' })).body;
  });
  afterAll(async () => {
    await t?.close();
  });

  const tickets = async (query = '') => (await t.api<{ data: TicketView[] }>('GET', `/v1/tickets?limit=200${query}`, key)).body.data;
  const ticket = async (id: string) => (await t.api<TicketView>('GET', `/v1/tickets/${id}`, key)).body;

  it('connects with a verified API key and checks the settings', async () => {
    const refused = await t.api<{ error: { message: string } }>('POST', '/v1/store-connections', key, { platform: 'empikplace', name: 'EmpikPlace', api_key: 'not-the-key-123', customer_id_field_id: field.id, queue_id: queue.id, category_id: category.id });
    expect(refused.status).toBe(422);
    expect(refused.body.error.message).toMatch(/refused the API key/);
    const noField = await t.api<{ error: { message: string } }>('POST', '/v1/store-connections', key, { platform: 'empikplace', name: 'EmpikPlace', api_key: apiKey, customer_id_field_id: 'cf_nope', queue_id: queue.id, category_id: category.id });
    expect(noField.status).toBe(400);
    expect(noField.body.error.message).toContain('customer_id_field_id');
    // A thread that went quiet before the connection existed is not imported.
    const oldOrder = t.mirakl.createOrder({ shopId, customer: { id: 'CUST-OLD', firstname: 'Stary', lastname: 'Klient' } });
    t.mirakl.createThread({ orderId: oldOrder.order_id, body: 'Stara wiadomość', at: Date.now() - 3600_000 });
    const created = await t.api<{ id: string; name: string; status: string }>('POST', '/v1/store-connections', key, { platform: 'empikplace', name: 'EmpikPlace', api_key: apiKey, customer_id_field_id: field.id, queue_id: queue.id, category_id: category.id });
    expect(created.status).toBe(201);
    connection = created.body;
    expect((await t.api('POST', `/v1/store-connections/${connection.id}/verify`, key)).status).toBe(200);
  });

  it('imports a new thread as one ticket with its contact, order, products and links, and auto-replies once', async () => {
    const existing = await t.api<{ id: string }>('POST', '/v1/contacts', key, { name: 'Anna Nowak', email: 'anna@example.pl', fields: { [field.id]: 'CUST-1' } });
    expect(existing.status).toBe(201);
    const order = t.mirakl.createOrder({ shopId, customer: { id: 'CUST-1', firstname: 'Anna', lastname: 'Nowak' }, lines: [{ title: 'Lalka. Bolesław Prus', quantity: 1, unitPrice: 39.9 }] });
    const thread = t.mirakl.createThread({ orderId: order.order_id, body: 'Kiedy wyślecie moją książkę?' });
    const imported = await waitFor(async () => (await tickets('&source=EmpikPlace')).find((x) => x.order?.id === order.order_id) ?? null, { what: 'the ticket', timeoutMs: 10_000 });
    expect(imported).toMatchObject({ source: 'EmpikPlace', queue_id: queue.id, category_id: category.id, contact_id: existing.body.id, status: 'open' });
    expect(imported.order!.products.map((p) => p.title)).toEqual(['Lalka. Bolesław Prus']);
    expect(imported.order!.url).toContain(order.order_id);
    expect(imported.conversation_url).toContain(thread.id);
    await waitFor(() => t.mirakl.shopReplies(thread.id).find((r) => r.body.startsWith('Dziękujemy')) ?? null, { what: 'the auto-reply' });
    // The order is in the hub's orders, and its activity shows the ticket.
    const hubOrder = (await t.api<{ data: Array<{ id: string }> }>('GET', `/v1/orders?query=${order.commercial_id}`, key)).body.data[0]!;
    const activity = await t.api<{ data: Array<{ kind: string; data: { ticketId?: string } }> }>('GET', `/v1/orders/${hubOrder.id}/activity`, key);
    expect(activity.body.data).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'ticket.opened', data: expect.objectContaining({ ticketId: imported.id }) })]));

    // The shop's staff answers in the marketplace panel, Empik's operator joins, the buyer writes again.
    t.mirakl.addMessage(thread.id, 'shop', 'Wysyłka jutro.');
    t.mirakl.addMessage(thread.id, 'operator', 'Operator Empik: sprawa przyjęta.');
    t.mirakl.addMessage(thread.id, 'customer', 'Dziękuję!');
    const full = await waitFor(async () => {
      const v = await ticket(imported.id);
      return v.messages.some((m) => m.body === 'Dziękuję!') ? v : null;
    }, { what: 'the new messages', timeoutMs: 10_000 });
    const kinds = full.messages.map((m) => m.kind);
    expect(kinds).toEqual(expect.arrayContaining(['customer', 'shop_panel', 'operator', 'auto_reply']));
    // The auto-reply comes back in the thread as a shop message: it is shown once.
    expect(full.messages.filter((m) => m.body.startsWith('Dziękujemy'))).toHaveLength(1);
    expect((await tickets('&source=EmpikPlace')).filter((x) => x.order?.id === order.order_id)).toHaveLength(1);
    expect(t.mirakl.shopReplies(thread.id).filter((r) => r.body.startsWith('Dziękujemy'))).toHaveLength(1);
    // Only the new thread: the one that went quiet before the connection is not a ticket.
    expect((await tickets()).some((x) => x.customer_external_id === 'CUST-OLD')).toBe(false);
  });

  it('creates the contact with the customer-id field for a buyer outside the CRM, and the contact cannot be changed', async () => {
    const order = t.mirakl.createOrder({ shopId, customer: { id: 'CUST-NEW-7', firstname: 'Jan', lastname: 'Kowalski' } });
    t.mirakl.createThread({ orderId: order.order_id, body: 'Gdzie jest paczka?' });
    const imported = await waitFor(async () => (await tickets()).find((x) => x.order?.id === order.order_id) ?? null, { what: 'the ticket', timeoutMs: 10_000 });
    expect(imported.customer_external_id).toBe('CUST-NEW-7');
    const contact = (await t.api<{ fields: Record<string, string>; name: string }>('GET', `/v1/contacts/${imported.contact_id}`, key)).body;
    expect(contact).toMatchObject({ name: 'Jan Kowalski', fields: { [field.id]: 'CUST-NEW-7' } });
    const other = await t.api<{ id: string }>('POST', '/v1/contacts', key, { name: 'Someone else' });
    const change = await t.api<{ error: { code: string; message: string } }>('PATCH', `/v1/tickets/${imported.id}`, key, { contact_id: other.body.id });
    expect(change.status).toBe(409);
    expect(change.body.error.message).toMatch(/cannot be changed/);
    const taken = await t.api<{ error: { message: string } }>('POST', '/v1/contacts', key, { name: 'Dup', fields: { [field.id]: 'CUST-NEW-7' } });
    expect(taken.status).toBe(409);
  });

  it('replies through M12 with attachments, keeps internal comments, refuses HTML and more than 10 MB per conversation', async () => {
    const order = t.mirakl.createOrder({ shopId, customer: { id: 'CUST-2', firstname: 'Ewa', lastname: 'Lis' } });
    const thread = t.mirakl.createThread({ orderId: order.order_id, body: 'Proszę o fakturę.' });
    const imported = await waitFor(async () => (await tickets()).find((x) => x.order?.id === order.order_id) ?? null, { what: 'the ticket', timeoutMs: 10_000 });
    const invoice = Buffer.from('Faktura VAT 2026/11/001\n'.repeat(200));
    const reply = await t.api<{ id: string; status: string }>('POST', `/v1/tickets/${imported.id}/messages`, key, {
      body: 'W załączniku faktura.',
      attachments: [{ name: 'faktura.txt', content_type: 'text/plain', data: invoice.toString('base64') }],
    });
    expect(reply.status).toBe(201);
    const sent = await waitFor(() => t.mirakl.shopReplies(thread.id).find((r) => r.body.startsWith('W załączniku')) ?? null, { what: 'the M12 reply' });
    expect(sent.attachments).toEqual([expect.objectContaining({ name: 'faktura.txt', size: invoice.length })]);
    // The queue's plain-text signature closes every reply.
    expect(sent.body).toBe('W załączniku faktura.\n\n--\nZespół Księgarni Pod Sową');
    const htmlSignature = await t.api<{ error: { message: string } }>('POST', '/v1/queues', key, { name: 'HTML', signature: '<b>Zespół</b>' });
    expect(htmlSignature.status).toBe(400);
    expect(htmlSignature.body.error.message).toMatch(/signature must be plain text/);
    expect(sent.to).toEqual([expect.objectContaining({ type: 'CUSTOMER', id: 'CUST-2' })]);
    await waitFor(async () => ((await ticket(imported.id)).messages.find((m) => m.id === reply.body.id)?.status === 'sent') || null, { what: 'the sent status' });

    const note = await t.api<{ kind: string; status: string }>('POST', `/v1/tickets/${imported.id}/messages`, key, { body: 'Klient VIP — priorytet.', internal: true });
    expect(note.body).toMatchObject({ kind: 'internal', status: 'internal' });
    const html = await t.api<{ error: { message: string } }>('POST', `/v1/tickets/${imported.id}/messages`, key, { body: '<p>Dzień dobry</p>' });
    expect(html.status).toBe(400);
    expect(html.body.error.message).toMatch(/plain text/);
    const big = Buffer.alloc(6 * 1024 * 1024, 65).toString('base64');
    const first = await t.api('POST', `/v1/tickets/${imported.id}/messages`, key, { body: 'Plik 1', attachments: [{ name: 'a.txt', data: big }] });
    expect(first.status).toBe(201);
    const before = t.mirakl.shopReplies(thread.id).length;
    const over = await t.api<{ error: { message: string } }>('POST', `/v1/tickets/${imported.id}/messages`, key, { body: 'Plik 2', attachments: [{ name: 'b.txt', data: big }] });
    expect(over.status).toBe(400);
    expect(over.body.error.message).toMatch(/10 MB/);
    await new Promise((r) => setTimeout(r, 300));
    expect(t.mirakl.shopReplies(thread.id).filter((r) => r.body === 'Plik 2')).toHaveLength(0);
    expect(t.mirakl.shopReplies(thread.id).length).toBeGreaterThanOrEqual(before);
    expect(t.mirakl.shopReplies(thread.id).some((r) => r.body.includes('VIP'))).toBe(false);
  });

  it('imports each message once even when two pollers run at once', async () => {
    const order = t.mirakl.createOrder({ shopId, customer: { id: 'CUST-3', firstname: 'Ola', lastname: 'Maj' } });
    const thread = t.mirakl.createThread({ orderId: order.order_id, body: 'Pierwsza' });
    for (let i = 0; i < 5; i++) t.mirakl.addMessage(thread.id, 'customer', `Wiadomość ${i}`);
    // A second chain of polls, as a second worker (or a redriven job) would run.
    const conn = (await t.hub.uow.repos.storeConnections.get((await t.hub.uow.repos.storeConnections.resolveForWebhook(connection.id))!.workspaceId, connection.id))!;
    await t.hub.uow.transaction(async (tx) => {
      await tx.jobs.enqueue({ type: 'marketplace.poll', workspaceId: conn.workspaceId, payload: { connectionId: conn.id, token: conn.pollState!.token } });
      await tx.jobs.enqueue({ type: 'marketplace.poll', workspaceId: conn.workspaceId, payload: { connectionId: conn.id, token: conn.pollState!.token } });
    });
    const imported = await waitFor(async () => {
      const x = (await tickets()).find((k) => k.order?.id === order.order_id);
      if (!x) return null;
      const v = await ticket(x.id);
      return v.messages.filter((m) => m.kind === 'customer').length >= 6 ? v : null;
    }, { what: 'all messages', timeoutMs: 10_000 });
    await new Promise((r) => setTimeout(r, 1500));
    const again = await ticket(imported.id);
    expect(again.messages.filter((m) => m.kind === 'customer').map((m) => m.body).sort()).toEqual(['Pierwsza', 'Wiadomość 0', 'Wiadomość 1', 'Wiadomość 2', 'Wiadomość 3', 'Wiadomość 4']);
    expect((await tickets()).filter((k) => k.order?.id === order.order_id)).toHaveLength(1);
  });

  it('backs off when EmpikPlace answers 429 with Retry-After, then imports', async () => {
    t.mirakl.injectFault({ kind: 'status', status: 429, retryAfter: 1, times: 2, path: '/api/inbox/threads' });
    const order = t.mirakl.createOrder({ shopId, customer: { id: 'CUST-4', firstname: 'Piotr', lastname: 'Wójcik' } });
    t.mirakl.createThread({ orderId: order.order_id, body: 'Halo?' });
    await waitFor(async () => (await tickets()).find((k) => k.order?.id === order.order_id) ?? null, { what: 'the ticket after the 429s', timeoutMs: 15_000 });
  });

  it('streams new tickets and messages to agents as server-sent events', async () => {
    const controller = new AbortController();
    const res = await fetch(`${t.hub.url}/v1/inbox/stream`, { headers: { authorization: `Bearer ${key}` }, signal: controller.signal });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    let text = '';
    const order = t.mirakl.createOrder({ shopId, customer: { id: 'CUST-5', firstname: 'Zofia', lastname: 'Krawczyk' } });
    t.mirakl.createThread({ orderId: order.order_id, body: 'Czy mogę zmienić adres?' });
    const deadline = Date.now() + 10_000;
    while (!text.includes('Czy mogę zmienić adres?') && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      text += Buffer.from(value).toString('utf8');
    }
    controller.abort();
    expect(text).toContain('event: ticket\n');
    expect(text).toContain('event: ticket.message\n');
    expect(text).toContain('Czy mogę zmienić adres?');
  });

  it('puts a chat an agent takes over in the inbox; the agent answers from the ticket through the chat', async () => {
    const wa = { phoneNumberId: '106540352240001', wabaId: '102290129340001', accessToken: `EAAG${hex(16)}`, appSecret: hex(16) };
    t.wa.addPhoneNumber({ ...wa, displayPhoneNumber: '48500100200', webhookUrl: null });
    const account = (await t.api<{ id: string; webhook_url: string }>('POST', '/v1/channel-accounts', key, { channel: 'whatsapp', provider: 'meta', phone_number_id: wa.phoneNumberId, waba_id: wa.wabaId, access_token: wa.accessToken, app_secret: wa.appSecret })).body;
    t.wa.setWebhookUrl(wa.phoneNumberId, account.webhook_url);
    const from = '48600700800';
    await t.wa.emitInbound({ phoneNumberId: wa.phoneNumberId, from, text: 'agent' });
    const chat = await waitFor(async () => (await tickets('&source=WhatsApp')).find((x) => x.customer_external_id === from) ?? null, { what: 'the chat ticket' });
    expect(chat.conversation_id).toBeTruthy();
    await t.wa.emitInbound({ phoneNumberId: wa.phoneNumberId, from, text: 'Chcę zwrócić książkę' });
    await waitFor(async () => (await ticket(chat.id)).messages.find((m) => m.body === 'Chcę zwrócić książkę') ?? null, { what: 'the chat message in the ticket' });
    const reply = await t.api('POST', `/v1/tickets/${chat.id}/messages`, key, { body: 'Oczywiście, proszę podać numer zamówienia.' });
    expect(reply.status).toBe(201);
    await waitFor(() => t.wa.messages(from).find((m) => m.renderedText.includes('podać numer zamówienia')) ?? null, { what: 'the agent reply on WhatsApp' });
    const withFile = await t.api('POST', `/v1/tickets/${chat.id}/messages`, key, { body: 'x', attachments: [{ name: 'a.txt', data: 'YQ==' }] });
    expect(withFile.status).toBe(400);
  });
});
