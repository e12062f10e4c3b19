// Tools agents work with all day: canned replies (saved answers with variables), labels on tickets and contacts,
// and @mentions of colleagues in private notes.

export interface CannedReply {
  id: string;
  workspaceId: string;
  /** Short and unique in the workspace: what an agent types after "/" to find it. */
  name: string;
  /** Plain text with {{variables}} from the closed list in canned-text.ts. */
  body: string;
  createdAt: number;
  updatedAt: number;
}

export interface Label {
  id: string;
  name: string;
  /** "#rrggbb". */
  colour: string;
  createdAt: number;
}

export type LabelTarget = 'ticket' | 'contact';

/** A user named in a private note: their notification, read once they open it. */
export interface Mention {
  id: string;
  userId: string;
  ticketId: string;
  /** The private note (a ticket message of kind "internal"). */
  messageId: string;
  author: string | null;
  createdAt: number;
  readAt: number | null;
}
