// Meta WhatsApp Cloud API: the channel adapter and the simulator that stands in for Graph in tests and the sandbox.
export { WhatsAppCloudAdapter } from './adapter.js';
export type { WhatsAppCloudAdapterOptions } from './adapter.js';
export { WhatsAppCloudSimulator } from './simulator.js';
export type {
  WhatsAppCloudSimulatorOptions,
  WhatsAppSimInbound,
  WhatsAppSimInteractive,
  WhatsAppSimMessage,
  WhatsAppSimPhoneNumber,
  WhatsAppSimSettings,
  WhatsAppSimStatus,
  WhatsAppSimStatusInput,
  WhatsAppSimStatusRecord,
  WhatsAppSimTemplate,
  WhatsAppSimTemplateInput,
} from './simulator.js';
export { WHATSAPP_DEFAULT_MPS, whatsappCloudProvider } from './provider.js';
