import { yXmlFragmentToProsemirrorJSON } from '@tiptap/y-tiptap';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { MINUTES_FIELD, minutesDocName } from '../../src/lib/docs/minutes';
import { plainText, type PmJson } from '../../src/lib/server/minutes';
import { startCollabServer } from '../helpers/collabServer';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { createCommitteeFixture, type CommitteeFixture } from '../helpers/fixtures';
import { docOf, p, writeMinutes } from '../helpers/minutes';
import { connect, waitAcked, waitFor, waitSynced, type TestClient } from '../helpers/provider';
import { storedMinutes } from '../helpers/storage';

/*
 * Weak networks: a member keeps editing with no signal while someone else edits the same
 * paragraph; when the signal returns both edits are there, once. The browser keeps its copy
 * in IndexedDB (LiveDocument); the second case stands in for a page reloaded offline, whose
 * document starts from that stored copy rather than from the server.
 */

let database: TestDatabase;
let server: Awaited<ReturnType<typeof startCollabServer>>;
let fx: CommitteeFixture;
const clients: TestClient[] = [];

beforeAll(async () => {
	database = await createTestDatabase();
	fx = await createCommitteeFixture(database.db);
	server = await startCollabServer(database);
});
afterAll(async () => {
	for (const c of clients) c.destroy();
	await server?.stop();
	await database?.destroy();
});

function client(token: string, name: string, options: { connect?: boolean } = {}): TestClient {
	const c = connect(server.url, name, token, options);
	clients.push(c);
	return c;
}

const text = (doc: Y.Doc) => plainText(yXmlFragmentToProsemirrorJSON(doc.getXmlFragment(MINUTES_FIELD)) as PmJson);
const paragraphText = (doc: Y.Doc) => (doc.getXmlFragment(MINUTES_FIELD).get(0) as Y.XmlElement).get(0) as Y.XmlText;

const storedText = async (meetingId: string) => plainText(await storedMinutes(database.db, meetingId));

describe('editing offline', () => {
	it('a client edits offline while another edits the same paragraph; on reconnect both edits are there, once', async () => {
		await writeMinutes(database.db, fx.meetingId, docOf(p('会议听取了工作汇报。')));
		const name = minutesDocName(fx.meetingId);
		const a = client(fx.people.recorder.token, name);
		const b = client(fx.people.part_time.token, name);
		await Promise.all([waitSynced(a), waitSynced(b)]);

		// The signal goes: A's socket closes, A keeps typing.
		a.socket.disconnect();
		await waitFor(() => a.provider.isSynced === false || a.socket.status !== 'connected', 'A to be offline');
		for (let i = 0; i < 5; i++) paragraphText(a.doc).insert(0, '甲');
		paragraphText(a.doc).insert(paragraphText(a.doc).length, '（离线补充）');
		// Meanwhile B edits the same paragraph online.
		paragraphText(b.doc).insert(paragraphText(b.doc).length, '乙方意见。');
		await waitAcked(b);
		expect(await storedText(fx.meetingId)).toBe('会议听取了工作汇报。乙方意见。');

		// The signal returns.
		a.socket.connect();
		await waitSynced(a);
		await waitAcked(a);
		await waitFor(() => text(a.doc) === text(b.doc), 'convergence');
		const merged = text(a.doc);
		expect(merged.startsWith('甲甲甲甲甲会议听取了工作汇报。')).toBe(true);
		expect(merged.split('（离线补充）').length - 1).toBe(1);
		expect(merged.split('乙方意见。').length - 1).toBe(1);
		expect(merged.length).toBe('甲甲甲甲甲会议听取了工作汇报。'.length + '（离线补充）'.length + '乙方意见。'.length);
		expect(await storedText(fx.meetingId)).toBe(merged);
	});

	it('edits kept on the device reach the server from a fresh page that starts from the stored copy', async () => {
		const other = await createCommitteeFixture(database.db);
		await writeMinutes(database.db, other.meetingId, docOf(p('议题一')));
		const name = minutesDocName(other.meetingId);
		const a = client(other.people.recorder.token, name);
		await waitSynced(a);
		a.socket.disconnect();
		paragraphText(a.doc).insert(paragraphText(a.doc).length, '：离线写下的结论');
		// The tab is closed offline; what IndexedDB holds is the document's whole state.
		const kept = Y.encodeStateAsUpdate(a.doc);
		a.destroy();

		// Later, online again, the page opens from the stored copy.
		const fresh = client(other.people.recorder.token, name, { connect: false });
		Y.applyUpdate(fresh.doc, kept);
		fresh.socket.connect();
		await waitSynced(fresh);
		await waitAcked(fresh);
		expect(await storedText(other.meetingId)).toBe('议题一：离线写下的结论');
		// Opening it a second time from the same copy adds nothing twice.
		const again = client(other.people.recorder.token, name, { connect: false });
		Y.applyUpdate(again.doc, kept);
		again.socket.connect();
		await waitSynced(again);
		await waitAcked(again);
		expect(await storedText(other.meetingId)).toBe('议题一：离线写下的结论');
	});
});
