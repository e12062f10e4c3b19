// The generic signed-webhook source ("your own system") as a provider.
import { z } from 'zod';
import { defineStore } from '../../../core/connections/definition.js';
import { field } from '../../../core/connections/fields.js';
import { GenericSourceAdapter } from './adapter.js';

export const genericProvider = defineStore({
  id: 'generic',
  kind: 'store',
  label: 'generic',
  title: 'Your own system',
  credentials: z.object({
    name: field(z.string().trim().min(1).max(200), { label: 'Name', example: 'Warehouse system' }),
  }),
  webhooks: { paths: ['generic'], published: 'generic', signature: 'Shoptalk-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body" with the signing secret>' },
  create: () => new GenericSourceAdapter(),
  /** The signing secret is generated here and returned once. */
  async connect(input, ctx) {
    const signingSecret = `whsec_${ctx.randomToken(32)}`;
    const name = input.name.trim();
    return {
      externalId: `generic:${ctx.randomToken(9)}`,
      name,
      settings: {},
      secrets: { signingSecret },
      verified: null,
      conflict: `a generic source named ${name} already exists`,
      // Sign each post with it (Shoptalk-Signature: t=…,v1=HMAC-SHA256(secret, "t.body")).
      once: () => ({ signing_secret: signingSecret }),
    };
  },
});
