// WhatsApp's rules for interactive messages, shared by every WhatsApp provider (the Cloud API directly, Gupshup
// on top of it, since Meta enforces the same limits underneath): which form the choices take, Meta's length
// limits, and how links and cards become body lines (WhatsApp has no free-form carousel). Checking here, before
// any HTTP call, turns Meta's opaque 131009 "Parameter value is not valid" into an error that names the field.
import type { ChatButton, ChatCard, InteractiveContent } from '../../../core/channels/ports.js';
import { ProviderError } from '../../../core/errors.js';

/** Meta's limits (interactive reply buttons and list messages docs). */
export const WHATSAPP_LIMITS = Object.freeze({
  replyButtons: 3,
  listRows: 10,
  buttonTitle: 20,
  buttonId: 256,
  rowTitle: 24,
  rowId: 200,
  listButtonLabel: 20,
  interactiveBody: 1024,
  textBody: 4096,
});

/** The label of the button that opens a list; Meta requires one (≤ 20 characters). */
export const LIST_BUTTON_LABEL = 'Choose';

/**
 * How an interactive message goes on the wire: `text` when it has no choices (a plain text message), `buttons`
 * for 1–3 reply buttons, `list` for 4–10 rows. `body` already carries the cards and links.
 */
export interface WhatsAppInteractivePlan {
  form: 'text' | 'buttons' | 'list';
  body: string;
  choices: ChatButton[];
}

/** Validates the choices and renders the body; throws a permanent ProviderError naming the broken limit. */
export function planInteractive(provider: string, content: InteractiveContent): WhatsAppInteractivePlan {
  const choices = content.buttons;
  if (choices.length > WHATSAPP_LIMITS.listRows) {
    throw refuse(provider, `allows at most ${WHATSAPP_LIMITS.listRows} choices (a list message); this message has ${choices.length}`);
  }
  const form = choices.length === 0 ? 'text' : choices.length <= WHATSAPP_LIMITS.replyButtons ? 'buttons' : 'list';
  if (form !== 'text') checkChoices(provider, choices, form);
  const limit = form === 'text' ? WHATSAPP_LIMITS.textBody : WHATSAPP_LIMITS.interactiveBody;
  return { form, body: composeBody(provider, content, limit), choices };
}

/** Code points, the way a customer would count characters (an emoji is one). */
function charCount(s: string): number {
  return [...s].length;
}

function checkChoices(provider: string, choices: ChatButton[], form: 'buttons' | 'list'): void {
  const maxTitle = form === 'buttons' ? WHATSAPP_LIMITS.buttonTitle : WHATSAPP_LIMITS.rowTitle;
  const maxId = form === 'buttons' ? WHATSAPP_LIMITS.buttonId : WHATSAPP_LIMITS.rowId;
  const what = form === 'buttons' ? 'reply button' : 'list row';
  const ids = new Set<string>();
  const titles = new Set<string>();
  for (const choice of choices) {
    const title = choice.title.trim();
    if (title === '') throw refuse(provider, `needs a title on every ${what} (id "${choice.id}")`);
    const length = charCount(choice.title);
    if (length > maxTitle) {
      throw refuse(provider, `${what} title "${choice.title}" is ${length} characters; the limit is ${maxTitle}`);
    }
    if (choice.id === '') throw refuse(provider, `needs an id on ${what} "${choice.title}"`);
    if (charCount(choice.id) > maxId) throw refuse(provider, `${what} id for "${choice.title}" is longer than ${maxId} characters`);
    if (ids.has(choice.id)) throw refuse(provider, `needs distinct ${what} ids; "${choice.id}" is used twice`);
    // Meta refuses reply buttons with the same title; list rows are told apart by id.
    if (form === 'buttons' && titles.has(title)) throw refuse(provider, `needs distinct reply button titles; "${title}" is used twice`);
    ids.add(choice.id);
    titles.add(title);
  }
}

/**
 * The message text, then cards and links as lines. When that is longer than the limit, cards are dropped from
 * the end first, then links, with a "…and N more" line; only text that is too long on its own is refused.
 */
function composeBody(provider: string, content: InteractiveContent, limit: number): string {
  const textLength = charCount(content.text);
  if (content.text.trim() === '') throw refuse(provider, 'needs message text');
  if (textLength > limit) {
    throw refuse(provider, `message text is ${textLength} characters; the limit is ${limit}`);
  }
  const cards = (content.cards ?? []).map(cardLines);
  const links = (content.links ?? []).map((l) => `• ${l.title}\n  ${l.url}`);
  const total = cards.length + links.length;
  const render = (keptCards: number, keptLinks: number): string => {
    const blocks = [...cards.slice(0, keptCards), ...links.slice(0, keptLinks)];
    const dropped = total - blocks.length;
    if (dropped > 0) blocks.push(`…and ${dropped} more`);
    return blocks.length === 0 ? content.text : `${content.text}\n\n${blocks.join('\n')}`;
  };
  for (let keep = cards.length; keep >= 0; keep--) {
    const body = render(keep, links.length);
    if (charCount(body) <= limit) return body;
  }
  for (let keep = links.length - 1; keep >= 0; keep--) {
    const body = render(0, keep);
    if (charCount(body) <= limit) return body;
  }
  // Not even the "…and N more" line fits next to the text; the text alone still does.
  return content.text;
}

function cardLines(card: ChatCard): string {
  const head = card.subtitle ? `• ${card.title} — ${card.subtitle}` : `• ${card.title}`;
  return card.url ? `${head}\n  ${card.url}` : head;
}

function refuse(provider: string, problem: string): ProviderError {
  return new ProviderError('permanent', `${provider} interactive message ${problem}`);
}
