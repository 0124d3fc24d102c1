import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

export const WidgetSite = z.object({
  key: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/),
  origins: z.array(z.url()).min(1),
  greeting: z.string().max(200).default('Hi! How can we help?'),
  color: z
    .string()
    .regex(/^#[0-9a-fA-F]{6}$/)
    .default('#2563eb'),
});
export type WidgetSite = z.infer<typeof WidgetSite>;

const ConfigSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Default: 127.0.0.1 in the embedded mode (a local trial), 0.0.0.0 in the services mode. */
  HOST: z.string().min(1).optional(),
  /** Where the embedded database, the blob store and the generated secret live. */
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z.url().optional(),
  EVENT_STORE: z.enum(['pglite', 'postgres', 'esdb']).optional(),
  ESDB_URL: z.string().startsWith('esdb').optional(),
  /** 32 bytes (64 hex chars or base64) that wrap every personal data key. Generated into DATA_DIR when embedded. */
  DATA_KEY_SECRET: z.string().min(32).optional(),
  SEED_DEMO: bool.optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** The portal's public origin (used for cookies and the widget); derived from the request when unset. */
  PUBLIC_ORIGIN: z.url().optional(),
  WIDGET_SITES: z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (!text) return undefined;
      try {
        return z.array(WidgetSite).parse(JSON.parse(text));
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: `not a JSON array of widget sites: ${(error as Error).message}` });
        return z.NEVER;
      }
    }),
  ATTACHMENT_MAX_BYTES: z.coerce.number().int().min(1).default(25 * 1024 * 1024),
  BLOB_STORE: z.enum(['fs', 'postgres']).default('fs'),
  SESSION_TTL_HOURS: z.coerce.number().min(0.01).max(24 * 90).default(12),
  COOKIE_SECURE: bool.optional(),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  /** How long a command or query waits for the database before answering 503. */
  DB_TIMEOUT_MS: z.coerce.number().int().min(100).default(5_000),
  /** Whether X-Forwarded-For names the client (only behind a gateway that sets it; else it could be forged). */
  TRUST_PROXY: bool.default(false),
  /** Requests per minute per client (session token, visitor token, or address) on every endpoint. */
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(1_200),
  /** Longest wait of a query for X-Min-Position before answering stale. */
  MIN_POSITION_WAIT_MS: z.coerce.number().int().min(0).max(10_000).default(2_000),
  PROJECTION_BATCH_SIZE: z.coerce.number().int().min(1).max(5_000).default(500),
  /** Seconds between signed summaries of every hash chain's head (0: never). */
  AUDIT_CHECKPOINT_INTERVAL_S: z.coerce.number().int().min(0).default(3_600),
});

export type Config = Readonly<
  Omit<z.infer<typeof ConfigSchema>, 'EVENT_STORE' | 'SEED_DEMO' | 'HOST'> & {
    HOST: string;
    EVENT_STORE: 'pglite' | 'postgres' | 'esdb';
    SEED_DEMO: boolean;
  }
>;

export class ConfigError extends Error {}

/**
 * Reads and validates the configuration from the environment. A bad value stops the process
 * with a message that names the variable.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.') || '(environment)'}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
  }
  const value = parsed.data;
  const eventStore = value.EVENT_STORE ?? (value.DATABASE_URL ? 'postgres' : 'pglite');
  if (eventStore !== 'pglite' && !value.DATABASE_URL)
    throw new ConfigError(`Invalid configuration:\n  DATABASE_URL: required when EVENT_STORE=${eventStore}`);
  if (eventStore === 'esdb' && !value.ESDB_URL)
    throw new ConfigError('Invalid configuration:\n  ESDB_URL: required when EVENT_STORE=esdb');
  if (eventStore !== 'pglite' && !value.DATA_KEY_SECRET)
    throw new ConfigError(`Invalid configuration:\n  DATA_KEY_SECRET: required when EVENT_STORE=${eventStore}`);
  return Object.freeze({
    ...value,
    HOST: value.HOST ?? (eventStore === 'pglite' ? '127.0.0.1' : '0.0.0.0'),
    EVENT_STORE: eventStore,
    SEED_DEMO: value.SEED_DEMO ?? eventStore === 'pglite',
  });
}
