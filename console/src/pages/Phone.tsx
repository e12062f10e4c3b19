// The sandbox phone: play the end customer on the simulated WhatsApp, LINE or Messenger.
// The endpoints are the hub's sandbox-only API (GET/POST /v1/sandbox/phone…, POST /v1/sandbox/demo-order).
import { useEffect, useId, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { ApiError, enc, get, post, qs } from '../api';
import type { PhoneChannel, PhoneMessage } from '../types';
import { channelLabel } from '../types';
import { ErrorBox, Loading, useAction, useLoad, when } from '../ui';
import { Link } from '../router';
import { usePageTitle } from './page-title';

/** A message on the phone; `via` marks a text message or e-mail outside the chat (a one-time code). */

const POLL_MS = 1500;

interface PhoneInfo {
  enabled: boolean;
  channels: PhoneChannel[];
}

export function PhonePage() {
  usePageTitle('Sandbox phone');
  const info = useLoad('phone', () => get<PhoneInfo>('/v1/sandbox/phone'));
  const [channel, setChannel] = useState('whatsapp');
  const [address, setAddress] = useState('+15550101234');
  const [placed, setPlaced] = useState<string | null>(null);
  const demo = useAction();
  const id = useId();

  useEffect(() => {
    const first = info.data?.channels[0];
    if (first && !info.data?.channels.some((c) => c.channel === channel)) setChannel(first.channel);
  }, [info.data, channel]);

  const placeOrder = async () => {
    setPlaced(null);
    const r = await demo.run(() => post<{ order_name: string; phone: string }>('/v1/sandbox/demo-order'));
    if (r) {
      setPlaced(`Placed demo order ${r.order_name} for ${r.phone}.`);
      setChannel('whatsapp');
      setAddress(r.phone);
    }
  };

  if (info.loading && !info.data) return <Loading />;
  const unavailable = (info.error instanceof ApiError && info.error.status === 404) || (info.data && !info.data.enabled);
  if (unavailable) {
    return (
      <section>
        <h1>Sandbox phone</h1>
        <p className="note">The sandbox phone is available when the hub runs with the sandbox (<code>npm start</code> or <code>shoptalk start --sandbox</code>).</p>
      </section>
    );
  }

  if (info.data && info.data.channels.length === 0) {
    return (
      <section>
        <h1>Sandbox phone</h1>
        <div className="note" data-testid="phone-no-channel">
          <h2>Connect a chat app first</h2>
          <p>The phone plays a customer on a simulated WhatsApp, LINE or Messenger account of this workspace, and this workspace has none yet.</p>
          <ol>
            <li>
              Open <Link to="/integrations">Integrations</Link> and add a channel: WhatsApp (Meta), LINE or Messenger.
            </li>
            <li>Use the details of the sandbox's simulated account (the sandbox demo workspace has one of each ready).</li>
            <li>Come back here, pick the app and write as the customer.</li>
          </ol>
        </div>
      </section>
    );
  }

  return (
    <section>
      <h1>Sandbox phone</h1>
      <p className="lead">Be the customer: what you send here reaches the hub as a message from the simulated app.</p>
      <ErrorBox error={info.error} />
      <div className="phone-controls">
        <div className="field">
          <label htmlFor={`${id}-ch`}>App</label>
          <select id={`${id}-ch`} data-testid="phone-channel" value={channel} onChange={(e) => setChannel(e.target.value)}>
            {(info.data?.channels ?? []).map((c) => (
              <option key={c.channel} value={c.channel}>
                {c.label || channelLabel(c.channel)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-addr`}>{channel === 'whatsapp' ? 'Your phone number' : 'Your user id'}</label>
          <input id={`${id}-addr`} data-testid="phone-address" value={address} onChange={(e) => setAddress(e.target.value)} />
        </div>
        <button type="button" className="primary" data-testid="demo-order" onClick={() => void placeOrder()} disabled={demo.busy}>
          {demo.busy ? 'Placing…' : 'Place a demo order'}
        </button>
      </div>
      <ErrorBox error={demo.error} />
      {placed ? (
        <p role="status" className="ok">
          {placed}
        </p>
      ) : null}
      {address.trim() ? <Chat key={`${channel}|${address.trim()}`} channel={channel} address={address.trim()} /> : <p className="empty">Enter an address to open the chat.</p>}
    </section>
  );
}

function Chat({ channel, address }: { channel: string; address: string }) {
  const path = `/v1/sandbox/phone/${enc(channel)}/messages`;
  const load = useLoad(`${channel}|${address}`, () => get<PhoneMessage[]>(`${path}${qs({ address })}`));
  const [text, setText] = useState('');
  const send = useAction();
  const scroller = useRef<HTMLOListElement | null>(null);
  const id = useId();
  const { reload } = load;
  const count = load.data?.length ?? 0;

  useEffect(() => {
    const t = window.setInterval(() => reload(true), POLL_MS);
    return () => window.clearInterval(t);
  }, [reload]);

  // The newest message in view, as a phone does.
  useEffect(() => {
    const list = scroller.current;
    if (list) list.scrollTop = list.scrollHeight;
  }, [count]);

  const sendBody = async (body: { text?: string; payload?: string }): Promise<boolean> => {
    const ok = await send.run(async () => {
      await post(path, { address, ...body });
      return true;
    });
    if (ok) reload(true);
    return ok === true;
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!text.trim()) return;
    if (await sendBody({ text: text.trim() })) setText('');
  };

  return (
    <div className="phone" aria-label={`${channelLabel(channel)} chat`}>
      <div className="phone-head">
        {channelLabel(channel)} · {address}
      </div>
      {/* Focusable, so keyboard users can scroll the conversation. */}
      <ol className="phone-messages" ref={scroller} tabIndex={0} aria-label="Messages" aria-live="polite" data-testid="phone-messages">
        {load.loading && !load.data ? <li><Loading /></li> : null}
        {(load.data ?? []).length === 0 && !load.loading ? <li className="phone-empty">No messages yet. Say hello, or type “menu”.</li> : null}
        {(load.data ?? []).map((m, i) =>
          m.via ? (
            <li key={i} className="bubble elsewhere" data-testid="phone-code" data-via={m.via}>
              <p className="bubble-via">{m.via === 'sms' ? `Text message${m.from ? ` from ${m.from}` : ''}` : `E-mail${m.from ? `: ${m.from}` : ''}`}</p>
              <p>{m.text}</p>
              <time dateTime={m.at}>{when(m.at)}</time>
            </li>
          ) : (
            // 'out' is what the customer (you) sent: on the right; 'in' is the business: on the left.
            <li key={i} className={m.direction === 'out' ? 'bubble mine' : 'bubble theirs'} data-testid="phone-message" data-direction={m.direction}>
              <span className="sr-only">{m.direction === 'out' ? 'You: ' : 'Business: '}</span>
              <p>{m.text}</p>
              {m.buttons && m.buttons.length > 0 ? (
                <div className="bubble-buttons">
                  {m.buttons.map((b) => (
                    <button key={b.id} type="button" data-testid="phone-button" onClick={() => void sendBody({ payload: b.id, text: b.title })} disabled={send.busy}>
                      {b.title}
                    </button>
                  ))}
                </div>
              ) : null}
              <time dateTime={m.at}>{when(m.at)}</time>
            </li>
          ),
        )}
      </ol>
      <ErrorBox error={load.error} />
      <ErrorBox error={send.error} />
      <form className="phone-compose" onSubmit={(e) => void submit(e)}>
        <label htmlFor={`${id}-msg`} className="sr-only">
          Message
        </label>
        <input id={`${id}-msg`} data-testid="phone-input" value={text} onChange={(e) => setText(e.target.value)} placeholder="Message" autoComplete="off" />
        <button type="submit" data-testid="phone-send" disabled={send.busy || !text.trim()}>
          Send
        </button>
      </form>
    </div>
  );
}
