import path from "node:path";
import { z } from "zod";

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
  };
}
