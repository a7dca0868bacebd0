CREATE TABLE "project_item_sources" (
	"project_item_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"card_id" text NOT NULL,
	CONSTRAINT "project_item_sources_project_item_id_kind_card_id_pk" PRIMARY KEY("project_item_id","kind","card_id"),
	CONSTRAINT "project_item_sources_kind" CHECK ("project_item_sources"."kind" in ('need','resource'))
);
--> statement-breakpoint
CREATE TABLE "proposals" (
	"id" text PRIMARY KEY NOT NULL,
	"committee_id" uuid NOT NULL,
	"year" integer NOT NULL,
	"title" text NOT NULL,
	"need_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"resource_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"unit_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"level" text NOT NULL,
	"due_date" text DEFAULT '' NOT NULL,
	"status" text NOT NULL,
	"meeting_id" uuid,
	"deleted_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "project_items" ADD COLUMN "proposal_id" text;--> statement-breakpoint
ALTER TABLE "project_item_sources" ADD CONSTRAINT "project_item_sources_project_item_id_project_items_id_fk" FOREIGN KEY ("project_item_id") REFERENCES "public"."project_items"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "proposals" ADD CONSTRAINT "proposals_committee_id_committees_id_fk" FOREIGN KEY ("committee_id") REFERENCES "public"."committees"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "proposals" ADD CONSTRAINT "proposals_meeting_id_meetings_id_fk" FOREIGN KEY ("meeting_id") REFERENCES "public"."meetings"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "proposals_board" ON "proposals" USING btree ("committee_id","year");--> statement-breakpoint
CREATE UNIQUE INDEX "project_items_proposal" ON "project_items" USING btree ("proposal_id");