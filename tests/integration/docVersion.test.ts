import { and, asc, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addAgendaItem, agendaDocName, agendaItems, itemText, readAgenda } from '../../src/lib/docs/agenda';
import { minutesDocName } from '../../src/lib/docs/minutes';
import { docUpdates, docVersions, users } from '../../src/lib/server/db/schema';
import {
	captureVersion,
	changesSince,
	diffVersions,
	listVersions,
	markSeen,
	minutesBlocks,
	noteAuthor,
	readState,
	restoreVersion,
	VersionError,
	versionState
} from '../../src/lib/server/docVersion';
import { DocStore } from '../../src/lib/server/docStore';
import { editDocument, readDocument } from '../../src/lib/server/liveEdit';
import { transitionMeeting } from '../../src/lib/server/meetingLifecycle';
import { readStoredMinutes } from '../../src/lib/server/minutes';
import type { TextDiff } from '../../src/lib/docs/versionDiff';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { createCommitteeFixture, type CommitteeFixture } from '../helpers/fixtures';
import { docOf, h, p, writeMinutes } from '../helpers/minutes';

let database: TestDatabase;
let fx: CommitteeFixture;

beforeAll(async () => {
	database = await createTestDatabase();
	fx = await createCommitteeFixture(database.db);
});
afterAll(() => database?.destroy());

const versionsOf = (name: string) =>
	database.db.select().from(docVersions).where(eq(docVersions.docName, name)).orderBy(asc(docVersions.id));

/** Inserted and deleted runs of a text diff, as [op, text] pairs. */
const changed = (diff: TextDiff) => diff.blocks.flatMap((b) => b.segments.filter((s) => s.op !== 'eq').map((s) => [s.op, s.text]));

async function textDiff(name: string, fromId: number, toId: number): Promise<TextDiff> {
	const diff = diffVersions('minutes', (await versionState(database.db, name, fromId))!, (await versionState(database.db, name, toId))!);
	if (diff.kind !== 'minutes') throw new Error('expected a text diff');
	return diff.text;
}

describe('document versions', () => {
	it('captures the agenda and minutes at every change of state, and skips when nothing changed', async () => {
		const minutes = minutesDocName(fx.meetingId);
		const agenda = agendaDocName(fx.meetingId);
		await editDocument(database.db, agenda, (doc) => void addAgendaItem(doc, { title: '老旧小区加装电梯' }));
		const actor = { id: fx.people.convener.id, isAdmin: false };
		await transitionMeeting(database.db, { meetingId: fx.meetingId, transition: 'start', actor });
		expect((await versionsOf(agenda)).map((v) => [v.reason, v.label])).toEqual([['state', 'in_progress']]);
		expect((await versionsOf(minutes)).map((v) => [v.reason, v.label])).toEqual([['state', 'in_progress']]);

		await writeMinutes(database.db, fx.meetingId, docOf(h(1, '十一月例会纪要'), p('会议由书记主持。')));
		await transitionMeeting(database.db, { meetingId: fx.meetingId, transition: 'review', actor });
		// The minutes changed, the agenda did not: only the minutes get a new version.
		expect((await versionsOf(minutes)).map((v) => v.label)).toEqual(['in_progress', 'review']);
		expect((await versionsOf(agenda)).map((v) => v.label)).toEqual(['in_progress']);
		const [, review] = await versionsOf(minutes);
		expect(review!.createdBy).toBe(actor.id);

		// Asking again without a change returns the latest version instead of a copy.
		const again = await captureVersion(database.db, minutes, { reason: 'manual', createdBy: actor.id });
		expect(again).toEqual({ id: review!.id, created: false });

		// A stored version holds exactly the document at that moment.
		expect(readState('minutes', review!.state)).toEqual({ kind: 'minutes', blocks: ['十一月例会纪要', '会议由书记主持。'] });
	});

	it('the diff between two versions reports exactly the text inserted and deleted — not an insertion deleted again between them', async () => {
		const name = minutesDocName(fx.meetingId);
		const from = await captureVersion(database.db, name, { reason: 'manual', label: '修改前', createdBy: fx.people.recorder.id });
		await writeMinutes(database.db, fx.meetingId, docOf(h(1, '十一月例会纪要'), p('会议由书记主持。'), p('临时插入后又删去的段落')));
		await writeMinutes(database.db, fx.meetingId, docOf(h(1, '十一月例会纪要'), p('会议由副书记主持，全体委员出席。'), p('讨论了加装电梯。')));
		const to = await captureVersion(database.db, name, { reason: 'manual', createdBy: fx.people.recorder.id });
		expect(to.created).toBe(true);
		const diff = await textDiff(name, from.id, to.id);
		expect(changed(diff)).toEqual([
			['ins', '副'],
			['ins', '，全体委员出席'],
			['ins', '讨论了加装电梯。']
		]);
		expect(diff.changes).toBe(3);
		expect(diff.blocks.map((b) => b.kind)).toEqual(['same', 'changed', 'added']);
		expect(JSON.stringify(diff)).not.toContain('临时插入');

		// Deletions the other way round.
		const back = await textDiff(name, to.id, from.id);
		expect(changed(back)).toEqual([
			['del', '副'],
			['del', '，全体委员出席'],
			['del', '讨论了加装电梯。']
		]);
	});

	it('names the people whose updates are in a version', async () => {
		const name = minutesDocName(fx.meetingId);
		const store = new DocStore(database.db);
		const doc = new Y.Doc();
		await store.loadInto(name, doc, null);
		const updates: Uint8Array[] = [];
		doc.on('update', (u: Uint8Array) => updates.push(u));
		doc.getXmlFragment('default').insert(0, [new Y.XmlText('兼职委员补充的一句')]);
		for (const u of updates) await store.append(name, u, fx.people.part_time.id);
		doc.destroy();
		// A person noted by the collaboration server whose log rows were compacted away counts too.
		noteAuthor(name, fx.people.member.id);
		await store.compact(name);
		expect(await database.db.select().from(docUpdates).where(and(eq(docUpdates.docName, name)))).toHaveLength(0);
		await writeMinutes(database.db, fx.meetingId, docOf(h(1, '十一月例会纪要'), p('会议由副书记主持，全体委员出席。'), p('讨论了加装电梯。')));
		const [row] = await database.db.insert(docUpdates).values({ docName: name, update: Y.encodeStateAsUpdate(new Y.Doc()), userId: fx.people.part_time.id }).returning();
		expect(row!.userId).toBe(fx.people.part_time.id);
		const v = await captureVersion(database.db, name, { reason: 'manual' });
		expect(v.created).toBe(true);
		const [latest] = await listVersions(database.db, name);
		const names = await database.db.select({ id: users.id, name: users.displayName }).from(users).where(inArray(users.id, [fx.people.member.id, fx.people.part_time.id]));
		expect(latest!.authors.sort()).toEqual(names.map((n) => n.name).sort());
	});

	it('remembers what each person last saw and counts the changes since', async () => {
		const name = minutesDocName(fx.meetingId);
		const reader = fx.people.part_time.id;
		expect((await changesSince(database.db, reader, name)).since).toBeNull();
		const seenId = await markSeen(database.db, reader, name);
		const unchanged = await changesSince(database.db, reader, name);
		expect(unchanged).toMatchObject({ versionId: seenId, count: 0, diff: null });
		expect(unchanged.since).toBeInstanceOf(Date);

		await writeMinutes(database.db, fx.meetingId, docOf(h(1, '十一月例会纪要'), p('会议由副书记主持，全体委员出席。'), p('讨论了加装电梯，决定下月开工。')));
		const since = await changesSince(database.db, reader, name);
		expect(since.count).toBe(1);
		expect(since.diff?.kind).toBe('minutes');
		if (since.diff?.kind === 'minutes') expect(changed(since.diff.text)).toEqual([['ins', '，决定下月开工']]);

		await markSeen(database.db, reader, name);
		expect((await changesSince(database.db, reader, name)).count).toBe(0);
		// Someone else's last visit is theirs alone.
		expect((await changesSince(database.db, fx.people.member.id, name)).since).toBeNull();
	});

	it('restore makes the document equal the old version again, as a new edit with a new version', async () => {
		const name = minutesDocName(fx.meetingId);
		const versions = await versionsOf(name);
		const target = versions.find((v) => v.label === 'review')!;
		const countBefore = versions.length;
		await expect(
			restoreVersion(database.db, { meetingId: fx.meetingId, doc: 'minutes', versionId: target.id, actor: { id: fx.people.member.id, isAdmin: false } })
		).rejects.toBeInstanceOf(VersionError);
		const restored = await restoreVersion(database.db, { meetingId: fx.meetingId, doc: 'minutes', versionId: target.id, actor: { id: fx.people.recorder.id, isAdmin: false } });
		expect(restored.created).toBe(true);
		expect(minutesBlocks(await readStoredMinutes(database.db, fx.meetingId))).toEqual(['十一月例会纪要', '会议由书记主持。']);
		const after = await versionsOf(name);
		// Earlier versions untouched; the last one is the restore, labelled with what it restored.
		expect(after.slice(0, countBefore).map((v) => v.id)).toEqual(versions.map((v) => v.id));
		expect(after[after.length - 1]).toMatchObject({ reason: 'restore', label: `#${target.id}`, createdBy: fx.people.recorder.id });
		const back = await textDiff(name, target.id, after[after.length - 1]!.id);
		expect(back.changes).toBe(0);
	});

	it('restores the agenda: items removed since come back with their ids, items added since go', async () => {
		const name = agendaDocName(fx.meetingId);
		const [first] = await versionsOf(name);
		const before = await readDocument(database.db, name, readAgenda);
		await editDocument(database.db, name, (doc) => {
			addAgendaItem(doc, { title: '新增议题' });
			const id = before[0]!.id;
			const title = itemText(agendaItems(doc).get(id)!, 'title');
			title.insert(title.length, '（修改）');
		});
		const now = await captureVersion(database.db, name, { reason: 'manual' });
		const diff = diffVersions('agenda', first!.state, (await versionState(database.db, name, now.id))!);
		expect(diff.kind === 'agenda' ? diff.items.map((c) => [c.kind, c.title, c.fields]) : []).toEqual([
			['changed', '老旧小区加装电梯（修改）', ['title']],
			['added', '新增议题', []]
		]);
		await restoreVersion(database.db, { meetingId: fx.meetingId, doc: 'agenda', versionId: first!.id, actor: { id: fx.people.convener.id, isAdmin: false } });
		expect(await readDocument(database.db, name, readAgenda)).toEqual(before);
	});

	it('refuses to restore once the minutes are finalized', async () => {
		const actor = { id: fx.people.convener.id, isAdmin: false };
		await writeMinutes(database.db, fx.meetingId, docOf(h(1, '十一月例会纪要'), p('会议由书记主持。')));
		await transitionMeeting(database.db, { meetingId: fx.meetingId, transition: 'finalize', actor, override: '测试：跳过确认' });
		const name = minutesDocName(fx.meetingId);
		const versions = await versionsOf(name);
		expect(versions[versions.length - 1]!.label).toBe('finalized');
		await expect(restoreVersion(database.db, { meetingId: fx.meetingId, doc: 'minutes', versionId: versions[0]!.id, actor })).rejects.toMatchObject({ key: 'version.finalized' });
	});
});
