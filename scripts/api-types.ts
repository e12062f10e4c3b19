// The console's API types, generated from the OpenAPI document the hub serves at /docs/json. The document is
// built in memory (a hub on a throw-away SQLite file with the sandbox routes, never listening), so generating
// needs no running services. `npm run gen:api-types` writes console/src/api-types.ts; a test fails when the
// committed file differs from what the current document generates.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import openapiTS, { astToString } from 'openapi-typescript';
import { loadConfig } from '../src/config/index.js';
import { createHub } from '../src/app.js';
import { createLogger } from '../src/logger.js';
import { SimulatedPhone } from '../src/sandbox/phone.js';
import { WhatsAppCloudSimulator } from '../src/adapters/channels/whatsapp-cloud/simulator.js';
import { LineSimulator } from '../src/adapters/channels/line/simulator.js';
import { MessengerSimulator } from '../src/adapters/channels/messenger/simulator.js';
import { ShopifySimulator } from '../src/adapters/stores/shopify/simulator.js';

export const API_TYPES_FILE = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', 'console', 'src', 'api-types.ts');

const HEADER = '// Generated from the hub\'s OpenAPI document by `npm run gen:api-types`: do not edit.\n// Response shapes are declared in src/http/response-schemas.ts.\n\n';

/** The OpenAPI document of the whole API, sandbox routes included. */
export async function openApiDocument(): Promise<Record<string, unknown>> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shoptalk-openapi-'));
  try {
    const config = loadConfig({ SHOPTALK_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'error' });
    const phone = new SimulatedPhone({ whatsapp: new WhatsAppCloudSimulator(), line: new LineSimulator(), messenger: new MessengerSimulator(), shopify: new ShopifySimulator() });
    const hub = await createHub({ config, role: 'api', logger: createLogger('error'), sandbox: phone });
    try {
      // Exactly what GET /docs/json serves.
      const res = await hub.http!.inject({ method: 'GET', url: '/docs/json' });
      if (res.statusCode !== 200) throw new Error(`GET /docs/json answered ${res.statusCode}: ${res.body.slice(0, 200)}`);
      return res.json<Record<string, unknown>>();
    } finally {
      await hub.stop();
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The text of console/src/api-types.ts for the current document. */
export async function generateApiTypes(): Promise<string> {
  const doc = await openApiDocument();
  const ast = await openapiTS(doc as never, { alphabetize: true, exportType: true });
  return HEADER + astToString(ast);
}
