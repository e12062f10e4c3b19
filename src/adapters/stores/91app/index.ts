export {
  NinetyOneAppAdapter,
  NINETYONEAPP_FIELDS,
  NINETYONEAPP_MEMBER_API,
  NINETYONEAPP_MEMBER_FIELDS,
  historyWindows,
  taiwanLocalPhone,
  NINETYONEAPP_MAX_WINDOW_MS,
  NINETYONEAPP_PAGE_SIZE,
  NINETYONEAPP_PATHS,
  orderSnapshot,
  orderStatuses,
  parseTaipeiDateTime,
  taiwanPhoneToE164,
  toTaipeiDateTime,
} from './adapter.js';
export type { NinetyOneAppAdapterOptions, NinetyOneAppOrderStatus } from './adapter.js';
export { ninetyOneAppProvider } from './provider.js';
