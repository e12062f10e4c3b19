// E-mail over SMTP: the channel adapter. The simulator (simulator.ts) is imported directly by tests and the sandbox.
export { MAIL_SIGNATURE_HEADER, SIGNATURE_TOLERANCE_SECONDS, SmtpEmailAdapter, isEmailAddress, messageIdFor, subjectFor, verifyMailSignature } from './adapter.js';
export type { SmtpEmailAdapterOptions, SmtpSecurity } from './adapter.js';
export { smtpProvider } from './provider.js';
