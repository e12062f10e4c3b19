// Shared by bench/mixed.ts and bench/mixed-simulators.ts: the identities the simulators are set up with,
// and the parent ↔ simulator-process messages over the IPC channel.

export const CHANNELS = ['whatsapp', 'sms', 'email', 'line', 'messenger'] as const;
export type Channel = (typeof CHANNELS)[number];

/** Everything the simulator process registers before it listens; written to a JSON file by the parent. */
export interface MixedSimConfig {
  whatsapp: { phoneNumberId: string; wabaId: string; accessToken: string; appSecret: string };
  twilio: { accountSid: string; authToken: string; from: string };
  smtp: { username: string; password: string };
  line: { channelAccessToken: string; channelSecret: string; botUserId: string; displayName: string };
  messenger: { pageId: string; name: string; pageAccessToken: string; appSecret: string; psids: string[] };
  cyberbiz: { domain: string; name: string; accessToken: string; appSecret: string };
  /** Upper bound of messages kept per channel (warm-up + measured, with room for duplicates). */
  maxOutbox: number;
}

/** Base URLs the hub is pointed at. */
export interface MixedSimUrls {
  whatsapp: string;
  twilio: string;
  /** The SMTP simulator's HTTP side (control API); mail goes to smtpPort. */
  smtpHttp: string;
  smtpPort: number;
  line: string;
  messenger: string;
  cyberbiz: string;
}

/** One message a simulator accepted: receive time (Date.now()) and the recipient that maps it to its order. */
export interface MixedReceived {
  at: number;
  to: string;
}

export type MixedCounts = Record<Channel, number>;
export type MixedCollected = Record<Channel, MixedReceived[]>;

export type MixedSimRequest = { type: 'count' } | { type: 'collect' };
export type MixedSimCommand = MixedSimRequest & { reqId: number };

export type MixedSimReply =
  | { type: 'ready'; urls: MixedSimUrls }
  | { type: 'count'; reqId: number; counts: MixedCounts }
  | { type: 'collect'; reqId: number; messages: MixedCollected };
