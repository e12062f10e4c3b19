import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import * as rs from '../response-schemas.js';
import type { HttpDeps } from '../deps.js';
import { settingView } from '../views.js';
import { variableCatalogue, variablesFor } from '../../core/notifications/variables.js';
import { eventTypes } from '../../core/events/model.js';
import { supportingPlatforms } from '../../core/notifications/matrix.js';
import { channelLabel, eventLabel } from '../../core/notifications/labels.js';
import { channelIds } from '../../core/channels/profile.js';
import { admin, agent } from '../roles.js';

const settingBody = z.object({
  enabled: z.boolean(),
  channel_account_id: z.string().max(100).nullish(),
  // WhatsApp: the provider template's name and language. Messenger, LINE, SMS, e-mail: the built-in text's
  // language (en, zh-Hant, pl), or your own Liquid body (and e-mail subject).
  template: z
    .object({
      name: z.string().trim().min(1).max(512).optional(),
      // The provider's template id (Gupshup shows it), instead of the name.
      id: z.string().trim().min(1).max(200).optional(),
      language: z.string().trim().min(2).max(20).optional(),
      body: z.string().max(4000).optional(),
      subject: z.string().max(300).optional(),
    })
    .nullish(),
  variables: z.record(z.string().max(100), z.string().max(100)).optional(),
  confirm_charges: z.boolean().optional(),
});

export const notificationRoutes = (deps: HttpDeps): FastifyPluginAsyncZod => async (app) => {
  app.get('/notification-settings', { config: agent, schema: { tags: ['notifications'], summary: 'Every notification type per channel, on or off', response: { 200: rs.NotificationSettingList } } }, async (req) => ({
    data: (await deps.settings.list(req.auth.workspaceId)).map(settingView),
  }));

  app.put(
    '/notification-settings/:event_type/:channel',
    {
      config: admin,
      schema: {
        tags: ['notifications'],
        summary: 'Turn a notification on (WhatsApp: an APPROVED provider template; other channels: the built-in or your own text) or off',
        response: { 200: rs.SavedNotificationSetting },
        params: z.object({ event_type: z.string().max(64), channel: z.string().max(32) }),
        body: settingBody,
      },
    },
    async (req) => {
      const b = req.body;
      const saved = await deps.settings.update(req.auth.workspaceId, req.params.event_type, req.params.channel, {
        enabled: b.enabled,
        channelAccountId: b.channel_account_id ?? null,
        template: b.template ?? null,
        variables: b.variables,
        confirmCharges: b.confirm_charges,
        actor: req.auth.apiKeyId,
      });
      return { ...settingView(saved), preview: saved.preview, template_status: saved.templateStatus };
    },
  );

  app.get('/notification-matrix', { config: agent, schema: { tags: ['notifications'], summary: 'Which store platforms support each notification type on each channel', response: { 200: rs.MatrixCellList } } }, async () => ({
    data: eventTypes.flatMap((type) =>
      channelIds.map((channel) => {
        const platforms = supportingPlatforms(type, channel);
        return {
          event_type: type,
          event_label: eventLabel(type),
          channel,
          supported: platforms.length > 0,
          platforms,
          reason:
            platforms.length > 0
              ? null
              : channel === 'messenger' && /^(points|credits|coupon)\./.test(type)
                ? 'Meta forbids promotional content (points, credits, coupons) in Messenger notifications'
                : `no store platform or hub feature raises ${eventLabel(type).toLowerCase()} notifications on ${channelLabel(channel)}`,
        };
      }),
    ),
  }));

  app.get(
    '/notification-variables',
    {
      config: agent,
      schema: {
        tags: ['notifications'],
        summary: 'The variables a template placeholder can be mapped to, with this workspace’s sample values; event_type keeps the ones that event fills',
        querystring: z.object({ event_type: z.enum(eventTypes).optional() }),
        response: { 200: rs.NotificationVariableList },
      },
    },
    async (req) => {
      const samples = await deps.settings.samples(req.auth.workspaceId);
      const list = req.query.event_type ? variablesFor(req.query.event_type) : variableCatalogue;
      return { data: list.map((v) => ({ key: v.key, label: v.label, sample: samples[v.key] })) };
    },
  );

  app.post(
    '/notification-settings/:event_type/:channel/preview',
    {
      config: admin,
      schema: {
        tags: ['notifications'],
        summary: 'What the notification would send, filled with the sample values in the workspace’s currency and language, without saving',
        params: z.object({ event_type: z.string().max(64), channel: z.string().max(32) }),
        body: settingBody.omit({ enabled: true, confirm_charges: true }).default({}),
        response: { 200: rs.NotificationPreview },
      },
    },
    async (req) => {
      const b = req.body;
      const r = await deps.settings.preview(req.auth.workspaceId, req.params.event_type, req.params.channel, { channelAccountId: b.channel_account_id ?? null, template: b.template ?? null, variables: b.variables });
      return {
        preview: r.preview,
        template_status: r.templateStatus,
        language: r.language,
        currency: r.currency,
        variables: r.binding ? Object.fromEntries(r.binding.parameters.map((p) => [p.placeholder, p.variable])) : null,
      };
    },
  );

  app.put(
    '/notification-variables/samples',
    { config: admin, schema: { tags: ['notifications'], summary: 'Set sample values for previews and test sends', body: z.object({ values: z.record(z.string().max(100), z.string()) }), response: { 200: rs.SampleValues } } },
    async (req) => ({ data: await deps.settings.setSamples(req.auth.workspaceId, req.body.values) }),
  );

  app.post(
    '/notification-settings/:event_type/:channel/test-send',
    {
      config: admin,
      schema: {
        tags: ['notifications'],
        summary: 'Send the notification, filled with the sample values, to an address you give (phone, e-mail, LINE user id, PSID)',
        response: { 200: rs.TestSendResult },
        params: z.object({ event_type: z.string().max(64), channel: z.string().max(32) }),
        body: z.object({ to: z.string().min(4).max(320) }),
      },
    },
    async (req) => {
      const r = await deps.settings.testSend(req.auth.workspaceId, req.params.event_type, req.params.channel, req.body.to);
      return { message_id: r.messageId, status: r.status, provider_message_id: r.providerMessageId, reason: r.reason, preview: r.preview };
    },
  );
};
