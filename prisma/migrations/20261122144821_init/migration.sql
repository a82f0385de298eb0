-- CreateEnum
CREATE TYPE "log_status" AS ENUM ('pending', 'pass', 'flagged', 'error');

-- CreateEnum
CREATE TYPE "human_decision" AS ENUM ('approved', 'rejected');

-- CreateEnum
CREATE TYPE "callback_events" AS ENUM ('all', 'flagged_error', 'decisions', 'flagged_error_decisions', 'pass');

-- CreateEnum
CREATE TYPE "rule_type" AS ENUM ('keyword_required', 'keyword_forbidden', 'regex_match', 'length_limit', 'confidence_threshold', 'llm_judge', 'json_field', 'json_field_keyword_required', 'json_field_keyword_forbidden');

-- CreateEnum
CREATE TYPE "judge_provider" AS ENUM ('openai', 'anthropic', 'openrouter');

-- CreateEnum
CREATE TYPE "member_role" AS ENUM ('admin', 'member');

-- CreateEnum
CREATE TYPE "delivery_kind" AS ENUM ('callback', 'hook', 'slack', 'email', 'webhook');

-- CreateEnum
CREATE TYPE "delivery_status" AS ENUM ('pending', 'succeeded', 'failed', 'cancelled');

-- CreateTable
CREATE TABLE "workspaces" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "token_prefix" TEXT NOT NULL,
    "token_encrypted" TEXT,
    "token_rotated_at" TIMESTAMPTZ(3),
    "signing_secret_encrypted" TEXT,
    "onboarding_dismissed" BOOLEAN NOT NULL DEFAULT false,
    "color" TEXT,
    "slack_notifications_enabled" BOOLEAN NOT NULL DEFAULT false,
    "slack_webhook_url_encrypted" TEXT,
    "slack_channel_id" TEXT,
    "notify_on_flag" BOOLEAN NOT NULL DEFAULT true,
    "notify_on_fail" BOOLEAN NOT NULL DEFAULT true,
    "email_notifications_enabled" BOOLEAN NOT NULL DEFAULT false,
    "notification_email" TEXT,
    "email_on_flag" BOOLEAN NOT NULL DEFAULT true,
    "email_on_fail" BOOLEAN NOT NULL DEFAULT true,
    "webhook_enabled" BOOLEAN NOT NULL DEFAULT false,
    "outbound_webhook_url" TEXT,
    "outbound_webhook_events" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "estimated_incident_cost_usd" DOUBLE PRECISION,
    "openai_api_key_encrypted" TEXT,
    "anthropic_api_key_encrypted" TEXT,
    "openrouter_api_key_encrypted" TEXT,
    "openai_judge_model" TEXT,
    "anthropic_judge_model" TEXT,
    "openrouter_judge_model" TEXT,
    "default_judge_provider" "judge_provider",
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "workspaces_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "token_rotations" (
    "id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "rotated_by" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "token_rotations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "users" (
    "id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT,
    "password_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sessions" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "token_hash" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sessions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "memberships" (
    "id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "role" "member_role" NOT NULL DEFAULT 'member',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "memberships_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "projects" (
    "id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "icon" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "projects_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "tasks" (
    "id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "tasks_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "logs" (
    "id" TEXT NOT NULL,
    "workspace_id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "task_name" TEXT,
    "user_id" UUID,
    "timestamp" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "session_id" TEXT,
    "subject_id" TEXT,
    "actor_id" TEXT,
    "model" TEXT,
    "latency_ms" DOUBLE PRECISION,
    "cost_usd" DOUBLE PRECISION,
    "confidence" DOUBLE PRECISION,
    "input" JSONB,
    "input_text" TEXT,
    "output" TEXT NOT NULL,
    "metadata" JSONB,
    "tags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "attachments" JSONB,
    "callback_url" TEXT,
    "callback_events" "callback_events" NOT NULL DEFAULT 'all',
    "status" "log_status" NOT NULL DEFAULT 'pending',
    "verdict" "log_status",
    "confidence_score" DOUBLE PRECISION,
    "explanation" TEXT,
    "applied_rules" JSONB,
    "evaluated_at" TIMESTAMPTZ(3),
    "eval_lease_until" TIMESTAMPTZ(3),
    "eval_lease_owner" TEXT,
    "eval_attempts" INTEGER NOT NULL DEFAULT 0,
    "human_decision" "human_decision",
    "decided_at" TIMESTAMPTZ(3),
    "decided_by" TEXT,
    "decision_source" TEXT,

    CONSTRAINT "logs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "rules" (
    "id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "type" "rule_type" NOT NULL,
    "description" TEXT,
    "value" TEXT NOT NULL,
    "is_active" BOOLEAN NOT NULL DEFAULT true,
    "project_id" UUID,
    "task_name" TEXT,
    "llm_judge_provider" "judge_provider",
    "llm_judge_model" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "rules_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "hook_subscriptions" (
    "id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "url" TEXT NOT NULL,
    "events" TEXT[],
    "project_name" TEXT,
    "task_name" TEXT,
    "source" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "hook_subscriptions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "deliveries" (
    "id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "log_id" TEXT,
    "hook_subscription_id" UUID,
    "kind" "delivery_kind" NOT NULL,
    "event" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "status" "delivery_status" NOT NULL DEFAULT 'pending',
    "attempt_count" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lease_until" TIMESTAMPTZ(3),
    "last_error" TEXT,
    "delivered_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "delivery_attempts" (
    "id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "delivery_id" UUID NOT NULL,
    "attempt_number" INTEGER NOT NULL,
    "response_status" INTEGER,
    "error" TEXT,
    "duration_ms" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "delivery_attempts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "workspaces_token_hash_key" ON "workspaces"("token_hash");

-- CreateIndex
CREATE INDEX "token_rotations_workspace_id_created_at_idx" ON "token_rotations"("workspace_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");

-- CreateIndex
CREATE UNIQUE INDEX "sessions_token_hash_key" ON "sessions"("token_hash");

-- CreateIndex
CREATE INDEX "sessions_user_id_idx" ON "sessions"("user_id");

-- CreateIndex
CREATE INDEX "sessions_workspace_id_idx" ON "sessions"("workspace_id");

-- CreateIndex
CREATE INDEX "sessions_expires_at_idx" ON "sessions"("expires_at");

-- CreateIndex
CREATE INDEX "memberships_user_id_idx" ON "memberships"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "memberships_workspace_id_user_id_key" ON "memberships"("workspace_id", "user_id");

-- CreateIndex
CREATE UNIQUE INDEX "projects_workspace_id_name_key" ON "projects"("workspace_id", "name");

-- CreateIndex
CREATE INDEX "tasks_workspace_id_name_idx" ON "tasks"("workspace_id", "name");

-- CreateIndex
CREATE UNIQUE INDEX "tasks_project_id_name_key" ON "tasks"("project_id", "name");

-- CreateIndex
CREATE INDEX "logs_workspace_id_timestamp_idx" ON "logs"("workspace_id", "timestamp" DESC);

-- CreateIndex
CREATE INDEX "logs_workspace_id_status_timestamp_idx" ON "logs"("workspace_id", "status", "timestamp" DESC);

-- CreateIndex
CREATE INDEX "logs_workspace_id_project_id_task_name_timestamp_idx" ON "logs"("workspace_id", "project_id", "task_name", "timestamp" DESC);

-- CreateIndex
CREATE INDEX "logs_workspace_id_task_name_idx" ON "logs"("workspace_id", "task_name");

-- CreateIndex
CREATE INDEX "logs_workspace_id_session_id_idx" ON "logs"("workspace_id", "session_id");

-- CreateIndex
CREATE INDEX "logs_workspace_id_subject_id_idx" ON "logs"("workspace_id", "subject_id");

-- CreateIndex
CREATE INDEX "logs_workspace_id_actor_id_idx" ON "logs"("workspace_id", "actor_id");

-- CreateIndex
CREATE INDEX "logs_workspace_id_model_idx" ON "logs"("workspace_id", "model");

-- CreateIndex
CREATE INDEX "logs_workspace_id_latency_ms_idx" ON "logs"("workspace_id", "latency_ms");

-- CreateIndex
CREATE INDEX "logs_workspace_id_cost_usd_idx" ON "logs"("workspace_id", "cost_usd");

-- CreateIndex
CREATE INDEX "logs_workspace_id_human_decision_status_idx" ON "logs"("workspace_id", "human_decision", "status");

-- CreateIndex
CREATE INDEX "logs_tags_idx" ON "logs" USING GIN ("tags");

-- CreateIndex
CREATE INDEX "logs_status_eval_lease_until_idx" ON "logs"("status", "eval_lease_until");

-- CreateIndex
CREATE INDEX "rules_workspace_id_is_active_idx" ON "rules"("workspace_id", "is_active");

-- CreateIndex
CREATE INDEX "rules_project_id_idx" ON "rules"("project_id");

-- CreateIndex
CREATE INDEX "hook_subscriptions_workspace_id_idx" ON "hook_subscriptions"("workspace_id");

-- CreateIndex
CREATE INDEX "deliveries_workspace_id_log_id_idx" ON "deliveries"("workspace_id", "log_id");

-- CreateIndex
CREATE INDEX "deliveries_status_next_attempt_at_idx" ON "deliveries"("status", "next_attempt_at");

-- CreateIndex
CREATE INDEX "deliveries_hook_subscription_id_idx" ON "deliveries"("hook_subscription_id");

-- CreateIndex
CREATE INDEX "delivery_attempts_delivery_id_attempt_number_idx" ON "delivery_attempts"("delivery_id", "attempt_number");

-- CreateIndex
CREATE INDEX "delivery_attempts_workspace_id_idx" ON "delivery_attempts"("workspace_id");

-- AddForeignKey
ALTER TABLE "token_rotations" ADD CONSTRAINT "token_rotations_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "projects" ADD CONSTRAINT "projects_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "logs" ADD CONSTRAINT "logs_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "logs" ADD CONSTRAINT "logs_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "logs" ADD CONSTRAINT "logs_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rules" ADD CONSTRAINT "rules_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rules" ADD CONSTRAINT "rules_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "hook_subscriptions" ADD CONSTRAINT "hook_subscriptions_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_log_id_fkey" FOREIGN KEY ("log_id") REFERENCES "logs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_hook_subscription_id_fkey" FOREIGN KEY ("hook_subscription_id") REFERENCES "hook_subscriptions"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "delivery_attempts" ADD CONSTRAINT "delivery_attempts_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "delivery_attempts" ADD CONSTRAINT "delivery_attempts_delivery_id_fkey" FOREIGN KEY ("delivery_id") REFERENCES "deliveries"("id") ON DELETE CASCADE ON UPDATE CASCADE;
