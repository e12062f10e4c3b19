export { CyberbizAdapter, CYBERBIZ_API_BASE, CYBERBIZ_CURRENCY, orderSnapshot, joinPhone, money, taipeiToEpochMs, taipeiToIso } from './adapter.js';
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
  SignatureEncoding,
} from './simulator.js';
