-- A workspace's log retention in days (null: the deployment's default, TRACIRA_RETENTION_DAYS; unset: forever).

-- AlterTable
ALTER TABLE "workspaces" ADD COLUMN     "retention_days" INTEGER;
