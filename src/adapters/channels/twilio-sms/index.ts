// Twilio Programmable Messaging (SMS): the channel adapter. Its simulator (simulator.ts) is imported directly by tests and the sandbox.
export { MAX_SMS_BODY_CHARS, TwilioSmsAdapter, smsOptKeyword } from './adapter.js';
export type { SmsOptKeyword, TwilioSmsAdapterOptions } from './adapter.js';
export { twilioProvider } from './provider.js';
