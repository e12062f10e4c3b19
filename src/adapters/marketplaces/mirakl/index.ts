export {
  EMPIKPLACE_BASE_URL,
  MIRAKL_BACK_OFFICE_PATHS,
  MIRAKL_MAX_PAGE_SIZE,
  MIRAKL_ORDER_IDS_PER_CALL,
  MIRAKL_PATHS,
  MiraklAdapter,
  mapOrder,
  mapThread,
  multipartBody,
} from './adapter.js';
export type { MiraklAdapterOptions } from './adapter.js';
export { empikplaceProvider } from './provider.js';
