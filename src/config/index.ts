// The one place that reads the environment. Everything else receives a Config.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { providerCatalogue } from '../adapters/registry.js';

const boolish = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const intIn = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be between ${min} and ${max}`);

const urlWithProtocol = (protocols: string[]) =>
  z
    .string()
    .url('must be a URL')
    .refine((v) => protocols.some((p) => v.startsWith(p)), `must start with ${protocols.join(' or ')}`);

/**
 * The providers' base-URL variables (SHOPTALK_WHATSAPP_API_URL, ...), each named by its provider's definition
 * (provider.ts in its adapter folder): an http(s) URL, with the placeholder the provider needs where it needs one.
 */
const baseUrlSettings = providerCatalogue.baseUrlSettings();
const baseUrlVariables = Object.fromEntries(
  baseUrlSettings.map((s) => {
    const requires = s.requires;
    const schema = requires
      ? z
          .string()
          .refine((v) => /^https?:\/\//.test(v) && v.includes(requires), `must be an http(s) URL containing ${requires}`)
          .default(s.default)
      : urlWithProtocol(['http://', 'https://']).default(s.default);
    return [s.env, schema];
  }),
);

/** OTLP exporter headers, `key=value` pairs separated by commas (values percent-encoded), as the OTLP spec writes them. */
const otlpHeaders = z.string().transform((v, ctx) => {
  const out: Record<string, string> = {};
  for (const part of v.split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    const key = eq > 0 ? part.slice(0, eq).trim() : '';
    let value: string | null = null;
    try {
      value = eq > 0 ? decodeURIComponent(part.slice(eq + 1).trim()) : null;
    } catch {
      value = null;
    }
    if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(key) || value === null || /[\r\n\0]/.test(value)) {
      ctx.addIssue({ code: 'custom', message: `"${key || part.slice(0, 20)}": each header must be name=value (a header name, a percent-encoded value)` });
      return z.NEVER;
    }
    out[key.toLowerCase()] = value;
  }
  return out;
});

/** Every variable the hub reads, with its default and its meaning (the README lists the same). */
export const envSchema = z.object({
  ...baseUrlVariables,
  SHOPTALK_DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: urlWithProtocol(['postgres://', 'postgresql://']).optional(),
  REDIS_URL: urlWithProtocol(['redis://', 'rediss://']).optional(),
  SHOPTALK_MASTER_KEY: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes encoded as base64')
    .optional(),
  // During a master-key change: the previous key(s), comma-separated, which still open secrets and verify links.
  SHOPTALK_MASTER_KEY_PREVIOUS: z
    .string()
    .refine((v) => v.split(',').every((k) => Buffer.from(k.trim(), 'base64').length === 32), 'must be 32-byte base64 keys, comma-separated')
    .optional(),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: intIn(0, 65535).prefault('8080'),
  SHOPTALK_PUBLIC_URL: urlWithProtocol(['http://', 'https://']).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SHOPTALK_BODY_LIMIT: intIn(1024, 50 * 1024 * 1024).prefault(String(1024 * 1024)),
  SHOPTALK_WORKER_CONCURRENCY: intIn(1, 1000).prefault('128'),
  SHOPTALK_JOB_POLL_MS: intIn(5, 60_000).prefault('200'),
  SHOPTALK_JOB_MAX_ATTEMPTS: intIn(1, 100).prefault('8'),
  SHOPTALK_WORKER_PORT: intIn(0, 65535).prefault('9465'),
  SHOPTALK_SANDBOX: boolish.prefault('false'),
  SHOPTALK_SANDBOX_PORT: intIn(0, 65535).prefault('8090'),
  SHOPTALK_MARKETPLACE_POLL_SECONDS: intIn(1, 86_400).prefault('60'),
  SHOPTALK_STORE_POLL_SECONDS: intIn(1, 86_400).prefault('60'),
  SHOPTALK_PG_POOL_SIZE: intIn(1, 200).prefault('10'),
  SHOPTALK_ALLOW_PRIVATE_DESTINATIONS: boolish.prefault('false'),
  // Retention: how often old data is pruned, and how long each kind is kept (0 keeps it forever).
  SHOPTALK_RETENTION_INTERVAL_MINUTES: intIn(1, 10_080).prefault('60'),
  SHOPTALK_RETENTION_WEBHOOK_DAYS: intIn(0, 3650).prefault('30'),
  SHOPTALK_RETENTION_EXPIRED_DAYS: intIn(0, 3650).prefault('1'),
  SHOPTALK_RETENTION_DEAD_JOB_DAYS: intIn(0, 3650).prefault('30'),
  // Sign-in: password hashes at once (each takes 128 MiB and most of a core for a moment), sign-ins per minute.
  SHOPTALK_PASSWORD_HASH_CONCURRENCY: intIn(1, 16).prefault('1'),
  SHOPTALK_SIGNIN_PER_IP_PER_MINUTE: intIn(1, 100_000).prefault('10'),
  SHOPTALK_SIGNIN_PER_MINUTE: intIn(1, 1_000_000).prefault('60'),
  // Behind a reverse proxy: "true", a hop count, or the proxy addresses (comma-separated), so the client's
  // address (X-Forwarded-For) is the one rate limits count; "false" (default) uses the connection's address.
  SHOPTALK_TRUST_PROXY: z
    .string()
    .regex(/^(true|false|\d{1,2}|[0-9A-Fa-f.:/, ]+)$/, 'must be true, false, a hop count or comma-separated proxy addresses')
    .default('false'),
  SHOPTALK_REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1-64 letters, digits, dots, dashes or underscores')
    .optional(),
  SHOPTALK_PROVIDER_TIMEOUT_MS: intIn(100, 300_000).prefault('10000'),
  SHOPTALK_PROVIDER_TIMEOUTS: z
    .string()
    .transform((v, ctx) => {
      const out: Record<string, number> = {};
      for (const part of v.split(',').map((p) => p.trim()).filter(Boolean)) {
        const m = /^([a-z-]+)=(\d+)$/.exec(part);
        const ms = m ? Number(m[2]) : NaN;
        if (!m || !channelProviderIds.includes(m[1]!) || ms < 100 || ms > 300_000) {
          ctx.addIssue({ code: 'custom', message: `"${part}" must be provider=milliseconds (100-300000), provider one of ${channelProviderIds.join(', ')}` });
          return z.NEVER;
        }
        out[m[1]!] = ms;
      }
      return out;
    })
    .optional(),
  // OpenTelemetry tracing (off unless an endpoint is set): the standard OTLP exporter variables.
  OTEL_EXPORTER_OTLP_ENDPOINT: urlWithProtocol(['http://', 'https://']).optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: urlWithProtocol(['http://', 'https://']).optional(),
  OTEL_EXPORTER_OTLP_HEADERS: otlpHeaders.optional(),
  OTEL_EXPORTER_OTLP_TRACES_HEADERS: otlpHeaders.optional(),
  OTEL_SERVICE_NAME: z.string().min(1).max(200).default('shoptalk'),
  OTEL_SDK_DISABLED: boolish.prefault('false'),
});

/** The channel providers whose timeout SHOPTALK_PROVIDER_TIMEOUTS can set. */
export const channelProviderIds = providerCatalogue.channels().map((d) => d.id);

export type Role = 'all' | 'api' | 'worker';

export interface Config {
  dataDir: string;
  database: { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string; poolSize: number };
  redisUrl: string | null;
  /** Names this installation's keys in Redis; null: derived from the installation id in the database. */
  redisPrefix: string | null;
  /** Base64 master key from the environment; with SQLite it may instead live in the data folder. */
  masterKey: string | null;
  /** Base64 master keys of before a key change: they open and verify, never seal (SHOPTALK_MASTER_KEY_PREVIOUS). */
  previousMasterKeys?: string[];
  http: {
    host: string;
    port: number;
    publicUrl: string;
    bodyLimit: number;
    /** Fastify's trustProxy: which X-Forwarded-For hops to believe. */
    trustProxy: boolean | number | string;
    signIn: { hashConcurrency: number; perIpPerMinute: number; perMinute: number };
  };
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** port: where the worker role serves /healthz, /readyz and /metrics (0: a free port). */
  worker: { concurrency: number; pollMs: number; maxAttempts: number; port: number };
  sandbox: { enabled: boolean; port: number };
  /**
   * Destinations workspaces choose (webhook URLs, SMTP hosts): private and loopback addresses are refused unless
   * allowed here (self-hosted set-ups with internal providers); link-local and metadata addresses always are.
   */
  destinations: { allowPrivate: boolean };
  /** Retention periods in days (0: kept forever) and how often the prune job runs. */
  retention: { intervalMs: number; webhookDays: number; expiredDays: number; deadJobDays: number };
  /** OpenTelemetry tracing (src/tracing.ts): where spans are posted; null when off. */
  tracing: { url: string; headers: Record<string, string>; serviceName: string } | null;
  providers: {
    /** Each provider's base URLs, by the key its definition names (whatsappApiUrl, shoplineApiUrl, ...). */
    baseUrls: Record<string, string>;
    /** How often marketplace message threads (EmpikPlace) are imported. */
    marketplacePollMs: number;
    /** How often stores without order webhooks (91APP) are polled. */
    storePollMs: number;
    /** How long a channel provider call may take before its outcome is unknown; per provider id overrides. */
    timeoutMs: number;
    timeouts: Record<string, number>;
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Validates the environment once. Throws ConfigError naming every bad variable. Every variable X may instead be
 * given as X_FILE, the path of a file whose trimmed content is the value (Docker and compose secrets); setting
 * both is an error.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env, overrides: Partial<Record<keyof z.input<typeof envSchema>, string>> = {}): Config {
  const input: Record<string, string | undefined> = {};
  const fileProblems: string[] = [];
  for (const key of Object.keys(envSchema.shape)) {
    const override = overrides[key as keyof typeof overrides];
    const direct = env[key] === '' ? undefined : env[key];
    const file = env[`${key}_FILE`] === '' ? undefined : env[`${key}_FILE`];
    let value = override ?? direct;
    // X_FILE names a file holding X (container secrets): its trimmed content is the value.
    if (file !== undefined && override === undefined) {
      if (direct !== undefined) {
        fileProblems.push(`${key} and ${key}_FILE: both are set; set only one`);
        continue;
      }
      try {
        value = fs.readFileSync(file, 'utf8').trim();
      } catch (err) {
        fileProblems.push(`${key}_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
        continue;
      }
    }
    input[key] = value === '' ? undefined : value;
  }
  if (fileProblems.length > 0) throw new ConfigError(fileProblems);
  const parsed = envSchema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`));
  }
  const e = parsed.data;
  if (e.DATABASE_URL && !e.SHOPTALK_MASTER_KEY) {
    throw new ConfigError(['SHOPTALK_MASTER_KEY: required when DATABASE_URL is set (32 random bytes as base64, e.g. `openssl rand -base64 32`)']);
  }
  const dataDir = path.resolve(e.SHOPTALK_DATA_DIR);
  return {
    dataDir,
    database: e.DATABASE_URL
      ? { kind: 'postgres', url: e.DATABASE_URL, poolSize: e.SHOPTALK_PG_POOL_SIZE }
      : { kind: 'sqlite', file: path.join(dataDir, 'shoptalk.db') },
    redisUrl: e.REDIS_URL ?? null,
    redisPrefix: e.SHOPTALK_REDIS_PREFIX ?? null,
    masterKey: e.SHOPTALK_MASTER_KEY ?? null,
    previousMasterKeys: e.SHOPTALK_MASTER_KEY_PREVIOUS ? e.SHOPTALK_MASTER_KEY_PREVIOUS.split(',').map((k) => k.trim()) : [],
    http: {
      host: e.HOST,
      port: e.PORT,
      publicUrl: (e.SHOPTALK_PUBLIC_URL ?? `http://${e.HOST === '0.0.0.0' ? '127.0.0.1' : e.HOST}:${e.PORT}`).replace(/\/$/, ''),
      bodyLimit: e.SHOPTALK_BODY_LIMIT,
      trustProxy: e.SHOPTALK_TRUST_PROXY === 'true' ? true : e.SHOPTALK_TRUST_PROXY === 'false' ? false : /^\d+$/.test(e.SHOPTALK_TRUST_PROXY) ? Number(e.SHOPTALK_TRUST_PROXY) : e.SHOPTALK_TRUST_PROXY,
      signIn: { hashConcurrency: e.SHOPTALK_PASSWORD_HASH_CONCURRENCY, perIpPerMinute: e.SHOPTALK_SIGNIN_PER_IP_PER_MINUTE, perMinute: e.SHOPTALK_SIGNIN_PER_MINUTE },
    },
    logLevel: e.LOG_LEVEL,
    worker: { concurrency: e.SHOPTALK_WORKER_CONCURRENCY, pollMs: e.SHOPTALK_JOB_POLL_MS, maxAttempts: e.SHOPTALK_JOB_MAX_ATTEMPTS, port: e.SHOPTALK_WORKER_PORT },
    sandbox: { enabled: e.SHOPTALK_SANDBOX, port: e.SHOPTALK_SANDBOX_PORT },
    destinations: { allowPrivate: e.SHOPTALK_ALLOW_PRIVATE_DESTINATIONS },
    retention: {
      intervalMs: e.SHOPTALK_RETENTION_INTERVAL_MINUTES * 60_000,
      webhookDays: e.SHOPTALK_RETENTION_WEBHOOK_DAYS,
      expiredDays: e.SHOPTALK_RETENTION_EXPIRED_DAYS,
      deadJobDays: e.SHOPTALK_RETENTION_DEAD_JOB_DAYS,
    },
    tracing: tracingConfig(e),
    providers: {
      baseUrls: Object.fromEntries(baseUrlSettings.map((b) => [b.key, String(e[b.env as keyof typeof e]).replace(/\/$/, '')])),
      marketplacePollMs: e.SHOPTALK_MARKETPLACE_POLL_SECONDS * 1000,
      storePollMs: e.SHOPTALK_STORE_POLL_SECONDS * 1000,
      timeoutMs: e.SHOPTALK_PROVIDER_TIMEOUT_MS,
      timeouts: e.SHOPTALK_PROVIDER_TIMEOUTS ?? {},
    },
  };
}

/**
 * Tracing is on when an OTLP endpoint is set and the SDK is not disabled: the traces URL is
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as given, else OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces (the OTLP spec's rule).
 */
function tracingConfig(e: z.infer<typeof envSchema>): Config['tracing'] {
  if (e.OTEL_SDK_DISABLED) return null;
  const url = e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? (e.OTEL_EXPORTER_OTLP_ENDPOINT ? `${e.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/$/, '')}/v1/traces` : null);
  if (!url) return null;
  return { url, headers: { ...e.OTEL_EXPORTER_OTLP_HEADERS, ...e.OTEL_EXPORTER_OTLP_TRACES_HEADERS }, serviceName: e.OTEL_SERVICE_NAME };
}
