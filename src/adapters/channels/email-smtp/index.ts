// E-mail over SMTP: the channel adapter and the simulator that plays the SMTP server and mail relay in tests and the sandbox.
export { MAIL_SIGNATURE_HEADER, SIGNATURE_TOLERANCE_SECONDS, SmtpEmailAdapter, isEmailAddress, messageIdFor, subjectFor, verifyMailSignature } from './adapter.js';
export type { SmtpEmailAdapterOptions, SmtpSecurity } from './adapter.js';
export { SmtpSimulator, parseMessage } from './simulator.js';
export type { RecipientMode, SmtpSimAccount, SmtpSimInbound, SmtpSimMessage, SmtpSimReport, SmtpSimReportType } from './simulator.js';
export { smtpProvider } from './provider.js';
