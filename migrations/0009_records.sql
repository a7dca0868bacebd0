CREATE TABLE "record_counters" (
	"scope_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"year" integer NOT NULL,
	"last" integer NOT NULL,
	CONSTRAINT "record_counters_scope_id_kind_year_pk" PRIMARY KEY("scope_id","kind","year")
);
--> statement-breakpoint
CREATE TABLE "record_search" (
	"record_id" uuid PRIMARY KEY NOT NULL,
	"text" text NOT NULL,
	"terms" "tsvector" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "records" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"scope_id" uuid NOT NULL,
	"district_id" uuid NOT NULL,
	"committee_id" uuid,
	"meeting_id" uuid,
	"kind" text NOT NULL,
	"subject_id" uuid,
	"year" integer NOT NULL,
	"seq" integer NOT NULL,
	"version" integer NOT NULL,
	"body" jsonb NOT NULL,
	"sha256" text NOT NULL,
	"title" text NOT NULL,
	"finalized_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "records_kind" CHECK ("records"."kind" in ('minutes','bulletin','evaluation')),
	CONSTRAINT "records_scope" CHECK ("records"."committee_id" is null or "records"."scope_id" = "records"."committee_id"),
	CONSTRAINT "records_positive" CHECK ("records"."seq" > 0 and "records"."version" > 0)
);
--> statement-breakpoint
ALTER TABLE "record_search" ADD CONSTRAINT "record_search_record_id_records_id_fk" FOREIGN KEY ("record_id") REFERENCES "public"."records"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "records" ADD CONSTRAINT "records_district_id_districts_id_fk" FOREIGN KEY ("district_id") REFERENCES "public"."districts"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "records" ADD CONSTRAINT "records_committee_id_committees_id_fk" FOREIGN KEY ("committee_id") REFERENCES "public"."committees"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "records" ADD CONSTRAINT "records_meeting_id_meetings_id_fk" FOREIGN KEY ("meeting_id") REFERENCES "public"."meetings"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "record_search_terms" ON "record_search" USING gin ("terms");--> statement-breakpoint
CREATE UNIQUE INDEX "records_number_version" ON "records" USING btree ("scope_id","kind","year","seq","version");--> statement-breakpoint
CREATE INDEX "records_meeting" ON "records" USING btree ("meeting_id");--> statement-breakpoint
CREATE INDEX "records_subject" ON "records" USING btree ("subject_id");--> statement-breakpoint
CREATE INDEX "records_scope_year" ON "records" USING btree ("scope_id","year");--> statement-breakpoint
-- The record is append-only: no UPDATE, DELETE or TRUNCATE, whoever asks (a role without these
-- privileges would not bind the owner that runs the app). A superuser can still disable the
-- trigger; the SHA-256 in each row is what proves such a change.
CREATE OR REPLACE FUNCTION gj_refuse_record_change() RETURNS trigger AS $$
BEGIN
	RAISE EXCEPTION 'records are append-only: % on % refused', TG_OP, TG_TABLE_NAME USING ERRCODE = 'GJ001';
END;
$$ LANGUAGE plpgsql;--> statement-breakpoint
CREATE TRIGGER gj_records_append_only BEFORE UPDATE OR DELETE ON records FOR EACH ROW EXECUTE FUNCTION gj_refuse_record_change();--> statement-breakpoint
CREATE TRIGGER gj_records_no_truncate BEFORE TRUNCATE ON records FOR EACH STATEMENT EXECUTE FUNCTION gj_refuse_record_change();--> statement-breakpoint
CREATE TRIGGER gj_record_search_append_only BEFORE UPDATE OR DELETE ON record_search FOR EACH ROW EXECUTE FUNCTION gj_refuse_record_change();--> statement-breakpoint
CREATE TRIGGER gj_record_search_no_truncate BEFORE TRUNCATE ON record_search FOR EACH STATEMENT EXECUTE FUNCTION gj_refuse_record_change();
