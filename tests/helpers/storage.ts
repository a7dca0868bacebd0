import { yXmlFragmentToProsemirrorJSON } from '@tiptap/y-tiptap';
import * as Y from 'yjs';
import { readAgenda } from '../../src/lib/docs/agenda';
import { MINUTES_FIELD, minutesDocName } from '../../src/lib/docs/minutes';
import type { DbOrTx } from '../../src/lib/server/db';
import { DocStore } from '../../src/lib/server/docStore';
import type { PmJson } from '../../src/lib/server/minutes';

/** A document as the database holds it (snapshot + log), loaded into a fresh Y.Doc; the caller destroys it. */
export async function storedDoc(db: DbOrTx, name: string): Promise<Y.Doc> {
	const doc = new Y.Doc();
	await new DocStore(db).loadInto(name, doc, null);
	return doc;
}

/** The titles of a stored agenda's items. */
export async function storedAgendaTitles(db: DbOrTx, name: string): Promise<string[]> {
	const doc = await storedDoc(db, name);
	try {
		return readAgenda(doc).map((i) => i.title);
	} finally {
		doc.destroy();
	}
}

/** A meeting's stored minutes as the editor's JSON. */
export async function storedMinutes(db: DbOrTx, meetingId: string): Promise<PmJson> {
	const doc = await storedDoc(db, minutesDocName(meetingId));
	try {
		return yXmlFragmentToProsemirrorJSON(doc.getXmlFragment(MINUTES_FIELD)) as PmJson;
	} finally {
		doc.destroy();
	}
}
