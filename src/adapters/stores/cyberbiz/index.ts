export { CyberbizAdapter, CYBERBIZ_API_BASE, CYBERBIZ_QUERY, CYBERBIZ_MAX_PER_PAGE, localMobile, CYBERBIZ_CURRENCY, orderSnapshot, joinPhone, money, taipeiToEpochMs, taipeiToIso } from './adapter.js';
export type { CyberbizAdapterOptions } from './adapter.js';
export { CyberbizSimulator, CYBERBIZ_WEBHOOK_USER_AGENT, signCyberbiz, taipeiTimestamp } from './simulator.js';
export type {
  CyberbizSimulatorOptions,
  CyberbizShopInput,
  CyberbizShop,
  CyberbizEmitOptions,
  CyberbizDelivery,
  CyberbizOrder,
  CyberbizOrderOverrides,
  CyberbizLineItem,
  CyberbizFulfillment,
  CyberbizDetailAddress,
  CyberbizBonusPoint,
  CyberbizCoupon,
  CyberbizCustomer,
  CyberbizCustomerInput,
  SignatureEncoding,
} from './simulator.js';
export { cyberbizProvider } from './provider.js';
