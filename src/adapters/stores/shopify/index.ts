export { ShopifyAdapter, orderSnapshot } from './adapter.js';
export { parseJsonKeepingLongIntegers, sumDecimals } from '../rest-order.js';
export {
  ShopifySimulator,
  SHOPIFY_API_VERSION,
  SHOPIFY_RETRY_DELAYS_MS,
  signShopifyBody,
  isoWithOffset,
} from './simulator.js';
export type {
  ShopifySimulatorOptions,
  ShopifySubscription,
  ShopifyShopInput,
  ShopifyShop,
  ShopifyDelivery,
  ShopifyDeliveryAttempt,
  ShopifyDeliveryState,
  SendWebhookOptions,
  SignedDelivery,
  ShopifyOrder,
  ShopifyOrderOverrides,
  ShopifyCustomer,
  ShopifyAddress,
  ShopifyLineItem,
  ShopifyFulfillment,
  ShopifyRefund,
  ShopifyTransaction,
  ShopifyMoneySet,
  FulfillOptions,
} from './simulator.js';
export { shopifyProvider } from './provider.js';
