CREATE TABLE "bulletins" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"scope_id" uuid NOT NULL,
	"district_id" uuid NOT NULL,
	"committee_id" uuid,
	"year" integer NOT NULL,
	"quarter" integer NOT NULL,
	"state" text DEFAULT 'draft' NOT NULL,
	"figures_as_of" text NOT NULL,
	"figures_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "bulletins_quarter" CHECK ("bulletins"."quarter" between 1 and 4),
	CONSTRAINT "bulletins_state" CHECK ("bulletins"."state" in ('draft','frozen')),
	CONSTRAINT "bulletins_scope" CHECK ("bulletins"."committee_id" is null or "bulletins"."scope_id" = "bulletins"."committee_id")
);
--> statement-breakpoint
ALTER TABLE "bulletins" ADD CONSTRAINT "bulletins_district_id_districts_id_fk" FOREIGN KEY ("district_id") REFERENCES "public"."districts"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bulletins" ADD CONSTRAINT "bulletins_committee_id_committees_id_fk" FOREIGN KEY ("committee_id") REFERENCES "public"."committees"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bulletins" ADD CONSTRAINT "bulletins_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "bulletins_scope_quarter" ON "bulletins" USING btree ("scope_id","year","quarter");