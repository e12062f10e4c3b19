// The sandbox phone port: what the console's "play the end customer" page needs from the simulators, served by
// the HTTP routes and implemented by the sandbox (src/sandbox/phone.ts). Present only when the hub runs with its
// sandbox.

export interface PhoneMessage {
  /** 'in': what reached the customer's phone (from the business); 'out': what the customer sent. */
  direction: 'in' | 'out';
  text: string;
  buttons: Array<{ id: string; title: string }>;
  at: number;
  /** Set for a text message or an e-mail the phone received outside the chat (a one-time code). */
  via?: 'sms' | 'email';
  /** The e-mail's subject, or the number the SMS came from. */
  from?: string | null;
}

export interface SandboxPhone {
  /** The workspace's chat accounts the sandbox can play: the channel and the account's id. */
  channels(workspaceId: string): Promise<Array<{ channel: string; accountId: string; label: string }>>;
  /**
   * What the customer at `address` sees on the channel: the hub's messages (in) and their own (out), with the
   * text messages and e-mails (one-time codes) sent to the numbers and addresses they gave in that chat.
   */
  messages(workspaceId: string, channel: string, address: string): Promise<PhoneMessage[]>;
  /** The customer sends a text or taps a button. */
  send(workspaceId: string, channel: string, address: string, input: { text?: string | undefined; payload?: string | undefined }): Promise<void>;
  /** Places an order in the simulated store of the demo workspace. */
  demoOrder(workspaceId: string, phone?: string): Promise<{ orderName: string; phone: string | null }>;
}
