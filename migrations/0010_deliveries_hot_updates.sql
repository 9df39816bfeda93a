DROP INDEX "deliveries_status_idx";--> statement-breakpoint
DROP INDEX "deliveries_updated_at_idx";--> statement-breakpoint
CREATE INDEX "deliveries_scheduled_for_idx" ON "deliveries" USING btree ("scheduled_for");--> statement-breakpoint
ALTER TABLE "deliveries" DROP COLUMN "message_id";--> statement-breakpoint
-- Room in every page for a row's next version, so claims and outcomes are
-- heap-only (HOT) updates (schema.ts, deliveries). Applies to pages written from now on.
ALTER TABLE "deliveries" SET (fillfactor = 70);
