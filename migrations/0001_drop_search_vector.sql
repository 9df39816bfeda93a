DROP INDEX "papers_search_idx";--> statement-breakpoint
ALTER TABLE "papers" DROP COLUMN "search";