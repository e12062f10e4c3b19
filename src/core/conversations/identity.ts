// Chat identities: which customer a chat is, and by what proof.
import type { ChannelAccount } from '../connections/repo.js';

/** Chat ids of LINE and Messenger belong to one account; WhatsApp numbers, phones and e-mails are global. */
export const chatIdentityScope = (account: ChannelAccount): string => (account.channel === 'line' || account.channel === 'messenger' ? account.id : '');
