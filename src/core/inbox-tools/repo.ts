// The persistence port of the inbox tools: canned replies, labels and where they are, mentions.
import type { CannedReply, Label, LabelTarget, Mention } from './model.js';

export interface CannedRepliesRepo {
  /** Throws DuplicateError when the name is taken. */
  create(workspaceId: string, input: { name: string; body: string }): Promise<CannedReply>;
  get(workspaceId: string, id: string): Promise<CannedReply | null>;
  /** Throws DuplicateError when the new name is taken. */
  update(workspaceId: string, id: string, patch: { name?: string; body?: string }): Promise<void>;
  remove(workspaceId: string, id: string): Promise<boolean>;
  /** By name; `query` matches the name or the body, case-insensitively. */
  list(workspaceId: string, opts: { query: string | null; limit: number }): Promise<CannedReply[]>;
}

export interface LabelsRepo {
  /** Throws DuplicateError when the name is taken. */
  create(workspaceId: string, input: { name: string; colour: string }): Promise<Label>;
  get(workspaceId: string, id: string): Promise<Label | null>;
  list(workspaceId: string): Promise<Label[]>;
  /** Throws DuplicateError when the new name is taken. */
  update(workspaceId: string, id: string, patch: { name?: string; colour?: string }): Promise<void>;
  /** Removes the label and takes it off every ticket and contact. */
  remove(workspaceId: string, id: string): Promise<boolean>;
  /** Puts a label on a ticket or contact (no-op when it is there). */
  attach(workspaceId: string, labelId: string, target: LabelTarget, targetId: string): Promise<void>;
  detach(workspaceId: string, labelId: string, target: LabelTarget, targetId: string): Promise<void>;
  /** The labels on each of the tickets or contacts, by name. */
  on(workspaceId: string, target: LabelTarget, targetIds: string[]): Promise<Map<string, Label[]>>;
}

export interface MentionsRepo {
  add(workspaceId: string, input: Omit<Mention, 'id' | 'readAt'>): Promise<Mention>;
  get(workspaceId: string, id: string): Promise<Mention | null>;
  /** A user's mentions, newest first. */
  listForUser(workspaceId: string, userId: string, opts: { unreadOnly: boolean; limit: number }): Promise<Mention[]>;
  unreadCount(workspaceId: string, userId: string): Promise<number>;
  markRead(workspaceId: string, userId: string, ids: string[] | { ticketId: string }, at: number): Promise<number>;
}

/** The repositories of this module, as the unit of work hands them out. */
export interface InboxToolRepos {
  cannedReplies: CannedRepliesRepo;
  labels: LabelsRepo;
  mentions: MentionsRepo;
}
