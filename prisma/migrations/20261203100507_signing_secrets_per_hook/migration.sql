-- AlterTable
ALTER TABLE "hook_subscriptions" ADD COLUMN     "signing_secret_encrypted" TEXT;

-- AlterTable
ALTER TABLE "workspaces" ADD COLUMN     "previous_signing_secret_encrypted" TEXT,
ADD COLUMN     "previous_signing_secret_until" TIMESTAMPTZ(3);
