// Notification settings: per workspace, event type and channel; off until the merchant turns one on.
// Turning one on checks, in real time, that the provider reports the template as APPROVED.
import { AppError, invalidField } from '../errors.js';
import type { EventType } from '../events/model.js';
import { eventTypes } from '../events/model.js';
import type { ProviderTemplate } from '../channels/ports.js';
import type { NotificationSetting, TemplateBinding, UnitOfWork } from '../repos.js';
import type { ConnectionService } from '../connections/service.js';
import { channelLabel, eventLabel, notificationChannels } from './labels.js';
import { supportingPlatforms } from './matrix.js';
import { defaultVariableOrder, renderPlaceholders, variableCatalogue, variableKeys } from './variables.js';

export interface SettingUpdate {
  enabled: boolean;
  channelAccountId?: string | null | undefined;
  template?: { name: string; language?: string | undefined } | null | undefined;
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
      for (const channel of notificationChannels) {
        const s = byKey.get(`${eventType}|${channel}`);
        out.push(
          s
            ? toView(s)
            : { eventType, channel, enabled: false, channelAccountId: null, template: null, binding: { parameterFormat: 'POSITIONAL', parameters: [] }, chargesConfirmedAt: null, chargesConfirmedBy: null, updatedAt: null },
        );
      }
    }
    return out;
  }

  async update(workspaceId: string, eventType: string, channel: string, input: SettingUpdate): Promise<EnabledSetting> {
    if (!(eventTypes as readonly string[]).includes(eventType)) throw invalidField('event_type', `must be one of ${eventTypes.join(', ')}`);
    if (!(notificationChannels as readonly string[]).includes(channel)) throw invalidField('channel', `must be one of ${notificationChannels.join(', ')}`);
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
      });
      return { ...toView(saved), preview: null, templateStatus: 'n/a' };
    }

    if (supportingPlatforms(type, channel).length === 0) {
      throw invalidField('event_type', `${eventLabel(type)} notifications are not supported on ${channelLabel(channel)} by any store platform; see GET /v1/notification-matrix`);
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
    const name = input.template?.name?.trim() || current?.templateName;
    if (!name) throw invalidField('template.name', `the name of an approved ${channelLabel(channel)} template is required to enable this notification`);
    const language = input.template?.language?.trim() || (input.template?.name ? DEFAULT_LANGUAGE : current?.templateLanguage) || DEFAULT_LANGUAGE;
    const templates = await this.connections.listTemplates(workspaceId, account.id);
    const template = templates.find((t) => t.name === name && t.language === language);
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
    });
    const samples = Object.fromEntries(variableCatalogue.map((v) => [v.key, v.sample]));
    const values = Object.fromEntries(binding.parameters.map((p) => [p.placeholder, samples[p.variable] ?? '']));
    return { ...toView(saved), preview: template.bodyText ? renderPlaceholders(template.bodyText, values) : null, templateStatus: template.status };
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
    updatedAt: s.updatedAt,
  };
}
