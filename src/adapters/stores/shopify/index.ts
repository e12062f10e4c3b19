export { ShopifyAdapter, orderSnapshot } from './adapter.js';
export { parseJsonKeepingLongIntegers, sumDecimals } from '../rest-order.js';
