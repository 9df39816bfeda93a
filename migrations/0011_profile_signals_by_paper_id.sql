-- Votes and clicks name their paper by id; ranking reads the paper's features
-- from papers once per send run instead of a JSON copy per vote (about 1.5 KB
-- each, parsed again for every batch). Nothing learned is lost: papers are
-- never pruned, and every voted or clicked paper was stored when the vote was.
ALTER TABLE "profile_clicks" DROP COLUMN "paper";--> statement-breakpoint
ALTER TABLE "profile_votes" DROP COLUMN "paper";
