CREATE TABLE "evaluation_links" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"round_id" uuid NOT NULL,
	"serial" integer NOT NULL,
	"token_hash" "bytea" NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "evaluation_round_items" (
	"round_id" uuid NOT NULL,
	"project_item_id" uuid NOT NULL,
	"position" integer NOT NULL,
	CONSTRAINT "evaluation_round_items_round_id_project_item_id_pk" PRIMARY KEY("round_id","project_item_id")
);
--> statement-breakpoint
CREATE TABLE "evaluation_rounds" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"committee_id" uuid NOT NULL,
	"year" integer NOT NULL,
	"title" text NOT NULL,
	"criteria" jsonb NOT NULL,
	"opens_at" timestamp with time zone NOT NULL,
	"closes_at" timestamp with time zone NOT NULL,
	"state" text DEFAULT 'open' NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "evaluation_rounds_state" CHECK ("evaluation_rounds"."state" in ('open','closed')),
	CONSTRAINT "evaluation_rounds_window" CHECK ("evaluation_rounds"."closes_at" > "evaluation_rounds"."opens_at"),
	CONSTRAINT "evaluation_rounds_year" CHECK ("evaluation_rounds"."year" between 2000 and 2100)
);
--> statement-breakpoint
CREATE TABLE "evaluation_scores" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"round_id" uuid NOT NULL,
	"project_item_id" uuid NOT NULL,
	"link_id" uuid,
	"user_id" uuid,
	"scores" jsonb NOT NULL,
	"total" integer NOT NULL,
	"comment" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "evaluation_scores_by" CHECK (("evaluation_scores"."link_id" is null) <> ("evaluation_scores"."user_id" is null)),
	CONSTRAINT "evaluation_scores_total" CHECK ("evaluation_scores"."total" >= 0),
	CONSTRAINT "evaluation_scores_comment" CHECK (char_length("evaluation_scores"."comment") <= 500)
);
--> statement-breakpoint
CREATE TABLE "submission_throttle" (
	"key" text PRIMARY KEY NOT NULL,
	"hits" integer NOT NULL,
	"window_start" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "evaluation_links" ADD CONSTRAINT "evaluation_links_round_id_evaluation_rounds_id_fk" FOREIGN KEY ("round_id") REFERENCES "public"."evaluation_rounds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluation_links" ADD CONSTRAINT "evaluation_links_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluation_round_items" ADD CONSTRAINT "evaluation_round_items_round_id_evaluation_rounds_id_fk" FOREIGN KEY ("round_id") REFERENCES "public"."evaluation_rounds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluation_round_items" ADD CONSTRAINT "evaluation_round_items_project_item_id_project_items_id_fk" FOREIGN KEY ("project_item_id") REFERENCES "public"."project_items"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluation_rounds" ADD CONSTRAINT "evaluation_rounds_committee_id_committees_id_fk" FOREIGN KEY ("committee_id") REFERENCES "public"."committees"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluation_rounds" ADD CONSTRAINT "evaluation_rounds_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluation_scores" ADD CONSTRAINT "evaluation_scores_round_id_evaluation_rounds_id_fk" FOREIGN KEY ("round_id") REFERENCES "public"."evaluation_rounds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluation_scores" ADD CONSTRAINT "evaluation_scores_link_id_evaluation_links_id_fk" FOREIGN KEY ("link_id") REFERENCES "public"."evaluation_links"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluation_scores" ADD CONSTRAINT "evaluation_scores_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluation_scores" ADD CONSTRAINT "evaluation_scores_round_item_fk" FOREIGN KEY ("round_id","project_item_id") REFERENCES "public"."evaluation_round_items"("round_id","project_item_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "evaluation_links_token" ON "evaluation_links" USING btree ("token_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "evaluation_links_serial" ON "evaluation_links" USING btree ("round_id","serial");--> statement-breakpoint
CREATE INDEX "evaluation_rounds_committee" ON "evaluation_rounds" USING btree ("committee_id","year");--> statement-breakpoint
CREATE UNIQUE INDEX "evaluation_scores_link_item" ON "evaluation_scores" USING btree ("link_id","project_item_id");--> statement-breakpoint
CREATE UNIQUE INDEX "evaluation_scores_user_item" ON "evaluation_scores" USING btree ("round_id","project_item_id","user_id");--> statement-breakpoint
CREATE INDEX "evaluation_scores_round" ON "evaluation_scores" USING btree ("round_id","project_item_id");--> statement-breakpoint
CREATE INDEX "submission_throttle_window" ON "submission_throttle" USING btree ("window_start");