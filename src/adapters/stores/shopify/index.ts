export { ShopifyAdapter, orderSnapshot } from './adapter.js';
export { parseJsonKeepingLongIntegers, sumDecimals } from '../rest-order.js';
export { shopifyProvider } from './provider.js';
