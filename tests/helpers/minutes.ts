import { prosemirrorJSONToYXmlFragment } from '@tiptap/y-tiptap';
import * as Y from 'yjs';
import { MINUTES_FIELD, minutesDocName, minutesSchema } from '../../src/lib/docs/minutes';
import type { DbOrTx } from '../../src/lib/server/db';
import { DocStore } from '../../src/lib/server/docStore';
import type { PmJson } from '../../src/lib/server/minutes';

/** Replaces the stored minutes of a meeting with `json`, as an editor would (one more update in the log). */
export async function writeMinutes(db: DbOrTx, meetingId: string, json: PmJson): Promise<void> {
	const store = new DocStore(db);
	const name = minutesDocName(meetingId);
	const doc = new Y.Doc();
	await store.loadInto(name, doc, null);
	const updates: Uint8Array[] = [];
	doc.on('update', (u: Uint8Array) => updates.push(u));
	const fragment = doc.getXmlFragment(MINUTES_FIELD);
	doc.transact(() => {
		fragment.delete(0, fragment.length);
		prosemirrorJSONToYXmlFragment(minutesSchema(), json, fragment);
	});
	for (const u of updates) await store.append(name, u);
	doc.destroy();
}

export const p = (text: string): PmJson => ({ type: 'paragraph', content: text ? [{ type: 'text', text }] : [] });
export const h = (level: number, text: string): PmJson => ({ type: 'heading', attrs: { level }, content: [{ type: 'text', text }] });
export const decision = (id: string | null, text: string, units: string[], dueDate: string): PmJson => ({
	type: 'decision',
	attrs: { id, units: units.join(','), dueDate },
	content: [p(text)]
});
export const docOf = (...content: PmJson[]): PmJson => ({ type: 'doc', content });
