import path from "node:path";
import { JUDGE_PROVIDERS, type JudgeProvider } from "@tracira/shared";
import { z } from "zod";
import { parseSecretKey } from "./secrets/secret-key";

const TOKEN_PATTERN = /^wh-[A-Za-z0-9_-]{32,}$/;

const flag = z
  .enum(["true", "false", "1", "0", ""])
  .transform((v) => v === "true" || v === "1");

/** Every environment variable the server reads. A bad value stops the start with a message naming it. */
const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default("0.0.0.0"),
  PUBLIC_URL: z.url().optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, { error: "must be a postgres:// or postgresql:// URL" })
    .optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(500).default(20),
  TRACIRA_DATA_DIR: z.string().min(1).default(".tracira"),
  TRACIRA_BOOTSTRAP_TOKEN: z
    .string()
    .regex(TOKEN_PATTERN, { error: "must be wh- followed by at least 32 letters, digits, - or _" })
    .optional(),
  TRACIRA_BOOTSTRAP_WORKSPACE: z.string().min(1).max(200).default("My workspace"),
  TRACIRA_MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(2 * 1024 * 1024),
  TRACIRA_VALIDATE_RESPONSES: flag.optional(),
  TRACIRA_LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
  TRACIRA_WORKER: flag.optional(),
  TRACIRA_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(10_000).default(64),
  TRACIRA_WORKER_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(500),
  TRACIRA_EVAL_LEASE_MS: z.coerce.number().int().min(200).max(3_600_000).default(30_000),
  TRACIRA_EVAL_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(5),
  TRACIRA_SYNC_TIMEOUT_MS: z.coerce.number().int().min(1).max(600_000).default(30_000),
  TRACIRA_REGEX_TIMEOUT_MS: z.coerce.number().int().min(1).max(60_000).default(500),
  TRACIRA_REGEX_WORKERS: z.coerce.number().int().min(1).max(64).default(2),
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
  NODE_ENV: z.string().optional(),
});

export type Env = z.input<typeof EnvSchema>;

export interface Config {
  port: number;
  host: string;
  publicUrl: string | undefined;
  databaseUrl: string | undefined;
  databasePoolSize: number;
  dataDir: string;
  bootstrapToken: string | undefined;
  bootstrapWorkspaceName: string;
  maxBodyBytes: number;
  /** Check every response against its declared schema (on in tests; costs time in production). */
  validateResponses: boolean;
  logLevel: "debug" | "info" | "warn" | "error" | "silent";
  /** Encrypts secrets at rest; without it, a key file in the data folder is used. */
  secretKey: Buffer | undefined;
  redisUrl: string | undefined;
  /** Requests per sliding minute per workspace on POST /api/logs; 0 turns the limit off. */
  rateLimitPerMinute: number;
  evaluation: EvaluationConfig;
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
  judge: {
    timeoutMs: number;
    maxRetries: number;
    defaultProvider: JudgeProvider;
    keys: Record<JudgeProvider, string | undefined>;
    baseUrls: Record<JudgeProvider, string | undefined>;
  };
}

export class ConfigError extends Error {}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = EnvSchema.safeParse(
    Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== "")),
  );
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    publicUrl: e.PUBLIC_URL,
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    // npm runs the backend's start script from backend/; a relative folder is meant from where npm was run.
    dataDir: path.resolve(env.INIT_CWD ?? process.cwd(), e.TRACIRA_DATA_DIR),
    bootstrapToken: e.TRACIRA_BOOTSTRAP_TOKEN,
    bootstrapWorkspaceName: e.TRACIRA_BOOTSTRAP_WORKSPACE,
    maxBodyBytes: e.TRACIRA_MAX_BODY_BYTES,
    validateResponses: e.TRACIRA_VALIDATE_RESPONSES ?? e.NODE_ENV === "test",
    logLevel: e.TRACIRA_LOG_LEVEL,
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
      judge: {
        timeoutMs: e.TRACIRA_JUDGE_TIMEOUT_MS,
        maxRetries: e.TRACIRA_JUDGE_MAX_RETRIES,
        defaultProvider: e.TRACIRA_JUDGE_PROVIDER,
        keys: { openai: e.OPENAI_API_KEY, anthropic: e.ANTHROPIC_API_KEY, openrouter: e.OPENROUTER_API_KEY },
        baseUrls: { openai: e.OPENAI_BASE_URL, anthropic: e.ANTHROPIC_BASE_URL, openrouter: e.OPENROUTER_BASE_URL },
      },
    },
  };
}
