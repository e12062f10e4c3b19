// Facebook Messenger Send API: the channel adapter. Its simulator (simulator.ts) is imported directly by tests and the sandbox.
export { GET_STARTED_PAYLOAD, MESSENGER_LIMITS, MessengerAdapter, interactiveMessages, persistentMenuBody } from './adapter.js';
export type { MessengerAdapterOptions, MessengerMessageTag, MessengerMessagingType, MessengerSendMessage } from './adapter.js';
export { messengerProvider } from './provider.js';
