// Notification settings: per workspace, event type and channel; off until the merchant turns one on.
// Turning one on checks, in real time, that the provider reports the template as APPROVED.
import { AppError, invalidField } from '../errors.js';
import type { EventType } from '../events/model.js';
import { eventTypes } from '../events/model.js';
import type { ProviderTemplate, StoredContent } from '../channels/ports.js';
import type { CustomTemplate, NotificationSetting, TemplateBinding } from './repo.js';
import type { UnitOfWork } from '../repos.js';
import { BUILTIN_TEMPLATE, CUSTOM_TEMPLATE, TextNotRendered, composeText, isTextChannel } from './compose.js';
import { messengerNotification, textLengthProblem } from './policy.js';
import { normalizeAddress } from './opt-outs.js';
import { matchLocale, templateLocales } from '../templates/builtin.js';
import type { TemplateLocale } from '../templates/builtin.js';
import { textToHtml, validateLiquid } from '../templates/liquid.js';
import type { ConnectionService } from '../connections/service.js';
import { channelLabel, eventLabel } from './labels.js';
import { channelIds, channelProfile } from '../channels/profile.js';
import { supportingPlatforms } from './matrix.js';
import { defaultVariableOrder, renderPlaceholders, variableCatalogue, variableKeys } from './variables.js';
import { newId } from '../ids.js';

export interface SettingUpdate {
  enabled: boolean;
  channelAccountId?: string | null | undefined;
  /**
   * Provider-template channels (WhatsApp): the template's name and language. Text channels (Messenger, LINE,
   * SMS, e-mail): the language of the built-in text, or the merchant's own Liquid body (and e-mail subject);
   * name "builtin" goes back to the built-in text.
   */
  template?: { name?: string | undefined; id?: string | undefined; language?: string | undefined; body?: string | undefined; subject?: string | undefined } | null | undefined;
  /** Placeholder → variable key; placeholders left out get the default for their position. */
  variables?: Record<string, string> | undefined;
  /** Required to enable a notification sent through the platform's shared account (it is charged extra). */
  confirmCharges?: boolean | undefined;
  /** Who made the change (an API key or user id), recorded with a charge confirmation. */
  actor?: string | undefined;
}

export interface SettingView {
  eventType: EventType;
  channel: string;
  enabled: boolean;
  channelAccountId: string | null;
  template: { name: string; language: string; id: string | null } | null;
  binding: TemplateBinding;
  chargesConfirmedAt: number | null;
  chargesConfirmedBy: string | null;
  /** The merchant's own text on a text channel (null: the built-in text). */
  customTemplate: CustomTemplate | null;
  updatedAt: number | null;
}

export interface EnabledSetting extends SettingView {
  /** The template body filled with the catalogue's sample values. */
  preview: string | null;
  templateStatus: string;
}

const DEFAULT_LANGUAGE = 'en_US';

export class NotificationSettingsService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly connections: ConnectionService,
  ) {}

  /** Every event type × channel, including the ones never configured (shown as disabled). */
  async list(workspaceId: string): Promise<SettingView[]> {
    const stored = await this.uow.repos.settings.list(workspaceId);
    const byKey = new Map(stored.map((s) => [`${s.eventType}|${s.channel}`, s]));
    const out: SettingView[] = [];
    for (const eventType of eventTypes) {
      for (const channel of channelIds) {
        const s = byKey.get(`${eventType}|${channel}`);
        out.push(
          s
            ? toView(s)
            : { eventType, channel, enabled: false, channelAccountId: null, template: null, binding: { parameterFormat: 'POSITIONAL', parameters: [] }, chargesConfirmedAt: null, chargesConfirmedBy: null, customTemplate: null, updatedAt: null },
        );
      }
    }
    return out;
  }

  async update(workspaceId: string, eventType: string, channel: string, input: SettingUpdate): Promise<EnabledSetting> {
    if (!(eventTypes as readonly string[]).includes(eventType)) throw invalidField('event_type', `must be one of ${eventTypes.join(', ')}`);
    if (!channelProfile(channel)) throw invalidField('channel', `must be one of ${channelIds.join(', ')}`);
    const type = eventType as EventType;
    const current = await this.uow.repos.settings.get(workspaceId, type, channel);

    if (!input.enabled) {
      const saved = await this.uow.repos.settings.upsert(workspaceId, {
        eventType: type,
        channel,
        enabled: false,
        channelAccountId: input.channelAccountId ?? current?.channelAccountId ?? null,
        templateName: current?.templateName ?? null,
        templateLanguage: current?.templateLanguage ?? null,
        templateId: current?.templateId ?? null,
        binding: current?.binding ?? { parameterFormat: 'POSITIONAL', parameters: [] },
        chargesConfirmedAt: current?.chargesConfirmedAt ?? null,
        chargesConfirmedBy: current?.chargesConfirmedBy ?? null,
        customTemplate: current?.customTemplate ?? null,
      });
      return { ...toView(saved), preview: null, templateStatus: 'n/a' };
    }

    if (supportingPlatforms(type, channel).length === 0) {
      throw invalidField('event_type', `${eventLabel(type)} notifications are not supported on ${channelLabel(channel)} by any store platform or hub feature; see GET /v1/notification-matrix`);
    }
    const account = await this.pickAccount(workspaceId, channel, input.channelAccountId ?? null);
    // Seed 002: sends through the platform's shared account are billed to the merchant on top; enabling one
    // needs an explicit confirmation, recorded with who gave it and when.
    let charges: { at: number | null; by: string | null } = { at: null, by: null };
    if (account.owner === 'platform') {
      const alreadyConfirmed = current?.chargesConfirmedAt != null && current.channelAccountId === account.id;
      if (!input.confirmCharges && !alreadyConfirmed) {
        throw invalidField('confirm_charges', `notifications sent through the shared ${channelLabel(channel)} account ${account.name} are charged extra; send confirm_charges: true to accept`);
      }
      charges = input.confirmCharges ? { at: Date.now(), by: input.actor ?? null } : { at: current!.chargesConfirmedAt, by: current!.chargesConfirmedBy };
    }
    if (isTextChannel(channel)) return this.enableText(workspaceId, type, channel, input, current, account.id, charges);
    const templates = await this.connections.listTemplates(workspaceId, account.id);
    const byId = input.template?.id?.trim();
    // Seed 002: the merchant's own Gupshup account asks for the template id; a name works too. The platform's shared
    // account uses the platform's own approved template for the event, named after it (order_shipped...).
    const platformDefault = account.owner === 'platform' && !byId && !input.template?.name && !current?.templateName ? platformTemplateName(type) : null;
    const fromId = byId ? templates.find((t) => t.id === byId) : undefined;
    if (byId && !fromId) throw new AppError('template_not_approved', `template id ${byId} does not exist in the account ${account.name}`, { template_id: byId });
    const name = fromId?.name ?? (input.template?.name?.trim() || current?.templateName || platformDefault);
    if (!name) throw invalidField('template.name', `the name or id of an approved ${channelLabel(channel)} template is required to enable this notification`);
    const language = fromId?.language ?? (input.template?.language?.trim() || (input.template?.name ? DEFAULT_LANGUAGE : current?.templateLanguage) || (platformDefault ? templates.find((t) => t.name === platformDefault && t.status === 'APPROVED')?.language : null) || DEFAULT_LANGUAGE);
    const template = fromId ?? templates.find((t) => t.name === name && t.language === language);
    if (!template && platformDefault) {
      throw new AppError('template_not_approved', `the shared ${channelLabel(channel)} account ${account.name} has no approved template ${platformDefault} for this notification yet; ask the platform, or use your own account`, { template: platformDefault });
    }
    if (!template) {
      const languages = templates.filter((t) => t.name === name).map((t) => t.language);
      throw new AppError(
        'template_not_approved',
        languages.length
          ? `template ${name} has no ${language} translation in the WhatsApp Business Account (it has ${languages.join(', ')})`
          : `template ${name} does not exist in the WhatsApp Business Account of ${account.name}`,
        { template: name, language },
      );
    }
    if (template.status !== 'APPROVED') {
      throw new AppError('template_not_approved', `template ${name} (${language}) is ${template.status} at the provider; only APPROVED templates can be sent`, {
        template: name,
        language,
        status: template.status,
      });
    }
    const binding = bindTemplate(template, input.variables ?? (current?.templateName === name ? Object.fromEntries(current.binding.parameters.map((p) => [p.placeholder, p.variable])) : {}));
    const saved = await this.uow.repos.settings.upsert(workspaceId, {
      eventType: type,
      channel,
      enabled: true,
      channelAccountId: account.id,
      templateName: template.name,
      templateLanguage: template.language,
      templateId: template.id,
      binding,
      chargesConfirmedAt: charges.at,
      chargesConfirmedBy: charges.by,
      customTemplate: null,
    });
    const samples = await this.samples(workspaceId);
    const values = Object.fromEntries(binding.parameters.map((p) => [p.placeholder, samples[p.variable] ?? '']));
    return { ...toView(saved), preview: template.bodyText ? renderPlaceholders(template.bodyText, values) : null, templateStatus: template.status };
  }

  /**
   * Text channels have no provider templates: the notification uses the built-in text in a language, or the
   * merchant's own Liquid text, checked now (syntax, known variables, the channel's length limit).
   */
  private async enableText(
    workspaceId: string,
    type: EventType,
    channel: string,
    input: SettingUpdate,
    current: NotificationSetting | null,
    accountId: string,
    charges: { at: number | null; by: string | null },
  ): Promise<EnabledSetting> {
    const t = input.template ?? null;
    const ws = await this.uow.repos.workspaces.get(workspaceId);
    let locale: TemplateLocale = matchLocale(current?.templateLanguage ?? ws?.language ?? 'en') ?? 'en';
    if (t?.language) {
      const matched = matchLocale(t.language);
      if (!matched) throw invalidField('template.language', `built-in texts exist in ${templateLocales.join(', ')}`);
      locale = matched;
    }
    if (t?.name && t.name !== BUILTIN_TEMPLATE && t.name !== CUSTOM_TEMPLATE) {
      throw invalidField('template.name', `${channelLabel(channel)} has no provider templates: leave it out, or use "builtin" (with a language) or give your own template.body`);
    }
    if (t?.subject !== undefined && !channelProfile(channel)?.subject) throw invalidField('template.subject', 'only e-mail notifications have a subject');
    if (input.variables && Object.keys(input.variables).length > 0) throw invalidField('variables', `${channelLabel(channel)} texts name the variables themselves, e.g. {{ customer_order_id }}`);
    const samples = await this.samples(workspaceId);
    let custom: CustomTemplate | null = current?.templateName === CUSTOM_TEMPLATE ? current.customTemplate : null;
    if (t?.name === BUILTIN_TEMPLATE) custom = null;
    if (t?.body !== undefined) {
      validateLiquid('template.body', t.body, samples);
      if (t.subject !== undefined) validateLiquid('template.subject', t.subject, samples);
      custom = { body: t.body, subject: t.subject ?? null };
    } else if (t?.subject !== undefined) {
      throw invalidField('template.body', 'give the body together with your own subject');
    }
    const preview = composeOr400(type, locale, custom, samples);
    const tooLong = textLengthProblem(channel, channelLabel(channel), preview.text);
    if (tooLong) throw invalidField('template.body', `${tooLong} (with the sample values)`);
    const saved = await this.uow.repos.settings.upsert(workspaceId, {
      eventType: type,
      channel,
      enabled: true,
      channelAccountId: accountId,
      templateName: custom ? CUSTOM_TEMPLATE : BUILTIN_TEMPLATE,
      templateLanguage: locale,
      templateId: null,
      binding: { parameterFormat: 'NAMED', parameters: [] },
      chargesConfirmedAt: charges.at,
      chargesConfirmedBy: charges.by,
      customTemplate: custom,
    });
    return { ...toView(saved), preview: withSubject(channel, preview), templateStatus: custom ? 'CUSTOM' : 'BUILTIN' };
  }

  /**
   * The catalogue's sample values with the workspace's own values over them; amounts in the workspace's currency
   * (and its language's number format) once it is set.
   */
  async samples(workspaceId: string): Promise<Record<string, string>> {
    const own = await this.uow.repos.variableSamples.list(workspaceId);
    const ws = await this.uow.repos.workspaces.get(workspaceId);
    const brand = ws?.brandName ?? null;
    const money = (key: string): string | null => {
      const amount = sampleAmounts[key];
      return amount !== undefined && ws?.currency ? formatSampleMoney(amount, ws.currency, ws.language) : null;
    };
    return Object.fromEntries(variableCatalogue.map((v) => [v.key, own[v.key] ?? (v.key === 'brand' && brand ? brand : (money(v.key) ?? v.sample))]));
  }

  /**
   * What the notification would send, filled with the sample values, without saving anything: the template (or
   * text) and variable mapping given, else the saved ones. Shown before a notification is turned on.
   */
  async preview(workspaceId: string, eventType: string, channel: string, input: Pick<SettingUpdate, 'channelAccountId' | 'template' | 'variables'>): Promise<{ preview: string | null; templateStatus: string; language: string; currency: string | null; binding: TemplateBinding | null }> {
    if (!(eventTypes as readonly string[]).includes(eventType)) throw invalidField('event_type', `must be one of ${eventTypes.join(', ')}`);
    if (!channelProfile(channel)) throw invalidField('channel', `must be one of ${channelIds.join(', ')}`);
    const type = eventType as EventType;
    const current = await this.uow.repos.settings.get(workspaceId, type, channel);
    const ws = await this.uow.repos.workspaces.get(workspaceId);
    const samples = await this.samples(workspaceId);
    const t = input.template ?? null;
    if (isTextChannel(channel)) {
      const wanted = t?.language ?? current?.templateLanguage ?? ws?.language ?? 'en';
      const locale = matchLocale(wanted);
      if (!locale) throw invalidField('template.language', `built-in texts exist in ${templateLocales.join(', ')}`);
      let custom: CustomTemplate | null = current?.templateName === CUSTOM_TEMPLATE ? current.customTemplate : null;
      if (t?.name === BUILTIN_TEMPLATE) custom = null;
      if (t?.body !== undefined) {
        validateLiquid('template.body', t.body, samples);
        if (t.subject !== undefined) validateLiquid('template.subject', t.subject, samples);
        custom = { body: t.body, subject: t.subject ?? null };
      }
      const text = composeOr400(type, locale, custom, samples);
      return { preview: withSubject(channel, text), templateStatus: custom ? 'CUSTOM' : 'BUILTIN', language: locale, currency: ws?.currency ?? null, binding: null };
    }
    const account = await this.pickAccount(workspaceId, channel, input.channelAccountId ?? current?.channelAccountId ?? null);
    const templates = await this.connections.listTemplates(workspaceId, account.id);
    const byId = t?.id?.trim();
    const name = t?.name?.trim() || current?.templateName || (account.owner === 'platform' ? platformTemplateName(type) : null);
    const template = byId
      ? templates.find((x) => x.id === byId)
      : name
        ? templates.find((x) => x.name === name && x.language === (t?.language?.trim() || (t?.name ? undefined : current?.templateLanguage) || x.language))
        : undefined;
    if (!template) throw invalidField(byId ? 'template.id' : 'template.name', byId || name ? `template ${byId ?? name} does not exist in the account ${account.name}` : `choose an approved ${channelLabel(channel)} template to preview`);
    const mapping = input.variables ?? (current?.templateName === template.name ? Object.fromEntries(current.binding.parameters.map((p) => [p.placeholder, p.variable])) : {});
    const binding = bindTemplate(template, mapping);
    const values = Object.fromEntries(binding.parameters.map((p) => [p.placeholder, samples[p.variable] ?? '']));
    return { preview: template.bodyText ? renderPlaceholders(template.bodyText, values) : null, templateStatus: template.status, language: template.language, currency: ws?.currency ?? null, binding };
  }

  async setSamples(workspaceId: string, values: Record<string, string>): Promise<Record<string, string>> {
    for (const [key, value] of Object.entries(values)) {
      if (!variableKeys.has(key)) throw invalidField(`values.${key}`, 'is not a variable of the catalogue; see GET /v1/notification-variables');
      if (value.length === 0 || value.length > 500) throw invalidField(`values.${key}`, 'must be 1 to 500 characters');
    }
    await this.uow.repos.variableSamples.set(workspaceId, values);
    return this.samples(workspaceId);
  }

  /**
   * Sends the notification, filled with the sample values, to an address the merchant gives (a phone number,
   * an e-mail address, a LINE user id or a Messenger PSID), through the setting's account, now. The send is
   * recorded (and billed) like any other.
   */
  async testSend(workspaceId: string, eventType: string, channel: string, to: string): Promise<{ messageId: string; status: string; providerMessageId: string | null; reason: string | null; preview: string | null }> {
    if (!(eventTypes as readonly string[]).includes(eventType)) throw invalidField('event_type', `must be one of ${eventTypes.join(', ')}`);
    const setting = await this.uow.repos.settings.get(workspaceId, eventType, channel);
    if (!setting?.templateName || !setting.templateLanguage || !setting.channelAccountId) {
      throw invalidField('event_type', `set a template for the ${eventType} ${channelLabel(channel)} notification before a test send`);
    }
    const address = normalizeAddress(channel, to);
    if (!address) {
      throw invalidField('to', channelProfile(channel)?.addressHint ?? `must be a ${channelLabel(channel)} user id`);
    }
    const account = await this.uow.repos.channelAccounts.get(workspaceId, setting.channelAccountId);
    if (!account) throw invalidField('channel_account_id', 'the notification’s account was removed; enable it again with another account');
    const samples = await this.samples(workspaceId);
    const { content, preview } = await this.testContent(workspaceId, setting, account.id, address, samples);
    const message = await this.uow.repos.messages.insertIfNew(workspaceId, {
      direction: 'outbound',
      channel,
      channelAccountId: account.id,
      eventId: null,
      orderId: null,
      idempotencyKey: `test:${newId('t')}`,
      recipient: address,
      templateName: setting.templateName,
      category: 'utility',
      content,
      status: 'queued',
      reason: null,
    });
    const result = await this.connections.sendNow(account, { to: address, content, idempotencyKey: message!.id });
    const at = Date.now();
    if (account.settings['numberCheck'] !== undefined && account.settings['numberCheck'] !== 'verified') {
      // The test send is the number check where the provider has no API for it (Gupshup).
      const { numberCheckFailure: _previous, ...rest } = account.settings;
      const settings = result.ok ? { ...rest, numberCheck: 'verified' } : { ...rest, numberCheck: 'unverified', numberCheckFailure: result.reason.slice(0, 300) };
      await this.uow.repos.channelAccounts.update(workspaceId, account.id, { settings });
    }
    await this.uow.transaction(async (tx) => {
      if (result.ok) {
        await tx.messages.update(workspaceId, message!.id, { status: 'sent', sentAt: at, providerMessageId: result.providerMessageId, attempts: 1 });
        await tx.usage.record(workspaceId, { messageId: message!.id, channel, channelAccountId: account.id, provider: account.provider, owner: account.owner, category: 'utility', at });
      } else {
        await tx.messages.update(workspaceId, message!.id, { status: 'failed', failedAt: at, errorCode: result.errorCode, reason: result.reason, attempts: 1 });
      }
    });
    return {
      messageId: message!.id,
      status: result.ok ? 'sent' : 'failed',
      providerMessageId: result.ok ? result.providerMessageId : null,
      reason: result.ok ? null : result.reason,
      preview,
    };
  }

  private async testContent(workspaceId: string, setting: NotificationSetting, accountId: string, address: string, samples: Record<string, string>): Promise<{ content: StoredContent; preview: string | null }> {
    if (isTextChannel(setting.channel)) {
      const { subject, text } = composeOr400(setting.eventType, setting.templateLanguage, setting.customTemplate, samples);
      if (channelProfile(setting.channel)?.subject) return { content: { kind: 'text', subject, text, html: textToHtml(text) }, preview: withSubject(setting.channel, { subject, text }) };
      if (setting.channel === 'messenger') {
        const sent = messengerNotification(setting.eventType, text, await this.uow.repos.messages.lastInboundAt(workspaceId, accountId, address), Date.now());
        if ('refused' in sent) throw invalidField('to', `cannot be messaged now: ${sent.refused}`);
        return { content: sent.content, preview: text };
      }
      return { content: { kind: 'text', text }, preview: text };
    }
    const parameters = setting.binding.parameters.map((p) => ({ name: p.placeholder, value: samples[p.variable] ?? '-' }));
    const content: StoredContent = {
      kind: 'template',
      templateName: setting.templateName!,
      language: setting.templateLanguage!,
      templateId: setting.templateId,
      parameters,
      parameterFormat: setting.binding.parameterFormat,
    };
    const templates = await this.connections.listTemplates(workspaceId, accountId).catch(() => []);
    const body = templates.find((t) => t.name === setting.templateName && t.language === setting.templateLanguage)?.bodyText ?? null;
    return { content, preview: body ? renderPlaceholders(body, Object.fromEntries(parameters.map((p) => [p.name, p.value]))) : null };
  }

  /** The sending account: the one named, else the channel's selected sending account (seed 002's rules). */
  private async pickAccount(workspaceId: string, channel: string, accountId: string | null) {
    if (accountId) {
      const account = await this.uow.repos.channelAccounts.get(workspaceId, accountId);
      if (!account || account.channel !== channel) throw invalidField('channel_account_id', `no ${channelLabel(channel)} account ${accountId} in this workspace`);
      return account;
    }
    const selection = await this.connections.sendingAccount(workspaceId, channel);
    if (!selection.account) {
      throw new AppError('validation_failed', `no ${channelLabel(channel)} account is installed; connect one before enabling notifications`, {
        fields: [{ field: 'channel_account_id', message: 'no account installed' }],
      });
    }
    return selection.account;
  }
}

/** A preview as the customer reads it: the subject above the text on channels with subjects (e-mail). */
const withSubject = (channel: string, composed: { subject: string; text: string }): string => (channelProfile(channel)?.subject ? `${composed.subject}\n\n${composed.text}` : composed.text);

/** The text with the sample values; a stored text that cannot be rendered is a 400 naming its part. */
function composeOr400(...args: Parameters<typeof composeText>): ReturnType<typeof composeText> {
  try {
    return composeText(...args);
  } catch (err) {
    if (err instanceof TextNotRendered) throw invalidField(err.field, `cannot be rendered: ${err.problem}; save the text again`);
    throw err;
  }
}

/** Sample amounts of the money variables, shown in the workspace's currency once it is set. */
const sampleAmounts: Record<string, number> = { order_total: 998, refund_amount: 499, credit_amount: 100 };

const numberLocales: Record<string, string> = { en: 'en-US', 'zh-Hant': 'zh-Hant-TW', pl: 'pl-PL' };

/** An amount as the workspace's customers read it: "NT$998.00", "998,00 zł", "€998.00". */
export function formatSampleMoney(amount: number, currency: string, language: string | null): string {
  try {
    const local = new Intl.NumberFormat(numberLocales[language ?? 'en'] ?? 'en-US', { style: 'currency', currency }).format(amount);
    // A bare "$" for a dollar that is not the US one (TWD in Taiwan) is ambiguous in a message: "NT$998.00".
    if (currency !== 'USD' && /(^|[^A-Z])\$/.test(local)) return new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(amount);
    return local;
  } catch {
    return `${amount.toFixed(2)} ${currency}`;
  }
}

/** The name a platform's shared account gives the approved template of an event: order.shipped → order_shipped. */
export const platformTemplateName = (type: EventType): string => type.replace(/\./g, '_');

function bindTemplate(template: ProviderTemplate, mapping: Record<string, string>): TemplateBinding {
  for (const [placeholder, variable] of Object.entries(mapping)) {
    if (!template.placeholders.includes(placeholder)) throw invalidField(`variables.${placeholder}`, `template ${template.name} has no placeholder {{${placeholder}}}`);
    if (!variableKeys.has(variable)) throw invalidField(`variables.${placeholder}`, `unknown variable ${variable}; see GET /v1/notification-variables`);
  }
  const parameters = template.placeholders.map((placeholder, i) => {
    const variable = mapping[placeholder] ?? (template.parameterFormat === 'NAMED' && variableKeys.has(placeholder) ? placeholder : template.parameterFormat === 'POSITIONAL' ? defaultVariableOrder[i] : undefined);
    if (!variable) throw invalidField(`variables.${placeholder}`, `map the placeholder {{${placeholder}}} of template ${template.name} to a variable`);
    return { placeholder, variable };
  });
  return { parameterFormat: template.parameterFormat, parameters };
}

function toView(s: NotificationSetting): SettingView {
  return {
    eventType: s.eventType,
    channel: s.channel,
    enabled: s.enabled,
    channelAccountId: s.channelAccountId,
    template: s.templateName ? { name: s.templateName, language: s.templateLanguage ?? DEFAULT_LANGUAGE, id: s.templateId } : null,
    binding: s.binding,
    chargesConfirmedAt: s.chargesConfirmedAt,
    chargesConfirmedBy: s.chargesConfirmedBy,
    customTemplate: s.customTemplate,
    updatedAt: s.updatedAt,
  };
}
