// Gupshup WhatsApp (classic v2 API): the channel adapter and the simulator that stands in for it in tests and the sandbox.
export { GupshupAdapter } from './adapter.js';
export type { GupshupAdapterOptions } from './adapter.js';
export { GupshupSimulator } from './simulator.js';
export type {
  GupshupSimApp,
  GupshupSimEvent,
  GupshupSimInbound,
  GupshupSimMessage,
  GupshupSimOption,
  GupshupSimSettings,
  GupshupSimTemplate,
  GupshupSimTemplateInput,
  GupshupSimTemplateStatus,
  GupshupSimulatorOptions,
} from './simulator.js';
export { gupshupProvider } from './provider.js';
