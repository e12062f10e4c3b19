// The sandbox phone: play the end customer on the simulated WhatsApp, LINE or Messenger.
// The endpoints are the hub's sandbox-only API (GET/POST /v1/sandbox/phone…, POST /v1/sandbox/demo-order).
import { useEffect, useId, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { ApiError, enc, get, post, qs } from '../api';
import type { PhoneChannel, PhoneMessage } from '../types';
import { channelLabel } from '../types';
import { ErrorBox, Loading, useAction, useLoad, when } from '../ui';

const POLL_MS = 1500;

interface PhoneInfo {
  enabled: boolean;
  channels: PhoneChannel[];
}

export function PhonePage() {
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
  const end = useRef<HTMLLIElement | null>(null);
  const id = useId();
  const { reload } = load;
  const count = load.data?.length ?? 0;

  useEffect(() => {
    const t = window.setInterval(() => reload(true), POLL_MS);
    return () => window.clearInterval(t);
  }, [reload]);

  useEffect(() => {
    end.current?.scrollIntoView?.({ block: 'nearest' });
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
      <ol className="phone-messages" aria-live="polite">
        {load.loading && !load.data ? <li><Loading /></li> : null}
        {(load.data ?? []).map((m, i) => (
          // 'in' is what the customer sent to the business (the hub's inbound), 'out' what the business sent.
          <li key={i} className={m.direction === 'in' ? 'bubble mine' : 'bubble theirs'} data-testid="phone-message" data-direction={m.direction}>
            <p>{m.text}</p>
            {m.buttons && m.buttons.length > 0 ? (
              <div className="bubble-buttons">
                {m.buttons.map((b) => (
                  <button key={b.id} type="button" data-testid="phone-button" onClick={() => void sendBody({ payload: b.id })} disabled={send.busy}>
                    {b.title}
                  </button>
                ))}
              </div>
            ) : null}
            <time dateTime={m.at}>{when(m.at)}</time>
          </li>
        ))}
        <li ref={end} className="sr-only" aria-hidden="true" />
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
