export { ShoplineAdapter, SHOPLINE_API_VERSION, SHOPLINE_PATHS, orderSnapshot, taiwanLocalPhone } from './adapter.js';
export type { ShoplineAdapterOptions } from './adapter.js';
export { shoplineProvider } from './provider.js';
