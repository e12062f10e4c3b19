export { CyberbizAdapter, CYBERBIZ_API_BASE, CYBERBIZ_QUERY, CYBERBIZ_MAX_PER_PAGE, localMobile, CYBERBIZ_CURRENCY, orderSnapshot, joinPhone, money, taipeiToEpochMs, taipeiToIso } from './adapter.js';
export type { CyberbizAdapterOptions } from './adapter.js';
export { cyberbizProvider } from './provider.js';
