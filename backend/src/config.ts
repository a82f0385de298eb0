import path from "node:path";
import { JUDGE_PROVIDERS, RETENTION_DAYS, type JudgeProvider } from "@tracira/shared";
import { z } from "zod";
import { parseSecretKey } from "./secrets/secret-key";

const TOKEN_PATTERN = /^wh-[A-Za-z0-9_-]{32,}$/;

const flag = z.enum(["true", "false", "1", "0", ""]).transform((v) => v === "true" || v === "1");

/** Every environment variable the server reads. A bad value stops the start with a message naming it. */
const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default("0.0.0.0"),
  PUBLIC_URL: z.url().optional(),
  TRACIRA_ALLOWED_HOSTS: z.string().optional(),
  TRACIRA_TRUST_PROXY: z.string().optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, { error: "must be a postgres:// or postgresql:// URL" })
    .optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(500).default(20),
  DATABASE_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(15_000),
  DATABASE_QUERY_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(20_000),
  TRACIRA_DATA_DIR: z.string().min(1).default(".tracira"),
  TRACIRA_MIN_FREE_DISK_MB: z.coerce.number().min(0).max(1_000_000).default(100),
  TRACIRA_BOOTSTRAP_TOKEN: z
    .string()
    .regex(TOKEN_PATTERN, { error: "must be wh- followed by at least 32 letters, digits, - or _" })
    .optional(),
  TRACIRA_BOOTSTRAP_WORKSPACE: z.string().min(1).max(200).default("My workspace"),
  TRACIRA_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(2 * 1024 * 1024),
  TRACIRA_VALIDATE_RESPONSES: flag.optional(),
  TRACIRA_LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
  TRACIRA_METRICS_TOKEN: z.string().min(16, { error: "must be at least 16 characters (it guards GET /metrics)" }).optional(),
  TRACIRA_WORKER: flag.optional(),
  TRACIRA_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(10_000).default(64),
  TRACIRA_WORKER_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(500),
  TRACIRA_EVAL_LEASE_MS: z.coerce.number().int().min(200).max(3_600_000).default(6_000),
  TRACIRA_EVAL_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(5),
  TRACIRA_SIGNING_SECRET_OVERLAP_HOURS: z.coerce.number().min(0).max(720).default(24),
  TRACIRA_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(8_000),
  TRACIRA_SYNC_TIMEOUT_MS: z.coerce.number().int().min(1).max(600_000).default(30_000),
  TRACIRA_REGEX_TIMEOUT_MS: z.coerce.number().int().min(1).max(60_000).default(500),
  TRACIRA_REGEX_WORKERS: z.coerce.number().int().min(1).max(64).default(3),
  TRACIRA_REGEX_QUEUE_PER_WORKSPACE: z.coerce.number().int().min(1).max(100_000).default(100),
  TRACIRA_JUDGE_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(20_000),
  TRACIRA_JUDGE_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(3),
  TRACIRA_JUDGE_PROVIDER: z.enum(JUDGE_PROVIDERS).default("openai"),
  TRACIRA_SECRET_KEY: z
    .string()
    .transform((v, ctx) => {
      const key = parseSecretKey(v);
      if (!key) {
        ctx.addIssue({ code: "custom", message: "must be 32 bytes as 64 hex characters or base64 (e.g. from `openssl rand -base64 32`)" });
        return z.NEVER;
      }
      return key;
    })
    .optional(),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, { error: "must be a redis:// or rediss:// URL" })
    .optional(),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).max(1_000_000).default(60),
  OPENAI_API_KEY: z.string().optional(),
  ANTHROPIC_API_KEY: z.string().optional(),
  OPENROUTER_API_KEY: z.string().optional(),
  OPENAI_BASE_URL: z.url().optional(),
  ANTHROPIC_BASE_URL: z.url().optional(),
  OPENROUTER_BASE_URL: z.url().optional(),
  TRACIRA_ALLOW_PRIVATE_URLS: z
    .string()
    .transform((v, ctx) => {
      const value = v.trim().toLowerCase();
      if (["true", "1"].includes(value)) return { allowPrivate: true, allowedCidrs: [] as string[] };
      if (["false", "0", ""].includes(value)) return { allowPrivate: false, allowedCidrs: [] as string[] };
      const cidrs = value
        .split(",")
        .map((c) => c.trim())
        .filter(Boolean);
      if (cidrs.every((c) => CIDR.test(c))) return { allowPrivate: false, allowedCidrs: cidrs };
      ctx.addIssue({ code: "custom", message: "must be true, false, or a comma-separated list of CIDR ranges (e.g. 10.0.0.0/8,fd00::/8)" });
      return z.NEVER;
    })
    .optional(),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, { error: "must be an smtp:// or smtps:// URL, e.g. smtp://user:pass@mail.example.com:587" })
    .optional(),
  SMTP_FROM: z.string().min(3).default("Tracira <tracira@localhost>"),
  TRACIRA_DELIVERY_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  TRACIRA_DELIVERY_BACKOFF_MS: z.coerce.number().int().min(10).max(3_600_000).default(10_000),
  TRACIRA_DELIVERY_BACKOFF_MAX_MS: z.coerce.number().int().min(10).max(86_400_000).default(3_600_000),
  TRACIRA_DELIVERY_RETRY_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 30)
    .default(24),
  TRACIRA_DELIVERY_CONCURRENCY: z.coerce.number().int().min(1).max(1_000).default(16),
  TRACIRA_DELIVERY_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(1_000),
  TRACIRA_MEDIA_DIR: z.string().min(1).optional(),
  TRACIRA_MEDIA_URL_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 86_400)
    .default(300),
  TRACIRA_MAX_LOG_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(32 * 1024 * 1024),
  TRACIRA_SESSION_DAYS: z.coerce.number().positive().max(365).default(14),
  TRACIRA_OPEN_SIGNUP: flag.optional(),
  TRACIRA_MAX_HOOKS_PER_WORKSPACE: z.coerce.number().int().min(1).max(1_000_000).default(50),
  TRACIRA_MAX_PROJECTS_PER_WORKSPACE: z.coerce.number().int().min(1).max(1_000_000).default(1_000),
  TRACIRA_MAX_RULES_PER_WORKSPACE: z.coerce.number().int().min(1).max(1_000_000).default(500),
  TRACIRA_MAX_ATTACHMENT_MB_PER_WORKSPACE: z.coerce.number().min(1).max(100_000_000).default(10_240),
  TRACIRA_PASSWORD_COST: z.coerce.number().int().min(10).max(20).default(15),
  TRACIRA_RETENTION_DAYS: z.coerce
    .number()
    .int({ error: "must be a whole number of days" })
    .min(RETENTION_DAYS.min, { error: `must be ${RETENTION_DAYS.min} to ${RETENTION_DAYS.max} days (unset: logs are kept forever)` })
    .max(RETENTION_DAYS.max, { error: `must be ${RETENTION_DAYS.min} to ${RETENTION_DAYS.max} days (unset: logs are kept forever)` })
    .optional(),
  TRACIRA_RETENTION_INTERVAL_MS: z.coerce.number().int().min(10).max(86_400_000).default(3_600_000),
  TRACIRA_RETENTION_BATCH: z.coerce.number().int().min(1).max(10_000).default(500),
  TRACIRA_ROLLUP_FOLD_MS: z.coerce.number().int().min(10).max(3_600_000).default(2_000),
  TRACIRA_ROLLUP_FOLD_BATCH: z.coerce.number().int().min(1).max(1_000_000).default(50_000),
  TRACIRA_LIST_COUNT_BUDGET_MS: z.coerce.number().int().min(1).max(60_000).default(25),
  TRACIRA_OTLP_MAX_BODY_MB: z.coerce.number().min(1).max(512).default(16),
  TRACIRA_OTLP_ROOT_WAIT_MS: z.coerce.number().int().min(0).max(86_400_000).default(300_000),
  TRACIRA_FINAL_STEP_WAIT_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(7 * 86_400_000)
    .default(3_600_000),
  NODE_ENV: z.string().optional(),
});

const CIDR = /^([0-9.]+|[0-9a-f:.]+)\/\d{1,3}$/;

export type Env = z.input<typeof EnvSchema>;

export interface Config {
  port: number;
  host: string;
  publicUrl: string | undefined;
  /**
   * Host names the dashboard (cookie sessions) answers under, besides PUBLIC_URL's, localhost and IP
   * addresses: any other name could be a DNS-rebinding page's.
   */
  allowedHosts: string[];
  /**
   * Express's `trust proxy`: which proxies' X-Forwarded-For / -Proto to believe (`true`, a hop count, or
   * addresses/subnets such as `loopback, 10.0.0.0/8`); unset, none: the caller is the socket's address.
   */
  trustProxy: boolean | number | string | undefined;
  databaseUrl: string | undefined;
  databasePoolSize: number;
  databaseTimeouts: { connectMs: number; statementMs: number; queryMs: number };
  dataDir: string;
  /** With the embedded database: writes are refused (503) while its disk has less free than this. */
  minFreeDiskBytes: number;
  bootstrapToken: string | undefined;
  bootstrapWorkspaceName: string;
  maxBodyBytes: number;
  /** OTLP/HTTP trace ingest (`POST /v1/traces`). */
  otlp: OtlpConfig;
  /** How many of each a workspace may have (hook subscriptions, projects, rules): past it, a 409 that says so. */
  caps: WorkspaceCaps;
  /** After a rotation of the workspace signing secret, how long the previous one still signs too. */
  signingSecretOverlapMs: number;
  /** From SIGTERM to the end of the drain: open requests answered, loops stopped, the database closed. */
  shutdownTimeoutMs: number;
  /** Check every response against its declared schema (on in tests; costs time in production). */
  validateResponses: boolean;
  logLevel: "debug" | "info" | "warn" | "error" | "silent";
  /** `GET /metrics` answers only with `Authorization: Bearer <this>`; unset, metrics are off (404). */
  metricsToken: string | undefined;
  /** Encrypts secrets at rest; without it, a key file in the data folder is used. */
  secretKey: Buffer | undefined;
  redisUrl: string | undefined;
  /** Requests per sliding minute per workspace on POST /api/logs; 0 turns the limit off. */
  rateLimitPerMinute: number;
  evaluation: EvaluationConfig;
  outbound: OutboundConfig;
  deliveries: DeliveryConfig;
  media: MediaConfig;
  accounts: AccountsConfig;
  retention: RetentionConfig;
  rollups: RollupConfig;
  /**
   * How long GET /api/logs (and the dashboard's list) may count the matches of a filter the rollups cannot
   * answer before it answers from the page instead (services/logs/summary.ts).
   */
  listCountBudgetMs: number;
}

/** Folding the log-count deltas the triggers on logs append into the rollups, run by the worker. */
export interface RollupConfig {
  /** How often the worker folds (pending deltas are read too, so this only bounds how many pile up). */
  foldIntervalMs: number;
  /** Deltas moved per statement; a fold repeats until fewer are left. */
  foldBatch: number;
}

/** The purge of expired logs (with their spans, evaluations and files), run by the worker. */
export interface RetentionConfig {
  /**
   * Days a workspace without a `retentionDays` setting of its own keeps its logs; undefined: forever.
   * A workspace's own setting (1–3650) wins, longer or shorter.
   */
  defaultDays: number | undefined;
  /** How often the purge runs (the first run comes after this, at most a minute after the start). */
  intervalMs: number;
  /** Logs deleted per statement, each batch its own short transaction. */
  batchSize: number;
}

export interface OtlpConfig {
  /** Largest export body (after decompression). */
  maxBodyBytes: number;
  /** How long a trace whose root span has not come waits before it is evaluated with what it has. */
  rootWaitMs: number;
  /** How long a log created with `awaitFinalStep` waits for its final step before it is evaluated with what it has. */
  finalStepWaitMs: number;
}

/** Dashboard users and their sessions. */
export interface AccountsConfig {
  sessionTtlMs: number;
  /**
   * Anyone may sign up and get a workspace of their own. Off by default: the first sign-up claims the
   * workspace created at first start, later ones need an invite link.
   */
  openSignup: boolean;
  /** log2 of scrypt's N: 15 is 32 MiB per hash (OWASP's minimum); tests lower it. */
  passwordCost: number;
}

/** Which addresses outbound requests (callbacks, hooks, webhooks, Slack, attachment fetches) may reach. */
export interface OutboundConfig {
  /** Lifts the private-address guard entirely (tests, single-network self-hosts). */
  allowPrivate: boolean;
  /** Private ranges allowed while the guard stays on for the rest (e.g. one internal subnet). */
  allowedCidrs: string[];
}

export interface DeliveryConfig {
  /** Run the delivery sender inside the server (it also runs in `npm run worker`). */
  senderEnabled: boolean;
  timeoutMs: number;
  backoffMs: number;
  backoffMaxMs: number;
  /** A delivery is retried until this long after it was created, then marked failed. */
  retryWindowMs: number;
  concurrency: number;
  pollMs: number;
  smtpUrl: string | undefined;
  smtpFrom: string;
}

export interface MediaConfig {
  /** Local folder for stored attachments. */
  dir: string;
  /** Lifetime of the signed URLs GET /api/media/:key redirects to. */
  urlTtlSeconds: number;
  /** Body limit of POST /api/logs, which may carry base64 uploads (other routes use maxBodyBytes). */
  maxLogBodyBytes: number;
}

export interface EvaluationConfig {
  /** Run the evaluation worker inside the server (off for API-only instances beside `npm run worker`). */
  workerEnabled: boolean;
  workerConcurrency: number;
  workerPollMs: number;
  leaseMs: number;
  maxAttempts: number;
  syncTimeoutMs: number;
  regexTimeoutMs: number;
  regexWorkers: number;
  /** Regex tests one workspace may have waiting for a worker; past it they end `error` (busy). */
  regexQueuePerWorkspace: number;
  judge: {
    timeoutMs: number;
    maxRetries: number;
    defaultProvider: JudgeProvider;
    keys: Record<JudgeProvider, string | undefined>;
    baseUrls: Record<JudgeProvider, string | undefined>;
  };
}

export interface WorkspaceCaps {
  hooks: number;
  projects: number;
  rules: number;
  /** Bytes of attachments a workspace's logs may hold (checked before each log's uploads). */
  attachmentBytes: number;
}

export class ConfigError extends Error {}

function trustProxyOf(value: string | undefined): Config["trustProxy"] {
  if (value === undefined) return undefined;
  if (value === "true" || value === "false") return value === "true";
  return /^\d+$/.test(value) ? Number(value) : value;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = EnvSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== "")));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(env.INIT_CWD ?? process.cwd(), e.TRACIRA_DATA_DIR);
  return {
    port: e.PORT,
    host: e.HOST,
    publicUrl: e.PUBLIC_URL,
    allowedHosts: (e.TRACIRA_ALLOWED_HOSTS ?? "")
      .split(",")
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean),
    trustProxy: trustProxyOf(e.TRACIRA_TRUST_PROXY),
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    databaseTimeouts: {
      connectMs: e.DATABASE_CONNECT_TIMEOUT_MS,
      statementMs: e.DATABASE_STATEMENT_TIMEOUT_MS,
      queryMs: e.DATABASE_QUERY_TIMEOUT_MS,
    },
    // npm runs the backend's start script from backend/; a relative folder is meant from where npm was run.
    dataDir,
    minFreeDiskBytes: e.TRACIRA_MIN_FREE_DISK_MB * 1024 * 1024,
    bootstrapToken: e.TRACIRA_BOOTSTRAP_TOKEN,
    bootstrapWorkspaceName: e.TRACIRA_BOOTSTRAP_WORKSPACE,
    maxBodyBytes: e.TRACIRA_MAX_BODY_BYTES,
    otlp: {
      maxBodyBytes: Math.round(e.TRACIRA_OTLP_MAX_BODY_MB * 1024 * 1024),
      rootWaitMs: e.TRACIRA_OTLP_ROOT_WAIT_MS,
      finalStepWaitMs: e.TRACIRA_FINAL_STEP_WAIT_MS,
    },
    shutdownTimeoutMs: e.TRACIRA_SHUTDOWN_TIMEOUT_MS,
    signingSecretOverlapMs: e.TRACIRA_SIGNING_SECRET_OVERLAP_HOURS * 3_600_000,
    caps: {
      hooks: e.TRACIRA_MAX_HOOKS_PER_WORKSPACE,
      projects: e.TRACIRA_MAX_PROJECTS_PER_WORKSPACE,
      rules: e.TRACIRA_MAX_RULES_PER_WORKSPACE,
      attachmentBytes: e.TRACIRA_MAX_ATTACHMENT_MB_PER_WORKSPACE * 1024 * 1024,
    },
    validateResponses: e.TRACIRA_VALIDATE_RESPONSES ?? e.NODE_ENV === "test",
    logLevel: e.TRACIRA_LOG_LEVEL,
    metricsToken: e.TRACIRA_METRICS_TOKEN,
    secretKey: e.TRACIRA_SECRET_KEY,
    redisUrl: e.REDIS_URL,
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
    evaluation: {
      workerEnabled: e.TRACIRA_WORKER ?? true,
      workerConcurrency: e.TRACIRA_WORKER_CONCURRENCY,
      workerPollMs: e.TRACIRA_WORKER_POLL_MS,
      leaseMs: e.TRACIRA_EVAL_LEASE_MS,
      maxAttempts: e.TRACIRA_EVAL_MAX_ATTEMPTS,
      syncTimeoutMs: e.TRACIRA_SYNC_TIMEOUT_MS,
      regexTimeoutMs: e.TRACIRA_REGEX_TIMEOUT_MS,
      regexWorkers: e.TRACIRA_REGEX_WORKERS,
      regexQueuePerWorkspace: e.TRACIRA_REGEX_QUEUE_PER_WORKSPACE,
      judge: {
        timeoutMs: e.TRACIRA_JUDGE_TIMEOUT_MS,
        maxRetries: e.TRACIRA_JUDGE_MAX_RETRIES,
        defaultProvider: e.TRACIRA_JUDGE_PROVIDER,
        keys: { openai: e.OPENAI_API_KEY, anthropic: e.ANTHROPIC_API_KEY, openrouter: e.OPENROUTER_API_KEY },
        baseUrls: { openai: e.OPENAI_BASE_URL, anthropic: e.ANTHROPIC_BASE_URL, openrouter: e.OPENROUTER_BASE_URL },
      },
    },
    outbound: e.TRACIRA_ALLOW_PRIVATE_URLS ?? { allowPrivate: false, allowedCidrs: [] },
    deliveries: {
      senderEnabled: e.TRACIRA_WORKER ?? true,
      timeoutMs: e.TRACIRA_DELIVERY_TIMEOUT_MS,
      backoffMs: e.TRACIRA_DELIVERY_BACKOFF_MS,
      backoffMaxMs: e.TRACIRA_DELIVERY_BACKOFF_MAX_MS,
      retryWindowMs: Math.round(e.TRACIRA_DELIVERY_RETRY_HOURS * 3_600_000),
      concurrency: e.TRACIRA_DELIVERY_CONCURRENCY,
      pollMs: e.TRACIRA_DELIVERY_POLL_MS,
      smtpUrl: e.SMTP_URL,
      smtpFrom: e.SMTP_FROM,
    },
    media: {
      dir: path.resolve(env.INIT_CWD ?? process.cwd(), e.TRACIRA_MEDIA_DIR ?? path.join(dataDir, "media")),
      urlTtlSeconds: e.TRACIRA_MEDIA_URL_TTL_SECONDS,
      maxLogBodyBytes: e.TRACIRA_MAX_LOG_BODY_BYTES,
    },
    accounts: {
      sessionTtlMs: Math.round(e.TRACIRA_SESSION_DAYS * 86_400_000),
      openSignup: e.TRACIRA_OPEN_SIGNUP ?? false,
      passwordCost: e.TRACIRA_PASSWORD_COST,
    },
    retention: {
      defaultDays: e.TRACIRA_RETENTION_DAYS,
      intervalMs: e.TRACIRA_RETENTION_INTERVAL_MS,
      batchSize: e.TRACIRA_RETENTION_BATCH,
    },
    rollups: { foldIntervalMs: e.TRACIRA_ROLLUP_FOLD_MS, foldBatch: e.TRACIRA_ROLLUP_FOLD_BATCH },
    listCountBudgetMs: e.TRACIRA_LIST_COUNT_BUDGET_MS,
  };
}
