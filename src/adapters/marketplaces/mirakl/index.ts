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
export {
  MIRAKL_MAX_ATTACHMENTS_PER_ENTITY,
  MIRAKL_MAX_MESSAGES_PER_THREAD,
  MIRAKL_MAX_MESSAGE_ATTACHMENT_BYTES,
  MiraklSimulator,
} from './simulator.js';
export type {
  MiraklSimulatorOptions,
  MiraklShopInput,
  MiraklShop,
  MiraklOrder,
  MiraklOrderInput,
  MiraklOrderLine,
  MiraklCustomer,
  MiraklThread,
  MiraklThreadInput,
  MiraklMessage,
  MiraklParticipant,
  MiraklAttachment,
  MiraklSenderType,
  MiraklAuthorKind,
  MiraklShopReply,
} from './simulator.js';
export { empikplaceProvider } from './provider.js';
