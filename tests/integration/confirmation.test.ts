import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { minutesDocName } from '../../src/lib/docs/minutes';
import { hashPassword } from '../../src/lib/server/auth/password';
import { answer, confirmationStatus } from '../../src/lib/server/confirmation';
import { auditLog, comments, commentThreads, memberships, minutesConfirmations, users } from '../../src/lib/server/db/schema';
import { transitionMeeting } from '../../src/lib/server/meetingLifecycle';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { createCommitteeFixture, type CommitteeFixture } from '../helpers/fixtures';
import { docOf, h, p, writeMinutes } from '../helpers/minutes';

let database: TestDatabase;
let fx: CommitteeFixture;
/** A second part-time member holding a seat for the same unit as fx.people.part_time. */
let colleague: { id: string };

beforeAll(async () => {
	database = await createTestDatabase();
	fx = await createCommitteeFixture(database.db);
	const [u] = await database.db
		.insert(users)
		.values({ username: `colleague${Date.now()}`, displayName: '同单位委员', passwordHash: await hashPassword('x-password-1') })
		.returning();
	await database.db.insert(memberships).values({ committeeId: fx.committeeId, userId: u!.id, role: 'part_time', unitId: fx.unitId });
	colleague = { id: u!.id };
	await writeMinutes(database.db, fx.meetingId, docOf(h(1, '十一月例会纪要'), p('会议听取了各单位工作汇报。')));
});
afterAll(() => database?.destroy());

const db = () => database.db;
const as = (role: 'convener' | 'recorder' | 'member' | 'part_time' | 'observer' | 'outsider') => ({ id: fx.people[role].id, isAdmin: false });
const go = (transition: 'start' | 'review' | 'finalize' | 'reopen', extra: { reason?: string; override?: string } = {}) =>
	transitionMeeting(db(), { meetingId: fx.meetingId, transition, actor: as('convener'), ...extra });
const statusOf = async () => Object.fromEntries((await confirmationStatus(db(), fx.meetingId)).parties.map((x) => [`${x.kind}:${x.id}`, x]));

describe('minutes confirmations', () => {
	it('lists every member unit and every standing member without a unit seat, none answered', async () => {
		const view = await confirmationStatus(db(), fx.meetingId);
		expect(view.round).toBe(1);
		expect(view.parties.map((x) => `${x.kind}:${x.id}`).sort()).toEqual(
			[`unit:${fx.unitId}`, `member:${fx.people.convener.id}`, `member:${fx.people.recorder.id}`, `member:${fx.people.member.id}`].sort()
		);
		expect(view.summary).toEqual({ total: 4, confirmed: 0, objected: 0, pending: 4 });
		expect(view.allConfirmed).toBe(false);
	});

	it('refuses answers outside review and from people who answer for nobody', async () => {
		await expect(answer(db(), as('member'), fx.meetingId, { status: 'confirmed' })).rejects.toMatchObject({ key: 'confirmation.wrongState' });
		await go('start');
		await expect(answer(db(), as('member'), fx.meetingId, { status: 'confirmed' })).rejects.toMatchObject({ key: 'confirmation.wrongState' });
		await go('review');
		await expect(answer(db(), as('observer'), fx.meetingId, { status: 'confirmed' })).rejects.toMatchObject({ key: 'confirmation.notAllowed' });
		await expect(answer(db(), as('outsider'), fx.meetingId, { status: 'confirmed' })).rejects.toMatchObject({ key: 'confirmation.notAllowed' });
		await expect(answer(db(), as('member'), fx.meetingId, { status: 'maybe' })).rejects.toMatchObject({ key: 'confirmation.badStatus' });
	});

	it('finalize is refused until everyone confirmed, naming who has not', async () => {
		await expect(go('finalize')).rejects.toMatchObject({ key: 'lifecycle.notAllConfirmed' });
		try {
			await go('finalize');
		} catch (err) {
			const names = (err as { unconfirmed: { name: string }[] }).unconfirmed.map((x) => x.name);
			expect(names).toHaveLength(4);
		}
	});

	it('a unit answers through any of its members; the last answer counts', async () => {
		await answer(db(), as('part_time'), fx.meetingId, { status: 'confirmed' });
		expect((await statusOf())[`unit:${fx.unitId}`]!.status).toBe('confirmed');
		// The colleague from the same unit changes the unit's answer: still one row for the unit.
		await expect(answer(db(), colleague, fx.meetingId, { status: 'objected', reason: '  ' })).rejects.toMatchObject({ key: 'confirmation.reasonRequired' });
		const { threadId } = await answer(db(), colleague, fx.meetingId, { status: 'objected', reason: '第二段的时间写错了' });
		const unit = (await statusOf())[`unit:${fx.unitId}`]!;
		expect(unit).toMatchObject({ status: 'objected', reason: '第二段的时间写错了', answeredByName: '同单位委员', threadId });
		const rows = await db().select().from(minutesConfirmations).where(eq(minutesConfirmations.meetingId, fx.meetingId));
		expect(rows).toHaveLength(1);
	});

	it('an objection opens a comment thread on the minutes with the reason as its first comment', async () => {
		const unit = (await statusOf())[`unit:${fx.unitId}`]!;
		const [thread] = await db().select().from(commentThreads).where(eq(commentThreads.id, unit.threadId!));
		expect(thread).toMatchObject({ committeeId: fx.committeeId, docName: minutesDocName(fx.meetingId), anchorKind: 'text', createdBy: colleague.id });
		const body = await db().select({ body: comments.body, authorId: comments.authorId }).from(comments).where(eq(comments.threadId, unit.threadId!));
		expect(body).toEqual([{ body: '第二段的时间写错了', authorId: colleague.id }]);
		// Objecting again adds to the same thread rather than opening another.
		await answer(db(), as('part_time'), fx.meetingId, { status: 'objected', reason: '另外第三段缺少落款' });
		expect((await db().select().from(comments).where(eq(comments.threadId, unit.threadId!))).length).toBe(2);
		// Listed with the minutes' threads as an objection to the whole text, not as a passage deleted.
		const { listThreads } = await import('../../src/lib/server/comment');
		const listed = await listThreads(db(), { id: fx.people.convener.id, isAdmin: false }, minutesDocName(fx.meetingId));
		const objection = listed.threads.find((t) => t.id === unit.threadId);
		expect(objection).toMatchObject({ anchorKind: 'text', anchorId: 'objection', status: 'open' });
	});

	it('standing members answer for themselves; all confirmed lets the convener finalize without an override', async () => {
		await answer(db(), as('part_time'), fx.meetingId, { status: 'confirmed' });
		for (const role of ['convener', 'recorder'] as const) await answer(db(), as(role), fx.meetingId, { status: 'confirmed' });
		await answer(db(), as('member'), fx.meetingId, { status: 'objected', reason: '请补充出席名单' });
		let view = await confirmationStatus(db(), fx.meetingId);
		expect(view.summary).toEqual({ total: 4, confirmed: 3, objected: 1, pending: 0 });
		await expect(go('finalize')).rejects.toMatchObject({ key: 'lifecycle.notAllConfirmed', unconfirmed: [expect.objectContaining({ status: 'objected', reason: '请补充出席名单' })] });
		await answer(db(), as('member'), fx.meetingId, { status: 'confirmed' });
		view = await confirmationStatus(db(), fx.meetingId);
		expect(view.allConfirmed).toBe(true);
		await go('finalize');
		await expect(answer(db(), as('member'), fx.meetingId, { status: 'confirmed' })).rejects.toMatchObject({ key: 'confirmation.wrongState' });
		const overrides = await db().select().from(auditLog).where(and(eq(auditLog.subject, `meeting/${fx.meetingId}`), eq(auditLog.action, 'meeting.finalizeOverride')));
		expect(overrides).toHaveLength(0);
	});

	it('a reopen starts a new round; an override with a written reason finalizes and is audited with who was missing', async () => {
		await go('reopen', { reason: '补充一项决议' });
		const view = await confirmationStatus(db(), fx.meetingId);
		expect(view.round).toBe(2);
		expect(view.summary.confirmed).toBe(0);
		await answer(db(), as('member'), fx.meetingId, { status: 'confirmed' });
		await answer(db(), as('recorder'), fx.meetingId, { status: 'objected', reason: '决议表述不准确' });
		await expect(go('finalize', { override: '   ' })).rejects.toMatchObject({ key: 'lifecycle.notAllConfirmed' });
		await expect(go('finalize', { override: 'x'.repeat(501) })).rejects.toMatchObject({ key: 'lifecycle.overrideTooLong' });
		await go('finalize', { override: '已电话征求意见，同意定稿' });
		const [audit] = await db().select().from(auditLog).where(and(eq(auditLog.subject, `meeting/${fx.meetingId}`), eq(auditLog.action, 'meeting.finalizeOverride')));
		expect(audit!.actorId).toBe(fx.people.convener.id);
		const details = audit!.details as { reason: string; round: number; notAnswered: { kind: string; name: string }[]; objected: { name: string; reason: string }[] };
		expect(details.reason).toBe('已电话征求意见，同意定稿');
		expect(details.round).toBe(2);
		expect(details.notAnswered.map((x) => x.kind).sort()).toEqual(['member', 'unit']);
		expect(details.objected).toEqual([{ kind: 'member', name: expect.stringContaining('recorder'), reason: '决议表述不准确' }]);
		// Round 1's answers are kept.
		const round1 = await db().select().from(minutesConfirmations).where(and(eq(minutesConfirmations.meetingId, fx.meetingId), eq(minutesConfirmations.round, 1)));
		expect(round1).toHaveLength(4);
	});
});
