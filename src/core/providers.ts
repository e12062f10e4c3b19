// How the domain reaches provider adapters: by provider or platform name. The app wires the real ones.
import type { ChannelAdapter } from './channels/ports.js';
import type { MarketplaceAdapter } from './tickets/ports.js';
import type { StoreAdapter } from './stores/ports.js';

export interface Providers {
  channel(provider: string): ChannelAdapter | null;
  store(platform: string): StoreAdapter | null;
  marketplace(platform: string): MarketplaceAdapter | null;
  /** Releases pooled connections (SMTP) at shutdown. */
  close(): void;
}

/** The logging port: structured fields first, message second (pino's shape). */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}
