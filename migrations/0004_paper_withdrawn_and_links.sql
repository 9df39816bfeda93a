ALTER TABLE "papers" ADD COLUMN "withdrawn_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "papers" ADD COLUMN "models" integer;--> statement-breakpoint
ALTER TABLE "papers" ADD COLUMN "datasets" integer;--> statement-breakpoint
ALTER TABLE "papers" ADD COLUMN "spaces" integer;--> statement-breakpoint
ALTER TABLE "papers" ADD COLUMN "enriched_at" timestamp with time zone;