-- Every change to a tracked item, its units, reports or claims notifies the channel
-- "project_changes" with the committee's id, so open dashboards, minutes chips and project
-- lists refresh without polling, from whichever instance made the change. PostgreSQL folds
-- identical notifications of one transaction into one.
CREATE OR REPLACE FUNCTION gj_notify_project_change() RETURNS trigger AS $$
DECLARE
	item_id uuid;
	committee uuid;
BEGIN
	IF TG_TABLE_NAME = 'project_items' THEN
		IF TG_OP = 'DELETE' THEN committee := OLD.committee_id; ELSE committee := NEW.committee_id; END IF;
	ELSE
		IF TG_OP = 'DELETE' THEN item_id := OLD.project_item_id; ELSE item_id := NEW.project_item_id; END IF;
		SELECT p.committee_id INTO committee FROM project_items p WHERE p.id = item_id;
	END IF;
	IF committee IS NOT NULL THEN
		PERFORM pg_notify('project_changes', committee::text);
	END IF;
	RETURN NULL;
END;
$$ LANGUAGE plpgsql;--> statement-breakpoint
CREATE TRIGGER gj_project_items_notify AFTER INSERT OR UPDATE OR DELETE ON project_items FOR EACH ROW EXECUTE FUNCTION gj_notify_project_change();--> statement-breakpoint
CREATE TRIGGER gj_project_item_units_notify AFTER INSERT OR UPDATE OR DELETE ON project_item_units FOR EACH ROW EXECUTE FUNCTION gj_notify_project_change();--> statement-breakpoint
CREATE TRIGGER gj_progress_reports_notify AFTER INSERT OR UPDATE OR DELETE ON progress_reports FOR EACH ROW EXECUTE FUNCTION gj_notify_project_change();--> statement-breakpoint
CREATE TRIGGER gj_project_item_claims_notify AFTER INSERT OR UPDATE OR DELETE ON project_item_claims FOR EACH ROW EXECUTE FUNCTION gj_notify_project_change();
