-- pg_trgm: trigram indexes serve GET /api/logs's `q` (a substring match, ILIKE '%…%', which no btree can).
-- Trusted since PostgreSQL 13: a database owner may create it. PGlite loads it from its contrib bundle
-- (backend/src/db/database.ts). Prisma's schema does not list extensions; this migration is their record.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
