// Facebook Messenger Send API: the channel adapter and the simulator that stands in for Graph in tests and the sandbox.
export { GET_STARTED_PAYLOAD, MESSENGER_LIMITS, MessengerAdapter, interactiveMessages, persistentMenuBody } from './adapter.js';
export type { MessengerAdapterOptions, MessengerMessageTag, MessengerMessagingType, MessengerSendMessage } from './adapter.js';
export { MessengerSimulator } from './simulator.js';
export type { MessengerSimInbound, MessengerSimMessage, MessengerSimOptions, MessengerSimPage, MessengerSimProfile } from './simulator.js';
export { messengerProvider } from './provider.js';
