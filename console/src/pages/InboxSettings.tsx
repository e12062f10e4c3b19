// Inbox settings (admins): the workspace's canned replies, with their variables, and its labels.
import { useId, useState } from 'react';
import type { FormEvent } from 'react';
import { del, enc, get, patch, post } from '../api';
import type { components } from '../api-types';
import type { List } from '../types';
import { Async, ErrorBox, useAction, useLoad } from '../ui';
import { LabelChip } from '../inbox-tools';
import type { Label } from '../inbox-tools';

type CannedReply = components['schemas']['CannedReply'];

export function InboxSettingsPage() {
  return (
    <section>
      <h1>Inbox settings</h1>
      <CannedReplies />
      <Labels />
    </section>
  );
}

function CannedReplies() {
  const list = useLoad('canned-replies', () => get<List<CannedReply>>('/v1/canned-replies?limit=200'));
  const variables = useLoad('canned-variables', () => get<List<{ name: string; description: string }>>('/v1/canned-replies/variables'));
  const [editing, setEditing] = useState<CannedReply | null>(null);
  const [name, setName] = useState('');
  const [body, setBody] = useState('');
  const action = useAction();
  const id = useId();
  const reset = () => {
    setEditing(null);
    setName('');
    setBody('');
  };
  const save = async (e: FormEvent) => {
    e.preventDefault();
    const saved = await action.run(() => (editing ? patch<CannedReply>(`/v1/canned-replies/${enc(editing.id)}`, { name, body }) : post<CannedReply>('/v1/canned-replies', { name, body })));
    if (saved) {
      reset();
      list.reload(true);
    }
  };
  const remove = async (c: CannedReply) => {
    if (!window.confirm(`Delete the canned reply “${c.name}”?`)) return;
    await action.run(() => del(`/v1/canned-replies/${enc(c.id)}`));
    if (editing?.id === c.id) reset();
    list.reload(true);
  };
  return (
    <section aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Canned replies</h2>
      <p className="muted">Agents type “/” in a reply to insert one, with the variables filled in for the ticket. Plain text only.</p>
      <Async load={list}>
        {(d) =>
          d.data.length === 0 ? (
            <p className="empty">No canned replies yet.</p>
          ) : (
            <ul className="plain canned-list">
              {d.data.map((c) => (
                <li key={c.id} data-testid="canned-item">
                  <strong>/{c.name}</strong>
                  <p className="msg-body">{c.body}</p>
                  <div className="inline">
                    <button
                      type="button"
                      className="small"
                      onClick={() => {
                        setEditing(c);
                        setName(c.name);
                        setBody(c.body);
                      }}
                    >
                      Edit
                    </button>
                    <button type="button" className="small danger" onClick={() => void remove(c)}>
                      Delete
                    </button>
                  </div>
                </li>
              ))}
            </ul>
          )
        }
      </Async>
      <form onSubmit={(e) => void save(e)} className="card-form" aria-label={editing ? 'Edit the canned reply' : 'New canned reply'}>
        <h3>{editing ? `Edit /${editing.name}` : 'New canned reply'}</h3>
        <div className="field">
          <label htmlFor={`${id}-name`}>Name (what agents type after “/”)</label>
          <input id={`${id}-name`} data-testid="canned-name" value={name} maxLength={60} onChange={(e) => setName(e.target.value)} required />
        </div>
        <div className="field">
          <label htmlFor={`${id}-body`}>Text</label>
          <textarea id={`${id}-body`} data-testid="canned-body" rows={4} value={body} maxLength={5000} onChange={(e) => setBody(e.target.value)} required />
        </div>
        {variables.data ? (
          <details>
            <summary>Variables</summary>
            <dl className="variables">
              {variables.data.data.map((v) => (
                <div key={v.name}>
                  <dt>
                    <code>{`{{${v.name}}}`}</code>
                  </dt>
                  <dd>{v.description}</dd>
                </div>
              ))}
            </dl>
          </details>
        ) : null}
        <ErrorBox error={action.error} />
        <div className="inline">
          <button type="submit" className="primary" data-testid="canned-save" disabled={action.busy}>
            {editing ? 'Save' : 'Add canned reply'}
          </button>
          {editing ? (
            <button type="button" onClick={reset}>
              Cancel
            </button>
          ) : null}
        </div>
      </form>
    </section>
  );
}

function Labels() {
  const list = useLoad('labels', () => get<List<Label>>('/v1/labels'));
  const [name, setName] = useState('');
  const [colour, setColour] = useState('#3182ce');
  const action = useAction();
  const id = useId();
  const add = async (e: FormEvent) => {
    e.preventDefault();
    if (await action.run(() => post<Label>('/v1/labels', { name, colour }))) {
      setName('');
      list.reload(true);
    }
  };
  const recolour = async (l: Label, next: string) => {
    if (await action.run(() => patch<Label>(`/v1/labels/${enc(l.id)}`, { colour: next }))) list.reload(true);
  };
  const remove = async (l: Label) => {
    if (!window.confirm(`Delete the label “${l.name}”? It is taken off every ticket and contact.`)) return;
    await action.run(() => del(`/v1/labels/${enc(l.id)}`));
    list.reload(true);
  };
  return (
    <section aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Labels</h2>
      <p className="muted">Agents put labels on tickets and contacts, and filter the inbox by them.</p>
      <Async load={list}>
        {(d) =>
          d.data.length === 0 ? (
            <p className="empty">No labels yet.</p>
          ) : (
            <ul className="plain label-list">
              {d.data.map((l) => (
                <li key={l.id} className="inline" data-testid="label-item">
                  <LabelChip label={l} />
                  <label className="sr-only" htmlFor={`${id}-${l.id}`}>
                    Colour of {l.name}
                  </label>
                  <input id={`${id}-${l.id}`} type="color" value={l.colour} onChange={(e) => void recolour(l, e.target.value)} />
                  <button type="button" className="small danger" onClick={() => void remove(l)}>
                    Delete
                  </button>
                </li>
              ))}
            </ul>
          )
        }
      </Async>
      <form onSubmit={(e) => void add(e)} className="inline card-form" aria-label="New label">
        <div className="field">
          <label htmlFor={`${id}-name`}>Name</label>
          <input id={`${id}-name`} data-testid="label-name" value={name} maxLength={50} onChange={(e) => setName(e.target.value)} required />
        </div>
        <div className="field">
          <label htmlFor={`${id}-colour`}>Colour</label>
          <input id={`${id}-colour`} data-testid="label-colour" type="color" value={colour} onChange={(e) => setColour(e.target.value)} />
        </div>
        <button type="submit" className="primary" data-testid="label-save" disabled={action.busy}>
          Add label
        </button>
      </form>
      <ErrorBox error={action.error} />
    </section>
  );
}
