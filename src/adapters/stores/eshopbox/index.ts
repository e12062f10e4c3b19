export { EshopboxAdapter, ESHOPBOX_ACTION_SOURCE, NDR_CODES, indianNationalNumber, indianPhone, orderSnapshot } from './adapter.js';
export type { EshopboxAdapterOptions } from './adapter.js';
export { eshopboxProvider } from './provider.js';
