// The text of a notification on a channel without provider templates: the merchant's own Liquid text, or the
// built-in one in the setting's language, rendered over the variable catalogue.
import type { EventType } from '../events/model.js';
import type { CustomTemplate } from './repo.js';
import { builtinText, matchLocale } from '../templates/builtin.js';
import type { TemplateLocale } from '../templates/builtin.js';
import { TemplateError, renderLiquid, textToHtml } from '../templates/liquid.js';
import { channelProfile } from '../channels/profile.js';

/** Whether the channel's notifications are rendered by the hub rather than by a provider template. */
export const isTextChannel = (channel: string): boolean => channelProfile(channel)?.notificationContent === 'text';

/** Setting names for the two kinds of text a text channel can use. */
export const BUILTIN_TEMPLATE = 'builtin';
export const CUSTOM_TEMPLATE = 'custom';

export interface ComposedText {
  subject: string;
  text: string;
}

/** A stored text that cannot be rendered (e.g. saved by an older version without today's checks). */
export class TextNotRendered extends Error {
  constructor(
    readonly field: 'template.subject' | 'template.body',
    readonly problem: string,
    /** Only the time limit stopped it (a busy machine can cause that): trying again later may succeed. */
    readonly transient: boolean,
  ) {
    super(`${field}: ${problem}`);
    this.name = 'TextNotRendered';
  }
}

function render(field: TextNotRendered['field'], source: string, variables: Record<string, string>): string {
  try {
    return renderLiquid(source, variables);
  } catch (err) {
    if (err instanceof TemplateError) throw new TextNotRendered(field, err.message, err.transient);
    throw err;
  }
}

/** Renders the subject and text; throws TextNotRendered, naming the part, when one cannot be rendered. */
export function composeText(type: EventType, locale: string | null, custom: CustomTemplate | null, variables: Record<string, string>): ComposedText {
  const builtin = builtinText(type, (locale ? matchLocale(locale) : null) ?? 'en');
  const source = custom ?? { subject: null, body: builtin.body };
  return {
    subject: render('template.subject', source.subject ?? builtin.subject, variables).replace(/\s+/g, ' ').slice(0, 200),
    text: render('template.body', source.body, variables),
  };
}

/** The e-mail body with its unsubscribe footer, as text and HTML. */
export function emailBodies(text: string, unsubscribeUrl: string, locale: TemplateLocale): { text: string; html: string } {
  const footer = { en: 'Unsubscribe from these e-mails', 'zh-Hant': '取消訂閱這些郵件', pl: 'Wypisz się z tych wiadomości' }[locale];
  const full = `${text}\n\n${footer}: ${unsubscribeUrl}`;
  return { text: full, html: textToHtml(full) };
}
