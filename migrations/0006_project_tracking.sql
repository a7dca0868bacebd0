CREATE TABLE "progress_reports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"project_item_id" uuid NOT NULL,
	"unit_id" uuid NOT NULL,
	"month" text NOT NULL,
	"done" text NOT NULL,
	"progress" integer NOT NULL,
	"problems" text DEFAULT '' NOT NULL,
	"help_needed" text DEFAULT '' NOT NULL,
	"submitted_by" uuid,
	"submitted_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "progress_reports_month" CHECK ("progress_reports"."month" ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
	CONSTRAINT "progress_reports_progress" CHECK ("progress_reports"."progress" between 0 and 100)
);
--> statement-breakpoint
CREATE TABLE "project_item_claims" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"project_item_id" uuid NOT NULL,
	"unit_id" uuid NOT NULL,
	"person_name" text DEFAULT '' NOT NULL,
	"note" text DEFAULT '' NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"claimed_by" uuid,
	"claimed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	"decision_reason" text DEFAULT '' NOT NULL,
	CONSTRAINT "project_item_claims_status" CHECK ("project_item_claims"."status" in ('pending','confirmed','rejected'))
);
--> statement-breakpoint
CREATE TABLE "report_attachments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"report_id" uuid NOT NULL,
	"filename" text NOT NULL,
	"mime_type" text NOT NULL,
	"size" integer NOT NULL,
	"sha256" text NOT NULL,
	"data" "bytea" NOT NULL,
	"uploaded_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "report_attachments_mime" CHECK ("report_attachments"."mime_type" in ('image/png','image/jpeg','image/webp','application/pdf')),
	CONSTRAINT "report_attachments_size" CHECK ("report_attachments"."size" between 1 and 5242880)
);
--> statement-breakpoint
ALTER TABLE "committee_settings" ADD COLUMN "report_day" integer DEFAULT 10 NOT NULL;--> statement-breakpoint
ALTER TABLE "project_item_units" ADD COLUMN "person_name" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "project_items" ADD COLUMN "hold_reason" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "project_items" ADD COLUMN "done_on" text;--> statement-breakpoint
ALTER TABLE "progress_reports" ADD CONSTRAINT "progress_reports_project_item_id_project_items_id_fk" FOREIGN KEY ("project_item_id") REFERENCES "public"."project_items"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "progress_reports" ADD CONSTRAINT "progress_reports_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "progress_reports" ADD CONSTRAINT "progress_reports_submitted_by_users_id_fk" FOREIGN KEY ("submitted_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "progress_reports" ADD CONSTRAINT "progress_reports_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "project_item_claims" ADD CONSTRAINT "project_item_claims_project_item_id_project_items_id_fk" FOREIGN KEY ("project_item_id") REFERENCES "public"."project_items"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "project_item_claims" ADD CONSTRAINT "project_item_claims_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "project_item_claims" ADD CONSTRAINT "project_item_claims_claimed_by_users_id_fk" FOREIGN KEY ("claimed_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "project_item_claims" ADD CONSTRAINT "project_item_claims_decided_by_users_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "report_attachments" ADD CONSTRAINT "report_attachments_report_id_progress_reports_id_fk" FOREIGN KEY ("report_id") REFERENCES "public"."progress_reports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "report_attachments" ADD CONSTRAINT "report_attachments_uploaded_by_users_id_fk" FOREIGN KEY ("uploaded_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "progress_reports_item_unit_month" ON "progress_reports" USING btree ("project_item_id","unit_id","month");--> statement-breakpoint
CREATE INDEX "progress_reports_unit_month" ON "progress_reports" USING btree ("unit_id","month");--> statement-breakpoint
CREATE UNIQUE INDEX "project_item_claims_pending" ON "project_item_claims" USING btree ("project_item_id","unit_id") WHERE "project_item_claims"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "report_attachments_report" ON "report_attachments" USING btree ("report_id");--> statement-breakpoint
ALTER TABLE "committee_settings" ADD CONSTRAINT "committee_settings_report_day" CHECK ("committee_settings"."report_day" between 1 and 28);--> statement-breakpoint
-- Nothing could put an item on hold before this migration; the update only guards hand-edited databases.
UPDATE "project_items" SET "hold_reason" = '(reason not recorded)' WHERE "status" = 'on_hold' AND "hold_reason" = '';--> statement-breakpoint
ALTER TABLE "project_items" ADD CONSTRAINT "project_items_hold_reason" CHECK ("project_items"."status" <> 'on_hold' or "project_items"."hold_reason" <> '');