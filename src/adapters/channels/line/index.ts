// LINE Messaging API: the channel adapter and the simulator that stands in for api.line.me in tests and the sandbox.
export { LINE_LIMITS, LineAdapter, RICH_MENU_SIZE, interactiveMessages, retryKeyFor, richMenuBody } from './adapter.js';
export type { LineAdapterOptions, LineInboundMessage } from './adapter.js';
export { LineSimulator } from './simulator.js';
export type { LineSimChannel, LineSimInbound, LineSimMessage, LineSimRichMenu, LineSimulatorOptions } from './simulator.js';
export { richMenuImage } from './rich-menu-image.js';
export { lineProvider } from './provider.js';
