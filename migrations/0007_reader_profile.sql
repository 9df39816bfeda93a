CREATE TABLE "profile_clicks" (
	"subscriber_id" uuid NOT NULL,
	"paper_id" text NOT NULL,
	"paper" jsonb NOT NULL,
	"clicks" integer DEFAULT 1 NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "profile_clicks_subscriber_id_paper_id_pk" PRIMARY KEY("subscriber_id","paper_id")
);
--> statement-breakpoint
CREATE TABLE "profile_rules" (
	"subscriber_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"key" text NOT NULL,
	"value" text NOT NULL,
	"stance" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "profile_rules_subscriber_id_kind_key_pk" PRIMARY KEY("subscriber_id","kind","key")
);
--> statement-breakpoint
CREATE TABLE "profile_votes" (
	"subscriber_id" uuid NOT NULL,
	"paper_id" text NOT NULL,
	"vote" text NOT NULL,
	"paper" jsonb NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "profile_votes_subscriber_id_paper_id_pk" PRIMARY KEY("subscriber_id","paper_id")
);
--> statement-breakpoint
ALTER TABLE "profile_clicks" ADD CONSTRAINT "profile_clicks_subscriber_id_subscribers_id_fk" FOREIGN KEY ("subscriber_id") REFERENCES "public"."subscribers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "profile_rules" ADD CONSTRAINT "profile_rules_subscriber_id_subscribers_id_fk" FOREIGN KEY ("subscriber_id") REFERENCES "public"."subscribers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "profile_votes" ADD CONSTRAINT "profile_votes_subscriber_id_subscribers_id_fk" FOREIGN KEY ("subscriber_id") REFERENCES "public"."subscribers"("id") ON DELETE cascade ON UPDATE no action;