// The persistence port of the support inbox: contacts and their custom fields, queues, categories, tickets,
// their messages and who read them.
import type { Category, Contact, CustomField, Queue, Ticket, TicketMessage, TicketStatus, TicketSummary } from './model.js';
import type { Page } from '../page.js';

export interface CustomFieldsRepo {
  create(workspaceId: string, input: { name: string }): Promise<CustomField>;
  get(workspaceId: string, id: string): Promise<CustomField | null>;
  list(workspaceId: string): Promise<CustomField[]>;
}

export interface ContactsRepo {
  create(workspaceId: string, input: Pick<Contact, 'name' | 'email' | 'phone' | 'fields'>): Promise<Contact>;
  get(workspaceId: string, id: string): Promise<Contact | null>;
  update(workspaceId: string, id: string, patch: Partial<Pick<Contact, 'name' | 'email' | 'phone' | 'fields'>>): Promise<void>;
  /** `labelId`: only contacts with that label. */
  list(workspaceId: string, opts: { limit: number; cursor: string | null; query?: string | null; labelId?: string | null }): Promise<Page<Contact>>;
  /** The contact whose field holds the value. */
  findByField(workspaceId: string, fieldId: string, value: string): Promise<Contact | null>;
  /** Claims a field value for a contact; false when another contact holds it already. */
  claimFieldValue(workspaceId: string, fieldId: string, value: string, contactId: string): Promise<boolean>;
  releaseFieldValues(workspaceId: string, contactId: string): Promise<void>;
  remove(workspaceId: string, id: string): Promise<boolean>;
}

export interface QueuesRepo {
  create(workspaceId: string, input: { name: string; autoReply: string | null; signature: string | null }): Promise<Queue>;
  get(workspaceId: string, id: string): Promise<Queue | null>;
  list(workspaceId: string): Promise<Queue[]>;
  update(workspaceId: string, id: string, patch: { name?: string; autoReply?: string | null; signature?: string | null; assignment?: Queue['assignment']; lastAssignedUserId?: string | null }): Promise<void>;
}

export interface CategoriesRepo {
  create(workspaceId: string, input: { name: string }): Promise<Category>;
  get(workspaceId: string, id: string): Promise<Category | null>;
  list(workspaceId: string): Promise<Category[]>;
}

export interface TicketsRepo {
  /** Creates the ticket unless one exists for the same source and external id; returns it and whether it is new. */
  createIfNew(workspaceId: string, input: Omit<Ticket, 'id' | 'workspaceId' | 'createdAt' | 'updatedAt' | 'autoRepliedAt' | 'lastMessageAt'>): Promise<{ ticket: Ticket; created: boolean }>;
  get(workspaceId: string, id: string): Promise<Ticket | null>;
  findByExternal(workspaceId: string, sourceRef: string, externalId: string): Promise<Ticket | null>;
  /** The newest ticket from a source that is not closed (a chat's open hand-over). */
  openForSource(workspaceId: string, sourceRef: string): Promise<Ticket | null>;
  /** The newest ticket from a source, whatever its status. */
  latestForSource(workspaceId: string, sourceRef: string): Promise<Ticket | null>;
  update(workspaceId: string, id: string, patch: Partial<Pick<Ticket, 'status' | 'assignee' | 'queueId' | 'categoryId' | 'contactId' | 'autoRepliedAt' | 'lastMessageAt' | 'context' | 'subject'>>): Promise<void>;
  /** `labelId`: only tickets with that label. */
  list(workspaceId: string, filter: { source?: string | null; queueId?: string | null; categoryId?: string | null; status?: TicketStatus | null; assignee?: string | null; labelId?: string | null; limit: number; cursor: string | null }): Promise<Page<Ticket>>;
  /** Tickets changed after a time (live updates), oldest change first. */
  changedSince(workspaceId: string, since: number, limit: number): Promise<Ticket[]>;
}

export interface TicketMessagesRepo {
  /** Adds a message unless one with the same external id is in the ticket; null when it was. */
  addIfNew(workspaceId: string, input: Omit<TicketMessage, 'id' | 'createdAt' | 'updatedAt'> & { createdAt?: number; files?: Array<{ name: string; contentType: string; data: Buffer }> }): Promise<TicketMessage | null>;
  /** The files of a reply waiting to be sent. */
  files(workspaceId: string, id: string): Promise<Array<{ name: string; contentType: string; data: Buffer }>>;
  get(workspaceId: string, id: string): Promise<TicketMessage | null>;
  /** `clearFiles` drops the stored files once they were sent or the send failed for good. */
  update(workspaceId: string, id: string, patch: Partial<Pick<TicketMessage, 'status' | 'error' | 'externalId'>> & { clearFiles?: boolean }): Promise<void>;
  listForTicket(workspaceId: string, ticketId: string): Promise<TicketMessage[]>;
  findByExternal(workspaceId: string, ticketId: string, externalId: string): Promise<TicketMessage | null>;
  remove(workspaceId: string, id: string): Promise<void>;
  attachmentBytes(workspaceId: string, ticketId: string): Promise<number>;
  changedSince(workspaceId: string, since: number, limit: number): Promise<TicketMessage[]>;
  /** For the inbox list: each ticket's newest message (internal comments aside) and its first customer message. */
  summaries(workspaceId: string, ticketIds: string[]): Promise<Map<string, TicketSummary>>;
}

/** When each user last opened each ticket (what is unread for them). */
export interface TicketReadsRepo {
  markRead(workspaceId: string, ticketId: string, userId: string, at: number): Promise<void>;
  markUnread(workspaceId: string, ticketId: string, userId: string): Promise<void>;
  readAt(workspaceId: string, userId: string, ticketIds: string[]): Promise<Map<string, number>>;
}

/** The repositories of this module, as the unit of work hands them out. */
export interface TicketRepos {
  customFields: CustomFieldsRepo;
  contacts: ContactsRepo;
  queues: QueuesRepo;
  categories: CategoriesRepo;
  tickets: TicketsRepo;
  ticketMessages: TicketMessagesRepo;
  ticketReads: TicketReadsRepo;
}
