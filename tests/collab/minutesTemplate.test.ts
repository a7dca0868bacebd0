import { Hocuspocus } from '@hocuspocus/server';
import { yXmlFragmentToProsemirrorJSON } from '@tiptap/y-tiptap';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { editDocument } from '../../src/lib/server/liveEdit';
import { transitionMeeting } from '../../src/lib/server/meetingLifecycle';
import { MinutesTemplate } from '../../server/collab/extensions/template';
import type { CollabContext } from '../../server/collab/context';
import { addAgendaItem, agendaDocName } from '../../src/lib/docs/agenda';
import { MINUTES_FIELD, minutesDocName } from '../../src/lib/docs/minutes';
import { meetings } from '../../src/lib/server/db/schema';
import { DocStore } from '../../src/lib/server/docStore';
import { plainText, type PmJson } from '../../src/lib/server/minutes';
import { startCollabServer } from '../helpers/collabServer';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { createCommitteeFixture, type CommitteeFixture } from '../helpers/fixtures';
import { connect, waitAcked, waitFor, waitSynced, type TestClient } from '../helpers/provider';
import { storedMinutes } from '../helpers/storage';

/*
 * Assumes the composition root (server/collab/index.ts) includes
 * `new MinutesTemplate(async () => options.database.db)` among its extensions.
 */

/** Counts what the collaboration server itself appends, per document (the template is stored by layOutStoredMinutes, outside it). */
class CountingStore extends DocStore {
	readonly appended = new Map<string, number>();
	override append(docName: string, update: Uint8Array, userId: string | null = null): Promise<void> {
		this.appended.set(docName, (this.appended.get(docName) ?? 0) + 1);
		return super.append(docName, update, userId);
	}
}

let database: TestDatabase;
let store: CountingStore;
let server: Awaited<ReturnType<typeof startCollabServer>>;
let fx: CommitteeFixture;
const clients: TestClient[] = [];

function client(token: string, name: string): TestClient {
	const c = connect(server.url, name, token);
	clients.push(c);
	return c;
}

function close(c: TestClient): void {
	c.destroy();
	clients.splice(clients.indexOf(c), 1);
}

/** A fresh meeting of the fixture's committee, with a stored agenda. */
async function freshMeeting(startsAt: string, agenda: string[] = [], state: 'scheduled' | 'in_progress' = 'in_progress'): Promise<string> {
	const [row] = await database.db
		.insert(meetings)
		.values({ committeeId: fx.committeeId, title: `会议 ${startsAt}`, kind: 'regular', startsAt: new Date(startsAt), place: '社区会议室', state })
		.returning({ id: meetings.id });
	const meetingId = row!.id;
	if (agenda.length > 0) {
		const doc = new Y.Doc();
		for (const title of agenda) addAgendaItem(doc, { title });
		await new DocStore(database.db).append(agendaDocName(meetingId), Y.encodeStateAsUpdate(doc));
		doc.destroy();
	}
	return meetingId;
}

const live = (c: TestClient): PmJson => yXmlFragmentToProsemirrorJSON(c.doc.getXmlFragment(MINUTES_FIELD)) as PmJson;
const lines = (json: PmJson): string[] => (json.content ?? []).map(plainText);
const headings = (json: PmJson, level: number) => (json.content ?? []).filter((n) => n.type === 'heading' && n.attrs?.level === level).map(plainText);

/** The minutes as the database holds them (snapshot + log), independent of any live copy. */
const stored = (meetingId: string) => storedMinutes(database.db, meetingId);

function appendParagraph(c: TestClient, text: string): void {
	const paragraph = new Y.XmlElement('paragraph');
	const content = new Y.XmlText();
	content.insert(0, text);
	paragraph.insert(0, [content]);
	const fragment = c.doc.getXmlFragment(MINUTES_FIELD);
	fragment.insert(fragment.length, [paragraph]);
}

const unloaded = (name: string) => waitFor(() => !server.collab.hocuspocus.documents.has(name), `${name} to unload`);

beforeAll(async () => {
	database = await createTestDatabase();
	fx = await createCommitteeFixture(database.db);
	store = new CountingStore(database.db);
	server = await startCollabServer(database, { docStore: store });
});

afterAll(async () => {
	for (const c of clients) c.destroy();
	await server?.stop();
	await database?.destroy();
});

describe('minutes laid out from the template', () => {
	it('a writer opening empty minutes finds the skeleton, and it is stored', async () => {
		const meetingId = await freshMeeting('2026-12-10T06:30:00Z', ['传达上级会议精神', '研究需求清单']);
		const convener = client(fx.people.convener.token, minutesDocName(meetingId));
		await waitSynced(convener);
		// In the very first sync: the skeleton was in the document before the client was answered.
		const json = live(convener);
		expect(headings(json, 1)).toHaveLength(1);
		expect(headings(json, 1)[0]).toMatch(/^测试社区.+大党委2026年第\d+次工作例会纪要$/);
		expect(lines(json)).toContain('时间：2026年12月10日 14:30');
		expect(lines(json)).toContain('地点：社区会议室');
		expect(headings(json, 3)).toEqual(['一、传达上级会议精神', '二、研究需求清单']);
		expect(await stored(meetingId)).toEqual(json);
		close(convener);
	});

	it('typing into the laid-out skeleton keeps the server’s shadow in step (nothing left pending, no re-encoding per keystroke)', async () => {
		const meetingId = await freshMeeting('2026-12-11T06:30:00Z', ['研究需求清单']);
		const name = minutesDocName(meetingId);
		const recorder = client(fx.people.recorder.token, name);
		await waitSynced(recorder);
		// Keystrokes into the template's own paragraphs: each builds on the skeleton's items.
		const fragment = recorder.doc.getXmlFragment(MINUTES_FIELD);
		const target = fragment.toArray().find((n): n is Y.XmlElement => n instanceof Y.XmlElement && n.nodeName === 'paragraph' && n.length > 0)!;
		const text = target.get(0) as Y.XmlText;
		for (let i = 0; i < 300; i++) {
			text.insert(text.length, '记');
			if (i % 50 === 49) await waitAcked(recorder);
		}
		await waitAcked(recorder);
		const document = server.collab.hocuspocus.documents.get(name)!;
		expect(server.collab.persistence.shadowBehind(name, document), 'the shadow lacks the skeleton').toBe(false);
		expect(server.collab.persistence.shadowPending(name), 'keystrokes wait in the shadow for content it lacks').toBe(false);
		expect(lines(await stored(meetingId)).join('')).toContain('记'.repeat(300));
		close(recorder);
	});

	it('waits for the meeting to start: an item added to the agenda meanwhile is in the skeleton', async () => {
		const meetingId = await freshMeeting('2026-12-15T06:30:00Z', ['传达上级会议精神'], 'scheduled');
		const name = minutesDocName(meetingId);
		const recorder = client(fx.people.recorder.token, name);
		await waitSynced(recorder);
		expect(live(recorder).content ?? []).toEqual([]);
		expect(await new DocStore(database.db).logRowCount(name)).toBe(0);
		// Prepared after the minutes were first opened (a carried-over item, say).
		await editDocument(database.db, agendaDocName(meetingId), (doc) => {
			addAgendaItem(doc, { title: '研究长者食堂选址' });
		});
		// Starting reconnects everyone; the recorder, back as a writer, gets the skeleton.
		await transitionMeeting(database.db, { meetingId, transition: 'start', actor: { id: fx.people.convener.id, isAdmin: false } });
		await waitFor(() => headings(live(recorder), 3).length === 2, 'the skeleton after the start');
		expect(headings(live(recorder), 3)).toEqual(['一、传达上级会议精神', '二、研究长者食堂选址']);
		close(recorder);
	});

	it('an observer opening fresh minutes first leaves them empty; the first writer to join lays them out', async () => {
		const meetingId = await freshMeeting('2026-12-20T06:30:00Z', ['议题甲']);
		const name = minutesDocName(meetingId);
		const observer = client(fx.people.observer.token, name);
		await waitSynced(observer);
		expect(live(observer).content ?? []).toEqual([]);
		expect(await new DocStore(database.db).logRowCount(name)).toBe(0);

		const recorder = client(fx.people.recorder.token, name);
		await waitSynced(recorder);
		await waitFor(() => headings(live(recorder), 3).length > 0, 'the skeleton to reach the recorder');
		await waitFor(() => headings(live(observer), 3).length > 0, 'the skeleton to reach the observer');
		expect(headings(live(observer), 3)).toEqual(['一、议题甲']);
		expect(live(observer)).toEqual(live(recorder));
		expect(headings(await stored(meetingId), 1)).toHaveLength(1);
		// Applied to the loaded document after layOutStoredMinutes stored it: not logged a second time.
		await new Promise((r) => setTimeout(r, 300));
		expect(store.appended.get(name) ?? 0).toBe(0);
		close(observer);
		close(recorder);
	});

	it('is laid out once: edited minutes reopened are not laid out again', async () => {
		const meetingId = await freshMeeting('2026-12-25T06:30:00Z', ['议题乙']);
		const name = minutesDocName(meetingId);
		// Two writers at the same moment: Hocuspocus loads the document once.
		const a = client(fx.people.convener.token, name);
		const b = client(fx.people.member.token, name);
		await Promise.all([waitSynced(a), waitSynced(b)]);
		await waitFor(() => headings(live(b), 1).length > 0, 'the skeleton to reach b');
		expect(headings(live(a), 1)).toHaveLength(1);
		appendParagraph(a, '会议决定：按期完成。');
		await waitAcked(a);
		const edited = live(a);
		close(a);
		close(b);
		await unloaded(name);

		const again = client(fx.people.recorder.token, name);
		await waitSynced(again);
		expect(live(again)).toEqual(edited);
		expect(headings(live(again), 1)).toHaveLength(1);
		expect(lines(live(again)).at(-1)).toBe('会议决定：按期完成。');
		expect(await stored(meetingId)).toEqual(edited);
		close(again);
	});

	it('leaves minutes someone emptied empty', async () => {
		const meetingId = await freshMeeting('2026-12-28T06:30:00Z');
		const name = minutesDocName(meetingId);
		const a = client(fx.people.convener.token, name);
		await waitSynced(a);
		await waitFor(() => headings(live(a), 1).length > 0, 'the skeleton');
		const fragment = a.doc.getXmlFragment(MINUTES_FIELD);
		fragment.delete(0, fragment.length);
		await waitAcked(a);
		close(a);
		await unloaded(name);

		const b = client(fx.people.recorder.token, name);
		await waitSynced(b);
		expect(live(b).content ?? []).toEqual([]);
		close(b);
	});
});

describe('failures', () => {
	it('logs with the meeting id and still loads the document', async () => {
		const logged: string[] = [];
		const hocuspocus = new Hocuspocus<CollabContext>({
			quiet: true,
			extensions: [
				new MinutesTemplate(
					async () => {
						throw new Error('database unavailable');
					},
					{ log: (message) => logged.push(message) }
				)
			]
		});
		const meetingId = '11111111-1111-4111-8111-111111111111';
		const connection = await hocuspocus.openDirectConnection(minutesDocName(meetingId), { cookieAllowed: false, access: 'write' });
		expect(connection.document?.getXmlFragment(MINUTES_FIELD).length).toBe(0);
		expect(logged).toEqual([`could not lay out the minutes of meeting ${meetingId}`]);
		await connection.disconnect();
	});
});
