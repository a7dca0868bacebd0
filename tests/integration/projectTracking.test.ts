import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, memberships, projectItems, units, users } from '../../src/lib/server/db/schema';
import { transitionMeeting } from '../../src/lib/server/meetingLifecycle';
import { changeDueDate, changeStatus, getProjectItem, itemHistory, projectItemsOfMeeting, projectSubject, reassign, type Actor } from '../../src/lib/server/projectItem';
import { hashPassword } from '../../src/lib/server/auth/password';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { createCommitteeFixture, type CommitteeFixture } from '../helpers/fixtures';
import { decision, docOf, h, writeMinutes } from '../helpers/minutes';

let database: TestDatabase;
let fx: CommitteeFixture;
/** A second member unit of the committee, with its own part-time member (its contact). */
let otherUnitId: string;
let otherContact: Actor;
let itemId: string;
const D1 = 'a5a5a5a5-0000-4000-8000-000000000001';

const as = (role: keyof CommitteeFixture['people']): Actor => ({ id: fx.people[role].id, isAdmin: role === 'admin' });

beforeAll(async () => {
	database = await createTestDatabase();
	const db = database.db;
	fx = await createCommitteeFixture(db);
	const [unit] = await db.select().from(units).where(eq(units.id, fx.unitId));
	const [other] = await db.insert(units).values({ districtId: unit!.districtId, name: `另一单位${fx.unitId.slice(0, 6)}`, kind: 'school' }).returning();
	otherUnitId = other!.id;
	const [person] = await db
		.insert(users)
		.values({ username: `other${fx.unitId.slice(0, 8)}`, displayName: '另一单位联系人', passwordHash: await hashPassword('x-password-1') })
		.returning();
	await db.insert(memberships).values({ committeeId: fx.committeeId, userId: person!.id, role: 'part_time', unitId: otherUnitId });
	otherContact = { id: person!.id, isAdmin: false };

	// The path a real item takes: minutes with a decision, finalized by the convener.
	await writeMinutes(db, fx.meetingId, docOf(h(1, '十一月例会纪要'), decision(D1, '由测试医院牵头开展义诊进社区活动', [fx.unitId], '2026-12-31')));
	for (const transition of ['start', 'review', 'finalize'] as const) await transitionMeeting(db, { meetingId: fx.meetingId, transition, actor: as('convener') });
	const [item] = await projectItemsOfMeeting(db, fx.meetingId);
	itemId = item!.id;
});
afterAll(() => database?.destroy());

describe('status, due date and reassignment', () => {
	it('are refused to members, part-time members, observers and outsiders, and nothing is written', async () => {
		for (const role of ['member', 'part_time', 'observer', 'outsider'] as const) {
			await expect(changeStatus(database.db, as(role), itemId, { status: 'in_progress', reason: '已启动' })).rejects.toMatchObject({ key: 'project.error.notAllowed' });
			await expect(changeDueDate(database.db, as(role), itemId, { dueDate: '2027-03-31', reason: '延期' })).rejects.toMatchObject({ key: 'project.error.notAllowed' });
			await expect(reassign(database.db, as(role), itemId, { units: [{ unitId: otherUnitId, personName: '王' }], reason: '调整' })).rejects.toMatchObject({
				key: 'project.error.notAllowed'
			});
		}
		const item = await getProjectItem(database.db, itemId);
		expect(item).toMatchObject({ status: 'not_started', dueDate: '2026-12-31' });
		expect(await database.db.select().from(auditLog).where(eq(auditLog.subject, projectSubject(itemId)))).toHaveLength(0);
	});

	it('need a reason, a real date, a hold reason and member units', async () => {
		const db = database.db;
		await expect(changeStatus(db, as('convener'), itemId, { status: 'in_progress', reason: '  ' })).rejects.toMatchObject({ key: 'project.error.reasonRequired' });
		await expect(changeStatus(db, as('convener'), itemId, { status: 'on_hold', reason: '' })).rejects.toMatchObject({ key: 'project.error.holdReasonRequired' });
		await expect(changeStatus(db, as('convener'), itemId, { status: 'overdue', reason: '手动逾期' })).rejects.toMatchObject({ key: 'project.error.unknownStatus' });
		await expect(changeStatus(db, as('convener'), itemId, { status: 'not_started', reason: '无变化' })).rejects.toMatchObject({ key: 'project.error.unchanged' });
		await expect(changeDueDate(db, as('recorder'), itemId, { dueDate: '2027-02-30', reason: '延期' })).rejects.toMatchObject({ key: 'project.error.badDate' });
		await expect(changeDueDate(db, as('recorder'), itemId, { dueDate: '2027-03-31', reason: '' })).rejects.toMatchObject({ key: 'project.error.reasonRequired' });
		const stranger = '00000000-0000-4000-8000-00000000beef';
		await expect(reassign(db, as('convener'), itemId, { units: [{ unitId: stranger, personName: '' }], reason: '调整' })).rejects.toMatchObject({
			key: 'project.error.unknownUnit'
		});
		await expect(reassign(db, as('convener'), itemId, { units: [], reason: '调整' })).rejects.toMatchObject({ key: 'project.error.noUnits' });
		await expect(changeStatus(db, as('convener'), '00000000-0000-4000-8000-000000000000', { status: 'done', reason: 'x' })).rejects.toMatchObject({
			key: 'project.error.notFound'
		});
		expect(await db.select().from(auditLog).where(eq(auditLog.subject, projectSubject(itemId)))).toHaveLength(0);
	});

	it('are allowed to the convener, the recorder and an administrator, each audited with from, to and reason', async () => {
		const db = database.db;
		let item = await changeDueDate(db, as('recorder'), itemId, { dueDate: '2027-03-31', reason: '天气原因延期' });
		expect(item.dueDate).toBe('2027-03-31');
		item = await reassign(db, as('convener'), itemId, {
			units: [
				{ unitId: fx.unitId, personName: '张医生' },
				{ unitId: otherUnitId, personName: '李老师' }
			],
			reason: '学校加入'
		});
		expect(item.units.map((u) => [u.id, u.personName]).sort()).toEqual(
			[
				[fx.unitId, '张医生'],
				[otherUnitId, '李老师']
			].sort()
		);
		item = await changeStatus(db, as('admin'), itemId, { status: 'on_hold', reason: '等待场地' });
		expect(item).toMatchObject({ status: 'on_hold', displayStatus: 'on_hold', holdReason: '等待场地' });
		item = await changeStatus(db, as('convener'), itemId, { status: 'in_progress', reason: '场地已落实' });
		expect(item).toMatchObject({ status: 'in_progress', holdReason: '' });
		const rows = await db.select().from(auditLog).where(eq(auditLog.subject, projectSubject(itemId))).orderBy(auditLog.id);
		expect(rows.map((r) => [r.action, r.actorId])).toEqual([
			['project.due', fx.people.recorder.id],
			['project.reassign', fx.people.convener.id],
			['project.status', fx.people.admin.id],
			['project.status', fx.people.convener.id]
		]);
		expect(rows[0]!.details).toEqual({ from: '2026-12-31', to: '2027-03-31', reason: '天气原因延期' });
		expect(rows[2]!.details).toEqual({ from: 'not_started', to: 'on_hold', reason: '等待场地' });

		const history = await itemHistory(db, itemId);
		expect(history.map((e) => e.action)).toEqual(['project.created', 'project.due', 'project.reassign', 'project.status', 'project.status']);
		const reassigned = history[2]!;
		const [convenerUser] = await db.select().from(users).where(eq(users.id, fx.people.convener.id));
		expect(reassigned.actorName).toBe(convenerUser!.displayName);
		if (reassigned.action !== 'project.reassign') throw new Error('expected a reassignment');
		expect(reassigned.from.map((a) => a.unitId)).toEqual([fx.unitId]);
		expect(reassigned.to.find((a) => a.unitId === otherUnitId)).toMatchObject({ personName: '李老师' });
		expect(reassigned.reason).toBe('学校加入');
	});

	it('survive the minutes being reopened and finalized again when the decision itself did not change', async () => {
		const db = database.db;
		await transitionMeeting(db, { meetingId: fx.meetingId, transition: 'reopen', actor: as('convener'), reason: '修改错字' });
		await writeMinutes(db, fx.meetingId, docOf(h(1, '十一月例会纪要'), decision(D1, '由测试医院牵头开展义诊进社区活动。', [fx.unitId], '2026-12-31')));
		await transitionMeeting(db, { meetingId: fx.meetingId, transition: 'finalize', actor: as('convener') });
		const item = await getProjectItem(db, itemId);
		expect(item!.dueDate).toBe('2027-03-31');
		expect(item!.units.map((u) => u.personName).sort()).toEqual(['张医生', '李老师'].sort());
		// A changed due date in the minutes wins and is recorded in the history.
		await transitionMeeting(db, { meetingId: fx.meetingId, transition: 'reopen', actor: as('convener'), reason: '调整时限' });
		await writeMinutes(db, fx.meetingId, docOf(h(1, '十一月例会纪要'), decision(D1, '由测试医院牵头开展义诊进社区活动。', [fx.unitId], '2027-06-30')));
		await transitionMeeting(db, { meetingId: fx.meetingId, transition: 'finalize', actor: as('convener') });
		const [row] = await db.select().from(projectItems).where(eq(projectItems.id, itemId));
		expect(row!.dueDate).toBe('2027-06-30');
		const [audit] = await db
			.select()
			.from(auditLog)
			.where(and(eq(auditLog.subject, projectSubject(itemId)), eq(auditLog.action, 'project.due')))
			.orderBy(auditLog.id)
			.offset(1);
		expect(audit!.details).toMatchObject({ from: '2027-03-31', to: '2027-06-30', source: 'minutes' });
		// Units stay as reassigned: the decision's units did not change.
		expect((await getProjectItem(db, itemId))!.units).toHaveLength(2);
	});
});
