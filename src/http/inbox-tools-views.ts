// How the inbox tools appear in API responses: labels (on tickets and contacts too), canned replies, mentions.
import type { CannedReply, Label } from '../core/inbox-tools/model.js';
import type { MentionView, RenderedCannedReply } from '../core/inbox-tools/service.js';
import { cannedVariablesIn } from '../core/inbox-tools/canned-text.js';
import { iso } from './views.js';

export const labelView = (l: Label) => ({ id: l.id, name: l.name, colour: l.colour, created_at: iso(l.createdAt) });

export const cannedView = (c: CannedReply) => ({ id: c.id, name: c.name, body: c.body, variables: cannedVariablesIn(c.body), created_at: iso(c.createdAt), updated_at: iso(c.updatedAt) });

export const renderedCannedView = (r: RenderedCannedReply) => ({ ...cannedView(r.reply), text: r.text, missing: r.missing });

export const mentionView = (v: MentionView) => ({
  id: v.mention.id,
  ticket_id: v.mention.ticketId,
  ticket_title: v.ticketTitle,
  message_id: v.mention.messageId,
  author: v.mention.author,
  excerpt: v.excerpt,
  created_at: iso(v.mention.createdAt),
  read_at: v.mention.readAt == null ? null : iso(v.mention.readAt),
});
