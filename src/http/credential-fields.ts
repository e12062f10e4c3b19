// Schemas for the credential fields of connections (defined in core, where provider definitions use them too).
export { credential, providerText } from '../core/connections/fields.js';
