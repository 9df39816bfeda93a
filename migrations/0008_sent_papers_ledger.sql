CREATE TABLE "sent_papers" (
	"subscriber_id" uuid NOT NULL,
	"period" text NOT NULL,
	"scheduled_for" timestamp with time zone NOT NULL,
	"paper_ids" text[] NOT NULL,
	CONSTRAINT "sent_papers_subscriber_id_period_pk" PRIMARY KEY("subscriber_id","period")
);
--> statement-breakpoint
ALTER TABLE "sent_papers" ADD CONSTRAINT "sent_papers_subscriber_id_subscribers_id_fk" FOREIGN KEY ("subscriber_id") REFERENCES "public"."subscribers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "sent_papers_scheduled_for_idx" ON "sent_papers" USING brin ("scheduled_for");