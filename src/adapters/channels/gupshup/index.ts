// Gupshup WhatsApp (classic v2 API): the channel adapter. Its simulator (simulator.ts) is imported directly by tests and the sandbox.
export { GupshupAdapter } from './adapter.js';
export type { GupshupAdapterOptions } from './adapter.js';
export { gupshupProvider } from './provider.js';
