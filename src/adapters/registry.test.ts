// The provider registry: every definition is complete and consistent, ids and webhook paths are unique, and
// each connect form accepts a body made of its own examples.
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { describeFields } from '../core/connections/fields.js';
import { describeProvider } from '../core/connections/definition.js';
import { loadConfig } from '../config/index.js';
import { providerCatalogue, providerDefinitions } from './registry.js';

/** A body for a provider's form: each field's example; secrets get a value of the right shape. */
const exampleBody = (schema: z.ZodObject): Record<string, unknown> => {
  const body: Record<string, unknown> = {};
  for (const f of describeFields(schema)) {
    if (f.example !== null) body[f.name] = f.example;
    else if (f.options) body[f.name] = f.options[0];
    else if (f.secret && f.required) body[f.name] = 'example-secret-0123456789';
  }
  return body;
};

describe('provider registry', () => {
  it('lists every provider the hub had, by the provider/platform value stored and returned', () => {
    expect(providerDefinitions.map((d) => d.id).sort()).toEqual(
      ['91app', 'cyberbiz', 'empikplace', 'eshopbox', 'generic', 'gupshup', 'line', 'meta', 'meta-messenger', 'shopify', 'shopline', 'smtp', 'twilio'].sort(),
    );
  });

  it('has unique ids, webhook path segments and base-URL settings', () => {
    const ids = providerDefinitions.map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    // /webhooks/meta/<workspace> is the workspace's Meta app URL: no provider may take that segment.
    const segments = ['meta', ...providerDefinitions.flatMap((d) => d.webhooks?.paths ?? [])];
    expect(new Set(segments).size).toBe(segments.length);
    const settings = providerCatalogue.baseUrlSettings();
    expect(new Set(settings.map((s) => s.env)).size).toBe(settings.length);
    expect(new Set(settings.map((s) => s.key)).size).toBe(settings.length);
  });

  it('describes each provider completely', () => {
    for (const d of providerDefinitions) {
      expect(d.id, d.id).toMatch(/^[a-z0-9][a-z0-9-]*$/);
      expect(d.label.length, d.id).toBeGreaterThan(0);
      expect(d.title.length, d.id).toBeGreaterThan(0);
      if (d.kind === 'channel') {
        expect(['whatsapp', 'sms', 'email', 'messenger', 'line'], d.id).toContain(d.channel);
        expect(d.rateLimitPerSecond, d.id).toBeGreaterThan(0);
      }
      if (d.webhooks) {
        expect(d.webhooks.paths, d.id).toContain(d.webhooks.published);
        expect(d.webhooks.signature.length, d.id).toBeGreaterThan(0);
        for (const p of d.webhooks.paths) expect(p, d.id).toMatch(/^[a-z0-9][a-z0-9-]*$/);
      }
      for (const s of d.baseUrls ?? []) {
        expect(s.env, d.id).toMatch(/^SHOPTALK_[A-Z0-9_]+_URL$/);
        expect(() => new URL(s.default.replace(/[{}]/g, '')), d.id).not.toThrow();
        if (s.requires) expect(s.default, d.id).toContain(s.requires);
      }
      // Every field has metadata: a label in words, not the field's name.
      for (const f of describeFields(d.credentials)) {
        expect(f.label, `${d.id}.${f.name}`).not.toBe(f.name);
        // A required field a person types has an example of its shape.
        if (f.required && !f.secret && !f.options) expect(f.example, `${d.id}.${f.name}`).not.toBeNull();
      }
      // The description the console reads is serialisable as is.
      expect(JSON.parse(JSON.stringify(describeProvider(d)))).toEqual(describeProvider(d));
    }
  });

  it('accepts a body made of each form’s examples', () => {
    for (const d of providerDefinitions) {
      const parsed = d.credentials.safeParse(exampleBody(d.credentials));
      expect(parsed.success ? 'ok' : parsed.error.message, d.id).toBe('ok');
    }
  });

  it('routes the old webhook names as aliases of the id-named paths', () => {
    const paths = (id: string) => providerCatalogue.get(id)?.webhooks?.paths;
    expect(paths('twilio')).toEqual(['twilio', 'sms']);
    expect(paths('smtp')).toEqual(['smtp', 'email']);
    expect(paths('meta-messenger')).toEqual(['meta-messenger', 'messenger']);
    // The URLs handed out stay as they were.
    expect(providerCatalogue.get('twilio')?.webhooks?.published).toBe('sms');
  });

  it('gives the config each definition’s base-URL variable, by its old name, with its default', () => {
    const defaults = loadConfig({}).providers.baseUrls;
    for (const setting of providerCatalogue.baseUrlSettings()) expect(defaults[setting.key], setting.env).toBe(setting.default);
    const set = loadConfig({ SHOPTALK_LINE_API_URL: 'http://127.0.0.1:9/line/', SHOPTALK_SHOPLINE_API_URL: 'http://127.0.0.1:9/{handle}' }).providers.baseUrls;
    expect(set['lineApiUrl']).toBe('http://127.0.0.1:9/line');
    expect(set['shoplineApiUrl']).toBe('http://127.0.0.1:9/{handle}');
    expect(() => loadConfig({ SHOPTALK_SHOPLINE_API_URL: 'http://127.0.0.1:9/' })).toThrow(/SHOPTALK_SHOPLINE_API_URL: must be an http\(s\) URL containing \{handle\}/);
    expect(() => loadConfig({ SHOPTALK_TWILIO_API_URL: 'ftp://x' })).toThrow(/SHOPTALK_TWILIO_API_URL/);
  });
});
