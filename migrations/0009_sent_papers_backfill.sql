-- The no-repeat ledger starts with what deliveries already record: every sent
-- delivery inside the longest candidate window (10 days, and a day's margin).
INSERT INTO "sent_papers" ("subscriber_id", "period", "scheduled_for", "paper_ids")
SELECT "subscriber_id", "period", "scheduled_for", "paper_ids"
FROM "deliveries"
WHERE "status" = 'sent' AND "scheduled_for" > now() - interval '11 days'
ON CONFLICT DO NOTHING;
