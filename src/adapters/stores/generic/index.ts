export { GenericSourceAdapter, signGenericBody, GENERIC_SIGNATURE_HEADER, GENERIC_TOLERANCE_SECONDS } from './adapter.js';
export type { GenericSourceOptions } from './adapter.js';
export { genericProvider } from './provider.js';
