ALTER TABLE "deliveries" ALTER COLUMN "paper_ids" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "deliveries" ALTER COLUMN "paper_ids" DROP NOT NULL;