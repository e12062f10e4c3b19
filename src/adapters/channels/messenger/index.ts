// Facebook Messenger Send API: the channel adapter and the simulator that stands in for Graph in tests and the sandbox.
export { MessengerAdapter } from './adapter.js';
export type { MessengerAdapterOptions, MessengerMessageTag, MessengerMessagingType, MessengerSendMessage } from './adapter.js';
export { MessengerSimulator } from './simulator.js';
export type { MessengerSimInbound, MessengerSimMessage, MessengerSimOptions, MessengerSimPage } from './simulator.js';
