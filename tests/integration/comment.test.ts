import { and, eq } from 'drizzle-orm';
import { toBase64 } from 'lib0/buffer';
import * as Y from 'yjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addNeed } from '../../src/lib/docs/board';
import { MINUTES_FIELD, minutesDocName } from '../../src/lib/docs/minutes';
import { docName } from '../../src/lib/docs/names';
import { addAgendaItem, agendaDocName } from '../../src/lib/docs/agenda';
import { deleteComment, editComment, listThreads, openThread, reply, setResolved } from '../../src/lib/server/comment';
import { auditLog, commentMentions, committeeSettings, meetings, notifications } from '../../src/lib/server/db/schema';
import { editDocument, readDocument } from '../../src/lib/server/liveEdit';
import { readStoredMinutes } from '../../src/lib/server/minutes';
import { observersMayComment, setObserversMayComment } from '../../src/lib/server/committeeSettings';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { createCommitteeFixture, type CommitteeFixture } from '../helpers/fixtures';
import { docOf, h, p, writeMinutes } from '../helpers/minutes';

let database: TestDatabase;
let fx: CommitteeFixture;
const as = (role: keyof CommitteeFixture['people']) => ({ id: fx.people[role].id, isAdmin: role === 'admin' });
const minutes = () => minutesDocName(fx.meetingId);
const setState = (state: 'in_progress' | 'review' | 'finalized') => database.db.update(meetings).set({ state }).where(eq(meetings.id, fx.meetingId));

/** The selection [from, to) of the n-th block's text, as the editor sends it. */
async function selection(block: number, from: number, to: number): Promise<{ kind: 'text'; start: string; end: string }> {
	return readDocument(database.db, minutes(), (doc) => {
		const el = doc.getXmlFragment(MINUTES_FIELD).get(block) as Y.XmlElement;
		const text = el.get(0) as Y.XmlText;
		const pos = (i: number, assoc: number) => toBase64(Y.encodeRelativePosition(Y.createRelativePositionFromTypeIndex(text, i, assoc)));
		return { kind: 'text', start: pos(from, 0), end: pos(to, -1) };
	});
}

const notificationsOf = (userId: string) => database.db.select().from(notifications).where(eq(notifications.userId, userId));

beforeAll(async () => {
	database = await createTestDatabase();
	fx = await createCommitteeFixture(database.db);
	await setState('in_progress');
	await writeMinutes(database.db, fx.meetingId, docOf(h(1, '十一月例会纪要'), p('会议讨论了老旧小区加装电梯的问题。'), p('第二段。')));
});
afterAll(() => database?.destroy());

describe('comment threads', () => {
	let threadId = '';

	it('opens a thread on a range of the minutes: the mark is in the document and the quote kept', async () => {
		const anchor = await selection(1, 5, 13);
		const opened = await openThread(database.db, as('member'), { docName: minutes(), anchor, body: '请补充资金来源', mentions: [fx.people.recorder.id] });
		threadId = opened.threadId;
		const json = await readStoredMinutes(database.db, fx.meetingId);
		const para = json.content![1]!;
		const marked = para.content!.find((n) => n.marks?.some((m) => m.type === 'comment'));
		expect(marked?.text).toBe('老旧小区加装电梯');
		expect(marked?.marks?.[0]?.attrs).toEqual({ threadId });

		const list = await listThreads(database.db, as('recorder'), minutes());
		expect(list.threads).toHaveLength(1);
		expect(list.threads[0]).toMatchObject({ id: threadId, anchorKind: 'text', quote: '老旧小区加装电梯', status: 'open' });
		expect(list.threads[0]!.comments[0]).toMatchObject({ body: '请补充资金来源', mentions: [{ id: fx.people.recorder.id }] });
	});

	it('stores mentions and notifies the mentioned person, once', async () => {
		const rows = await database.db.select().from(commentMentions).where(eq(commentMentions.userId, fx.people.recorder.id));
		expect(rows).toHaveLength(1);
		const inbox = await notificationsOf(fx.people.recorder.id);
		expect(inbox.map((n) => [n.kind, n.link])).toEqual([['mention', `/meetings/${fx.meetingId}#thread-${threadId}`]]);
		// What the inbox writes: who, and in which meeting.
		expect(inbox[0]!.params).toMatchObject({ actor: expect.stringContaining('member'), title: '十一月例会', threadId });
	});

	it('refuses mentions of people outside the committee, and malformed ones, storing nothing', async () => {
		const anchor = await selection(2, 0, 3);
		for (const mentions of [[fx.people.outsider.id], ['not-a-uuid'], 'x']) {
			await expect(openThread(database.db, as('member'), { docName: minutes(), anchor, body: '看看', mentions })).rejects.toMatchObject({ key: 'comment.badMention' });
		}
		expect((await listThreads(database.db, as('member'), minutes())).threads).toHaveLength(1);
		expect(await notificationsOf(fx.people.outsider.id)).toHaveLength(0);
	});

	it('validates bodies and anchors', async () => {
		const anchor = await selection(2, 0, 3);
		await expect(openThread(database.db, as('member'), { docName: minutes(), anchor, body: '   ' })).rejects.toMatchObject({ key: 'comment.bodyRequired' });
		await expect(openThread(database.db, as('member'), { docName: minutes(), anchor, body: 'x'.repeat(2001) })).rejects.toMatchObject({ key: 'comment.bodyTooLong' });
		await expect(openThread(database.db, as('member'), { docName: minutes(), anchor: { kind: 'text', start: '!!', end: 'AA' }, body: 'x' })).rejects.toMatchObject({ key: 'comment.badAnchor' });
		await expect(openThread(database.db, as('member'), { docName: minutes(), anchor: { kind: 'agenda_item', id: 'a' }, body: 'x' })).rejects.toMatchObject({ key: 'comment.badAnchor' });
		const across = { kind: 'text', start: (await selection(1, 0, 1)).start, end: (await selection(2, 0, 2)).end };
		await expect(openThread(database.db, as('member'), { docName: minutes(), anchor: across, body: 'x' })).rejects.toMatchObject({ key: 'comment.oneBlock' });
		await expect(openThread(database.db, as('member'), { docName: minutes(), anchor: await selection(2, 2, 2), body: 'x' })).rejects.toMatchObject({ key: 'comment.emptySelection' });
		await expect(openThread(database.db, as('member'), { docName: 'minutes/nope', anchor, body: 'x' })).rejects.toMatchObject({ key: 'comment.badDocument' });
		expect((await listThreads(database.db, as('member'), minutes())).threads).toHaveLength(1);
	});

	it('replies notify earlier participants (not the replier, not those mentioned in the reply)', async () => {
		await reply(database.db, as('recorder'), { threadId, body: '资金由街道统筹。' });
		expect((await notificationsOf(fx.people.member.id)).map((n) => n.kind)).toEqual(['reply']);
		await reply(database.db, as('convener'), { threadId, body: '同意', mentions: [fx.people.member.id] });
		const member = (await notificationsOf(fx.people.member.id)).map((n) => n.kind).sort();
		expect(member).toEqual(['mention', 'reply']);
		expect((await notificationsOf(fx.people.recorder.id)).map((n) => n.kind).sort()).toEqual(['mention', 'reply']);
		expect(await notificationsOf(fx.people.convener.id)).toHaveLength(0);
	});

	it('edits and deletes only one’s own comments; deletion is soft', async () => {
		const [first, second] = (await listThreads(database.db, as('member'), minutes())).threads[0]!.comments;
		await expect(editComment(database.db, as('member'), { commentId: second!.id, body: '改' })).rejects.toMatchObject({ key: 'comment.notAuthor' });
		await editComment(database.db, as('member'), { commentId: first!.id, body: '请补充资金来源和工期' });
		await expect(deleteComment(database.db, as('member'), { commentId: second!.id })).rejects.toMatchObject({ key: 'comment.notAuthor' });
		await deleteComment(database.db, as('recorder'), { commentId: second!.id });
		await expect(editComment(database.db, as('recorder'), { commentId: second!.id, body: 'x' })).rejects.toMatchObject({ key: 'comment.deleted' });
		const comments = (await listThreads(database.db, as('member'), minutes())).threads[0]!.comments;
		expect(comments.map((c) => c.body)).toEqual(['请补充资金来源和工期', null, '同意']);
		expect(comments[0]!.editedAt).not.toBeNull();
	});

	it('resolves and reopens', async () => {
		await setResolved(database.db, as('part_time'), { threadId, resolved: true });
		expect((await listThreads(database.db, as('member'), minutes())).threads[0]!.status).toBe('resolved');
		await setResolved(database.db, as('member'), { threadId, resolved: false });
		expect((await listThreads(database.db, as('member'), minutes())).threads[0]!.status).toBe('open');
	});

	it('threads on agenda items that exist', async () => {
		let itemId = '';
		await editDocument(database.db, agendaDocName(fx.meetingId), (doc) => (itemId = addAgendaItem(doc, { title: '加装电梯' })));
		await expect(
			openThread(database.db, as('part_time'), { docName: agendaDocName(fx.meetingId), anchor: { kind: 'agenda_item', id: 'no-such-item' }, body: '建议增加议题说明' })
		).rejects.toMatchObject({ key: 'comment.itemGone' });
		const opened = await openThread(database.db, as('part_time'), { docName: agendaDocName(fx.meetingId), anchor: { kind: 'agenda_item', id: itemId }, body: '建议增加议题说明' });
		const list = await listThreads(database.db, as('observer'), agendaDocName(fx.meetingId));
		expect(list.canComment).toBe(false);
		expect(list.threads).toMatchObject([{ id: opened.threadId, anchorKind: 'agenda_item', anchorId: itemId, status: 'open' }]);
	});

	it('threads on board cards notify mentioned members with a link to the board', async () => {
		const board = docName({ kind: 'board', committeeId: fx.committeeId, year: 2026 });
		let cardId = '';
		await editDocument(database.db, board, (doc) => (cardId = addNeed(doc, { title: '楼道照明', submittedBy: fx.people.member.id, submittedByName: 'member' })));
		const opened = await openThread(database.db, as('member'), { docName: board, anchor: { kind: 'card', id: cardId }, body: '哪几栋楼？', mentions: [fx.people.part_time.id] });
		expect((await listThreads(database.db, as('part_time'), board)).threads).toMatchObject([{ id: opened.threadId, anchorKind: 'card', anchorId: cardId }]);
		const inbox = await notificationsOf(fx.people.part_time.id);
		expect(inbox.map((n) => n.link)).toContain(`/committees/${fx.committeeId}/board/2026#thread-${opened.threadId}`);
	});

	it('a thread whose text was deleted is listed as detached with its quote', async () => {
		await writeMinutes(database.db, fx.meetingId, docOf(h(1, '十一月例会纪要'), p('第二段。')));
		const [thread] = (await listThreads(database.db, as('member'), minutes())).threads;
		expect(thread).toMatchObject({ id: threadId, status: 'detached', quote: '老旧小区加装电梯' });
	});

	it('observers and outsiders may not comment; observers may in review when the committee allows it', async () => {
		const anchor = await selection(1, 0, 2);
		const open = (role: 'observer' | 'outsider' | 'member') => openThread(database.db, as(role), { docName: minutes(), anchor, body: '意见' });
		await expect(open('observer')).rejects.toMatchObject({ key: 'comment.forbidden' });
		await expect(open('outsider')).rejects.toMatchObject({ key: 'comment.notFound' });
		await expect(reply(database.db, as('observer'), { threadId, body: 'x' })).rejects.toMatchObject({ key: 'comment.forbidden' });
		await setState('review');
		await expect(open('observer')).rejects.toMatchObject({ key: 'comment.forbidden' });
		expect(await observersMayComment(database.db, fx.committeeId)).toBe(false);
		// The convener allows it on the committee page (audited).
		await setObserversMayComment(database.db, fx.people.convener.id, fx.committeeId, true);
		expect(await observersMayComment(database.db, fx.committeeId)).toBe(true);
		const [audit] = await database.db.select().from(auditLog).where(and(eq(auditLog.action, 'committee.observersComment'), eq(auditLog.subject, `committee/${fx.committeeId}`)));
		expect(audit?.details).toEqual({ from: false, to: true });
		await open('observer');
		// Only the minutes, only in review.
		await expect(openThread(database.db, as('observer'), { docName: agendaDocName(fx.meetingId), anchor: { kind: 'agenda_item', id: 'whatever' }, body: 'x' })).rejects.toMatchObject({ key: 'comment.forbidden' });
		// Members comment in review (their socket is read-only; the server writes the mark).
		await open('member');
		await setState('finalized');
		await expect(open('member')).rejects.toMatchObject({ key: 'comment.forbidden' });
		await expect(setResolved(database.db, as('convener'), { threadId, resolved: true })).rejects.toMatchObject({ key: 'comment.forbidden' });
		const rows = await database.db.select().from(committeeSettings).where(and(eq(committeeSettings.committeeId, fx.committeeId)));
		expect(rows[0]!.observersComment).toBe(true);
	});
});
