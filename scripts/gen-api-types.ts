// npm run gen:api-types: writes console/src/api-types.ts from the hub's OpenAPI document.
import fs from 'node:fs';
import { API_TYPES_FILE, generateApiTypes } from './api-types.js';

const text = await generateApiTypes();
const before = fs.existsSync(API_TYPES_FILE) ? fs.readFileSync(API_TYPES_FILE, 'utf8') : null;
if (before === text) console.log('console/src/api-types.ts is up to date');
else {
  fs.writeFileSync(API_TYPES_FILE, text);
  console.log('wrote console/src/api-types.ts');
}
