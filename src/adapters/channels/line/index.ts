// LINE Messaging API: the channel adapter and the simulator that stands in for api.line.me in tests and the sandbox.
export { LineAdapter, retryKeyFor } from './adapter.js';
export type { LineAdapterOptions, LineInboundMessage } from './adapter.js';
export { LineSimulator } from './simulator.js';
export type { LineSimChannel, LineSimInbound, LineSimMessage } from './simulator.js';
