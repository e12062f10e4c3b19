// Chat identities: which customer a chat is, and by what proof.
import type { ChannelAccount } from '../connections/repo.js';
import { channelProfile } from '../channels/profile.js';

/** Chat ids of LINE and Messenger belong to one account; WhatsApp numbers, phones and e-mails are global. */
export const chatIdentityScope = (account: ChannelAccount): string => (channelProfile(account.channel)?.address.kind === 'account-user-id' ? account.id : '');
