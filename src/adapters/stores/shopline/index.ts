export { ShoplineAdapter, SHOPLINE_API_VERSION, SHOPLINE_PATHS, orderSnapshot, taiwanLocalPhone } from './adapter.js';
export type { ShoplineAdapterOptions } from './adapter.js';
export { ShoplineSimulator, SHOPLINE_RETRY_DELAYS_MS, signShoplineBody } from './simulator.js';
export type {
  ShoplineSimulatorOptions,
  ShoplineSubscription,
  ShoplineStoreInput,
  ShoplineStore,
  ShoplineDelivery,
  ShoplineDeliveryAttempt,
  ShoplineSendOptions,
  ShoplineOrder,
  ShoplineOrderOverrides,
  ShoplineAddress,
  ShoplineLineItem,
  ShoplineCustomer,
  ShoplineCustomerInput,
} from './simulator.js';
export { shoplineProvider } from './provider.js';
