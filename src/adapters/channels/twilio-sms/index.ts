// Twilio Programmable Messaging (SMS): the channel adapter and the simulator that stands in for api.twilio.com in tests and the sandbox.
export { MAX_SMS_BODY_CHARS, TwilioSmsAdapter, smsOptKeyword } from './adapter.js';
export type { SmsOptKeyword, TwilioSmsAdapterOptions } from './adapter.js';
export { TwilioSmsSimulator } from './simulator.js';
export type {
  TwilioSimAccount,
  TwilioSimAccountStatus,
  TwilioSimInbound,
  TwilioSimMessage,
  TwilioSimSettings,
  TwilioSimStatus,
  TwilioSimWebhook,
  TwilioSimulatorOptions,
} from './simulator.js';
export { twilioProvider } from './provider.js';
