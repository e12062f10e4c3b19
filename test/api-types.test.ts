// The console's API types come from the OpenAPI document: the committed console/src/api-types.ts must be what the
// current document generates (run `npm run gen:api-types` after changing a response schema), and every endpoint the
// console reads must declare its response, so a field the console reads but the API does not send fails the build.
// Every other operation declares its success response and the errors it can answer with too.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { API_TYPES_FILE, generateApiTypes, openApiDocument } from '../scripts/api-types.js';

interface Operation {
  security?: unknown[];
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

// What the console reads (console/src/api.ts and its pages), with the status of a successful answer.
const READ_BY_CONSOLE: Array<[method: string, path: string, status: string]> = [
  ['post', '/v1/session', '200'],
  ['get', '/v1/session', '200'],
  ['get', '/v1/workspace', '200'],
  ['get', '/v1/api-keys', '200'],
  ['post', '/v1/api-keys', '201'],
  ['get', '/v1/store-connections', '200'],
  ['post', '/v1/store-connections', '201'],
  ['post', '/v1/store-connections/{id}/verify', '200'],
  ['get', '/v1/channel-accounts', '200'],
  ['post', '/v1/channel-accounts', '201'],
  ['post', '/v1/channel-accounts/{id}/verify', '200'],
  ['get', '/v1/channel-selection', '200'],
  ['put', '/v1/channel-selection/{channel}', '200'],
  ['get', '/v1/notification-settings', '200'],
  ['put', '/v1/notification-settings/{event_type}/{channel}', '200'],
  ['post', '/v1/notification-settings/{event_type}/{channel}/test-send', '200'],
  ['get', '/v1/notification-matrix', '200'],
  ['get', '/v1/notification-variables', '200'],
  ['get', '/v1/chat-settings', '200'],
  ['put', '/v1/chat-settings', '200'],
  ['get', '/v1/orders', '200'],
  ['get', '/v1/orders/{id}', '200'],
  ['get', '/v1/orders/{id}/activity', '200'],
  ['get', '/v1/tickets', '200'],
  ['get', '/v1/tickets/{id}', '200'],
  ['patch', '/v1/tickets/{id}', '200'],
  ['post', '/v1/tickets/{id}/messages', '201'],
  ['get', '/v1/queues', '200'],
  ['get', '/v1/categories', '200'],
  ['get', '/v1/customers', '200'],
  ['get', '/v1/customers/{id}', '200'],
  ['get', '/v1/customers/{id}/orders', '200'],
  ['get', '/v1/customers/{id}/loyalty', '200'],
  ['get', '/v1/usage', '200'],
  ['get', '/v1/webhook-subscriptions', '200'],
  ['post', '/v1/webhook-subscriptions', '201'],
  ['get', '/v1/webhook-subscriptions/{id}/deliveries', '200'],
  ['post', '/v1/webhook-subscriptions/{id}/deliveries/{deliveryId}/redeliver', '202'],
  ['get', '/v1/sandbox/phone', '200'],
  ['get', '/v1/sandbox/phone/{channel}/messages', '200'],
  ['post', '/v1/sandbox/demo-order', '201'],
];

describe('console API types', () => {
  it('console/src/api-types.ts is what the current OpenAPI document generates (npm run gen:api-types)', async () => {
    const committed = fs.readFileSync(API_TYPES_FILE, 'utf8');
    const current = await generateApiTypes();
    expect(committed === current, 'console/src/api-types.ts is out of date: run `npm run gen:api-types` and commit it').toBe(true);
  }, 60_000);

  it('every endpoint the console reads declares its response, and money is an amount with its currency', async () => {
    const doc = (await openApiDocument()) as { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }> } };
    const missing = READ_BY_CONSOLE.filter(([method, path, status]) => !doc.paths[path]?.[method]?.responses?.[status]?.content?.['application/json']?.schema).map(([m, p, s]) => `${m.toUpperCase()} ${p} ${s}`);
    expect(missing).toEqual([]);
    const money = doc.components.schemas['Money'];
    expect(Object.keys(money?.properties ?? {}).sort()).toEqual(['amount', 'currency']);
    expect(JSON.stringify(doc.components.schemas['CustomerOrder']?.properties?.['total'])).toContain('#/components/schemas/Money');
  }, 60_000);

  it('every operation declares a success response and its errors, all in the one error shape', async () => {
    const doc = (await openApiDocument()) as { paths: Record<string, Record<string, Operation>> };
    const problems: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const name = `${method.toUpperCase()} ${path}`;
        const responses = op.responses ?? {};
        const success = Object.entries(responses).filter(([status]) => status.startsWith('2'));
        if (!success.length) problems.push(`${name}: no success response`);
        for (const [status, res] of success) if (status !== '204' && !res.content) problems.push(`${name} ${status}: no schema`);
        for (const [status, res] of success) if (status === '204' && res.content) problems.push(`${name} 204: has a body`);
        if (!responses['500']) problems.push(`${name}: no 500`);
        if (path.includes('{') && !responses['404']) problems.push(`${name}: names a record but declares no 404`);
        if (op.security?.length !== 0 && !responses['401']) problems.push(`${name}: needs credentials but declares no 401`);
        const errors = Object.entries(responses).filter(([status]) => Number(status) >= 400);
        for (const [status, res] of errors) {
          const ref = JSON.stringify(res.content?.['application/json']?.schema ?? null);
          // The push API answers an unknown recipient in Facebook's own error shape (seed 001).
          if (!ref.includes('#/components/schemas/Error') && !(path === '/v1/push' && status === '404')) problems.push(`${name} ${status}: not the error shape`);
        }
      }
    }
    expect(problems).toEqual([]);
  }, 60_000);

  it('a stream is declared with its media type and a 204 without a body', async () => {
    const doc = (await openApiDocument()) as { paths: Record<string, Record<string, Operation>> };
    expect(Object.keys(doc.paths['/v1/inbox/stream']?.['get']?.responses?.['200']?.content ?? {})).toEqual(['text/event-stream']);
    expect(doc.paths['/v1/customers/{id}']?.['delete']?.responses?.['204']?.content).toBeUndefined();
    expect(Object.keys(doc.paths['/v1/customers/{id}']?.['delete']?.responses ?? {}).sort()).toEqual(['204', '400', '401', '403', '404', '409', '422', '500', '502']);
  }, 60_000);
});
