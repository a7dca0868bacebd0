import * as Y from 'yjs';
import { collabControl } from './collabControl';
import type { DbOrTx } from './db';
import { DocStore } from './docStore';

/**
 * Changes a live document from server code (linking a proposal into an agenda, updating a
 * card's status after finalization). Through the collaboration server when it runs in this
 * process, so connected people see the change at once; otherwise straight into the update log,
 * where the next load picks it up.
 */
export async function editDocument(db: DbOrTx, name: string, change: (doc: Y.Doc) => void): Promise<void> {
	const control = collabControl();
	if (control.edit) return control.edit(name, change);
	const store = new DocStore(db);
	const doc = new Y.Doc();
	try {
		await store.loadInto(name, doc, null);
		const updates: Uint8Array[] = [];
		doc.on('update', (u: Uint8Array) => updates.push(u));
		doc.transact(() => change(doc));
		for (const u of updates) await store.append(name, u);
	} finally {
		doc.destroy();
	}
}

/** Reads a stored document on a scratch copy (never the live one). */
export async function readDocument<T>(db: DbOrTx, name: string, read: (doc: Y.Doc) => T): Promise<T> {
	const doc = new Y.Doc();
	try {
		await new DocStore(db).loadInto(name, doc, null);
		return read(doc);
	} finally {
		doc.destroy();
	}
}
