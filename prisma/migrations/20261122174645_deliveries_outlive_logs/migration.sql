-- DropForeignKey
ALTER TABLE "deliveries" DROP CONSTRAINT "deliveries_log_id_fkey";

-- AddForeignKey
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_log_id_fkey" FOREIGN KEY ("log_id") REFERENCES "logs"("id") ON DELETE SET NULL ON UPDATE CASCADE;
