import { defineConfig } from "prisma/config";

// Prisma's CLI downloads a native schema engine before every command. `generate`, `validate` and
// `format` never run it, so pointing the variable at any existing file lets them work offline.
// `migrate` is left alone: it needs the real engine (users with internet can still run it).
const offlineSafe = ["generate", "validate", "format"];
if (offlineSafe.some((cmd) => process.argv.includes(cmd)) && !process.env.PRISMA_SCHEMA_ENGINE_BINARY) {
  process.env.PRISMA_SCHEMA_ENGINE_BINARY = process.execPath;
}

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/tracira" },
});
