// LINE Messaging API: the channel adapter. Its simulator (simulator.ts) is imported directly by tests and the sandbox.
export { LINE_LIMITS, LineAdapter, RICH_MENU_SIZE, interactiveMessages, retryKeyFor, richMenuBody } from './adapter.js';
export type { LineAdapterOptions, LineInboundMessage } from './adapter.js';
export { richMenuImage } from './rich-menu-image.js';
export { lineProvider } from './provider.js';
