import { yXmlFragmentToProsemirrorJSON } from '@tiptap/y-tiptap';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { MINUTES_FIELD, minutesDocName } from '../../src/lib/docs/minutes';
import { transitionMeeting } from '../../src/lib/server/meetingLifecycle';
import { plainText, type PmJson } from '../../src/lib/server/minutes';
import { startCollabServer } from '../helpers/collabServer';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { createCommitteeFixture, type CommitteeFixture } from '../helpers/fixtures';
import { decision, docOf, p, writeMinutes } from '../helpers/minutes';
import { connect, waitAcked, waitFor, waitSynced, type TestClient } from '../helpers/provider';
import { storedMinutes } from '../helpers/storage';

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

function client(token: string, name: string): TestClient {
	const c = connect(server.url, name, token);
	clients.push(c);
	return c;
}

const text = (doc: Y.Doc) => plainText(yXmlFragmentToProsemirrorJSON(doc.getXmlFragment(MINUTES_FIELD)) as PmJson);

const storedText = async (meetingId: string) => plainText(await storedMinutes(database.db, meetingId));

/** The first paragraph's text node, as y-prosemirror lays it out (XmlElement paragraph > XmlText). */
function firstParagraphText(doc: Y.Doc): Y.XmlText {
	const paragraph = doc.getXmlFragment(MINUTES_FIELD).get(0) as Y.XmlElement;
	return paragraph.get(0) as Y.XmlText;
}

describe('live minutes over real providers', () => {
	it('two clients writing in the same paragraph at once converge', async () => {
		await writeMinutes(database.db, fx.meetingId, docOf(p('会议听取了工作汇报。')));
		const name = minutesDocName(fx.meetingId);
		const a = client(fx.people.recorder.token, name);
		const b = client(fx.people.part_time.token, name);
		await Promise.all([waitSynced(a), waitSynced(b)]);
		const ta = firstParagraphText(a.doc);
		const tb = firstParagraphText(b.doc);
		for (let i = 0; i < 10; i++) {
			ta.insert(0, '甲');
			tb.insert(tb.length, '乙');
		}
		await Promise.all([waitAcked(a), waitAcked(b)]);
		await waitFor(() => text(a.doc) === text(b.doc), 'convergence');
		expect(text(a.doc)).toBe(`${'甲'.repeat(10)}会议听取了工作汇报。${'乙'.repeat(10)}`);
		expect(await storedText(fx.meetingId)).toBe(text(a.doc));
	});

	it('a finalized document refuses updates from every role, and the refused edit reaches nobody', async () => {
		const other = await createCommitteeFixture(database.db);
		await writeMinutes(database.db, other.meetingId, docOf(p('定稿前的内容。'), decision('f0000000-0000-4000-8000-000000000001', '按期完成', [other.unitId], '2027-01-01')));
		for (const t of ['start', 'review'] as const) await transitionMeeting(database.db, { meetingId: other.meetingId, transition: t, actor: { id: other.people.convener.id, isAdmin: false } });

		const name = minutesDocName(other.meetingId);
		// A writer connected before finalization still holds a read-write connection when the
		// document freezes (finalization freezes first, then reconnects everyone read-only):
		// its update is refused by the server, not merely ignored by a read-only flag.
		const early = client(other.people.recorder.token, name);
		await waitSynced(early);
		expect(early.provider.authorizedScope).toBe('read-write');
		const before = await storedText(other.meetingId);
		await server.collab.control.freeze([name]);
		firstParagraphText(early.doc).insert(0, '篡改');
		await waitFor(() => early.closes.some((c) => c.reason === 'document-frozen'), 'document-frozen refusal', 5000);
		expect(await storedText(other.meetingId)).toBe(before);
		await transitionMeeting(database.db, { meetingId: other.meetingId, transition: 'finalize', actor: { id: other.people.convener.id, isAdmin: false }, override: '测试：跳过确认' });
		expect(await storedText(other.meetingId)).toBe(before);

		// Every role connecting now gets a read-only connection; their edits are not applied.
		const watchers: TestClient[] = [];
		for (const role of ['convener', 'recorder', 'member', 'part_time', 'observer', 'admin'] as const) {
			const c = client(other.people[role].token, name);
			await waitSynced(c);
			expect(c.provider.authorizedScope, role).toBe('readonly');
			watchers.push(c);
		}
		for (const c of watchers) firstParagraphText(c.doc).insert(0, '改');
		await new Promise((r) => setTimeout(r, 400));
		const fresh = client(other.people.convener.token, name);
		await waitSynced(fresh);
		expect(text(fresh.doc)).toBe(before);
		expect(await storedText(other.meetingId)).toBe(before);
		expect(before).toContain('定稿前的内容。');
	});
});
