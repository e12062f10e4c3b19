// Meta WhatsApp Cloud API: the channel adapter. Its simulator (simulator.ts) is imported directly by tests and the sandbox.
export { WhatsAppCloudAdapter } from './adapter.js';
export type { WhatsAppCloudAdapterOptions } from './adapter.js';
export { WHATSAPP_DEFAULT_MPS, whatsappCloudProvider } from './provider.js';
