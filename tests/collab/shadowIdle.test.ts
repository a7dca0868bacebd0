import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { minutesDocName } from '../../src/lib/docs/minutes';
import { startCollabServer } from '../helpers/collabServer';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { storedDoc } from '../helpers/storage';
import { createCommitteeFixture, type CommitteeFixture } from '../helpers/fixtures';
import { connect, waitAcked, waitFor, waitSynced } from '../helpers/provider';

/*
 * The update gate's shadow doubles a loaded document's memory, so it is taken at the document's
 * first update and dropped once unused (persistence's shadowIdleMs): a document only being read
 * never holds one, and an idle one gives it back. The gate must work the same after a drop.
 */

let database: TestDatabase;
let fx: CommitteeFixture;
let server: Awaited<ReturnType<typeof startCollabServer>>;

beforeAll(async () => {
	database = await createTestDatabase();
	fx = await createCommitteeFixture(database.db);
	server = await startCollabServer(database, { shadowIdleMs: 400 });
});
afterAll(async () => {
	await server?.stop();
	await database?.destroy();
});

const paragraphText = (doc: Y.Doc) => doc.getText('idle-test');

describe('the gate shadow of an idle document', () => {
	it('is taken at the first update, dropped when unused, and taken again for the next', { timeout: 60_000 }, async () => {
		const name = minutesDocName(fx.meetingId);
		const persistence = server.collab.persistence;
		const reader = connect(server.url, name, fx.people.observer.token);
		await waitSynced(reader, 30_000);
		// Loaded and read, never written: no shadow.
		expect(persistence.shadowCount()).toBe(0);

		const writer = connect(server.url, name, fx.people.recorder.token);
		await waitSynced(writer, 30_000);
		paragraphText(writer.doc).insert(0, '第一句。');
		await waitAcked(writer);
		expect(persistence.shadowCount()).toBe(1);

		await waitFor(() => persistence.shadowCount() === 0, 'the idle shadow to be dropped', 5_000);

		// Taken again from the live document: edits are still checked, stored and delivered.
		paragraphText(writer.doc).insert(paragraphText(writer.doc).length, '第二句。');
		await waitAcked(writer);
		expect(persistence.shadowCount()).toBe(1);
		await waitFor(() => paragraphText(reader.doc).toString() === '第一句。第二句。', 'the reader to see both sentences');
		expect(persistence.shadowBehind(name, server.collab.hocuspocus.documents.get(name)!)).toBe(false);

		const stored = await storedDoc(database.db, name);
		expect(paragraphText(stored).toString()).toBe('第一句。第二句。');
		writer.destroy();
		reader.destroy();
	});
});
