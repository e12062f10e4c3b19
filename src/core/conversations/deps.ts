// What the conversation engine and its flows need from the rest of the hub.
import type { Logger, Providers } from '../providers.js';
import type { UnitOfWork } from '../repos.js';
import type { SecretBox } from '../secrets/secret-box.js';
import type { NotificationPlanner } from '../notifications/planner.js';
import type { ConnectionService } from '../connections/service.js';
import type { LoyaltyService } from './loyalty.js';
import type { OrderHistoryService } from './history.js';

export interface EngineDeps {
  uow: UnitOfWork;
  providers: Providers;
  secrets: SecretBox;
  connections: ConnectionService;
  planner: NotificationPlanner;
  loyalty: LoyaltyService;
  history: OrderHistoryService;
  log: Logger;
}
