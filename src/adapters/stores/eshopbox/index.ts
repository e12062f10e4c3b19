export { EshopboxAdapter, ESHOPBOX_ACTION_SOURCE, NDR_CODES, indianNationalNumber, indianPhone, orderSnapshot } from './adapter.js';
export type { EshopboxAdapterOptions } from './adapter.js';
export { EshopboxSimulator, RETURN_SUB_TYPES, SHIPMENT_SUB_TYPES } from './simulator.js';
export type {
  EshopboxSimulatorOptions,
  EshopboxAccountInput,
  EshopboxAccount,
  EshopboxResource,
  EshopboxWebhookRegistration,
  EshopboxAddress,
  EshopboxItem,
  EshopboxShipment,
  EshopboxShipmentOverrides,
  EshopboxResolution,
  EshopboxDelivery,
  EshopboxAdvanceOptions,
} from './simulator.js';
export { eshopboxProvider } from './provider.js';
