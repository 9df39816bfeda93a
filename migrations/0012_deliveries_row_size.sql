-- Smaller deliveries rows (schema.ts, deliveries; README, Postgres size per day).
-- updated_at: NULL until the first write after planning, when it would only repeat created_at.
ALTER TABLE "deliveries" ALTER COLUMN "updated_at" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "deliveries" ALTER COLUMN "updated_at" DROP NOT NULL;--> statement-breakpoint
-- The chosen papers as one space-separated text instead of a text[].
ALTER TABLE "deliveries" ADD COLUMN "chosen_papers" text;--> statement-breakpoint
-- Deliveries that may still go out keep the papers chosen for them (a resume
-- sends the same digest; a failed one keeps them for a resend). Sent ones have
-- theirs in the ledger, sent_papers, and from now on hold none.
UPDATE "deliveries" SET "chosen_papers" = array_to_string("paper_ids", ' ')
WHERE "status" <> 'sent' AND cardinality("paper_ids") > 0;--> statement-breakpoint
ALTER TABLE "deliveries" DROP COLUMN "paper_ids";--> statement-breakpoint
-- A claim's version of a row is its planned size plus the chosen ids, and the
-- page must have room for it to stay a heap-only update. With the ids as one
-- text, and none kept once sent, 25 % of each page is enough room where 0010
-- kept 30 %. Applies to pages written from now on.
ALTER TABLE "deliveries" SET (fillfactor = 75);
