-- Fences: a live document that takes no writes (finalized agenda and minutes, frozen bulletins).
-- The database is the authority, so that a freeze holds across every instance: the trigger below
-- skips (RETURN NULL) a doc_updates row for a fenced document, and the application's group commit
-- (INSERT … RETURNING) sees which of its rows were skipped and refuses those edits as frozen.
CREATE TABLE "doc_fences" (
	"doc_name" text PRIMARY KEY NOT NULL,
	"fenced_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
-- Every append takes the document's fence lock shared; a freeze takes it exclusively
-- (src/lib/server/docFence.ts) and so waits until every append in flight on any instance has
-- committed, then commits its fence. Appends that come later wait for that commit, and the
-- fence lookup — a new statement, so a new snapshot under READ COMMITTED — then sees the fence.
-- The key (731540, hashtext(doc_name)) is the two-integer form: it cannot collide with the
-- single-bigint advisory locks of compaction and migrations; two names hashing alike only wait
-- for each other. The shared lock is held until the append's transaction ends.
CREATE OR REPLACE FUNCTION gj_doc_updates_fence() RETURNS trigger AS $$
BEGIN
	PERFORM pg_advisory_xact_lock_shared(731540, hashtext(NEW.doc_name));
	IF EXISTS (SELECT 1 FROM doc_fences WHERE doc_name = NEW.doc_name) THEN
		RETURN NULL;
	END IF;
	RETURN NEW;
END;
$$ LANGUAGE plpgsql VOLATILE;--> statement-breakpoint
CREATE TRIGGER gj_doc_updates_fence BEFORE INSERT ON doc_updates FOR EACH ROW EXECUTE FUNCTION gj_doc_updates_fence();--> statement-breakpoint
-- Documents already frozen before fences existed; names built exactly as src/lib/docs/names.ts does.
INSERT INTO doc_fences (doc_name)
	SELECT 'agenda/' || id FROM meetings WHERE state = 'finalized'
	UNION SELECT 'minutes/' || id FROM meetings WHERE state = 'finalized'
	UNION SELECT 'bulletin/' || scope_id || '/' || year || '-Q' || quarter FROM bulletins WHERE state = 'frozen'
ON CONFLICT DO NOTHING;
