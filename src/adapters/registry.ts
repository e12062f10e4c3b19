// Every provider the hub knows, one line each. Adding a provider: a folder under src/adapters/<kind>/ that
// exports its definition from provider.ts, and one line here (see src/adapters/README.md).
// The order is the console's: stores (and marketplaces) first, then channels.
import { ProviderCatalogue } from '../core/connections/definition.js';
import type { ProviderDefinition } from '../core/connections/definition.js';
import { shopifyProvider } from './stores/shopify/provider.js';
import { shoplineProvider } from './stores/shopline/provider.js';
import { cyberbizProvider } from './stores/cyberbiz/provider.js';
import { ninetyOneAppProvider } from './stores/91app/provider.js';
import { eshopboxProvider } from './stores/eshopbox/provider.js';
import { empikplaceProvider } from './marketplaces/mirakl/provider.js';
import { genericProvider } from './stores/generic/provider.js';
import { whatsappCloudProvider } from './channels/whatsapp-cloud/provider.js';
import { gupshupProvider } from './channels/gupshup/provider.js';
import { messengerProvider } from './channels/messenger/provider.js';
import { lineProvider } from './channels/line/provider.js';
import { twilioProvider } from './channels/twilio-sms/provider.js';
import { smtpProvider } from './channels/email-smtp/provider.js';

export const providerDefinitions: readonly ProviderDefinition[] = [
  shopifyProvider,
  shoplineProvider,
  cyberbizProvider,
  ninetyOneAppProvider,
  eshopboxProvider,
  empikplaceProvider,
  genericProvider,
  whatsappCloudProvider,
  gupshupProvider,
  messengerProvider,
  lineProvider,
  twilioProvider,
  smtpProvider,
];

export const providerCatalogue = new ProviderCatalogue(providerDefinitions);
