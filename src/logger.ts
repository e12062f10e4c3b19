// The process logger: pino, with secrets redacted and personal data masked in every record.
import { pino } from 'pino';
import type { DestinationStream, Logger } from 'pino';
import type { Config } from './config/index.js';
import { maskPii, maskPiiDeep } from './core/pii.js';

export type AppLogger = Logger;

export function createLogger(level: Config['logLevel'], destination?: DestinationStream): AppLogger {
  return pino(
    {
      level,
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          '*.accessToken',
          '*.access_token',
          '*.appSecret',
          '*.app_secret',
          '*.webhookSecret',
          '*.webhook_secret',
          '*.verifyToken',
          '*.verify_token',
          '*.key',
        ],
        censor: '[redacted]',
      },
      formatters: {
        log: (record) => maskPiiDeep(record) as Record<string, unknown>,
      },
      hooks: {
        logMethod(args, method) {
          const masked = args.map((a) => (typeof a === 'string' ? maskPii(a) : a)) as Parameters<typeof method>;
          method.apply(this, masked);
        },
      },
    },
    destination,
  );
}
