import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, asc, eq } from 'drizzle-orm';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { createCommitteeFixture, type CommitteeFixture } from '../helpers/fixtures';
import { attendance, auditLog, meetings, memberships, units, users } from '../../src/lib/server/db/schema';
import {
	AttendanceError,
	attendanceSummary,
	attendanceView,
	getQuorumPercent,
	listAttendance,
	markUnrecordedPresent,
	setAttendance,
	setAttendanceBulk,
	setQuorumPercent,
	type AttendanceInput
} from '../../src/lib/server/attendance';

let database: TestDatabase;

beforeAll(async () => {
	database = await createTestDatabase();
});
afterAll(async () => {
	await database?.destroy();
});

const NO_SUCH_ID = '00000000-0000-4000-8000-000000000000';

async function refusal(action: () => Promise<unknown>): Promise<string> {
	try {
		await action();
	} catch (err) {
		if (err instanceof AttendanceError) return err.key;
		throw err;
	}
	throw new Error('expected an AttendanceError');
}

/** Adds a part-time member seated for a new unit; returns the user and unit ids. */
async function addPartTimer(f: CommitteeFixture, name: string): Promise<{ userId: string; unitId: string }> {
	const db = database.db;
	const [district] = await db.select({ districtId: units.districtId }).from(units).where(eq(units.id, f.unitId));
	const [unit] = await db.insert(units).values({ districtId: district!.districtId, name: `${name}单位`, kind: 'school' }).returning();
	const [user] = await db.insert(users).values({ username: `pt${Math.random().toString(36).slice(2, 10)}`, displayName: name, passwordHash: 'unused' }).returning();
	await db.insert(memberships).values({ committeeId: f.committeeId, userId: user!.id, role: 'part_time', unitId: unit!.id });
	return { userId: user!.id, unitId: unit!.id };
}

function set(f: CommitteeFixture, input: AttendanceInput, actor: keyof CommitteeFixture['people'] = 'recorder') {
	return setAttendance(database.db, { meetingId: f.meetingId, actorId: f.people[actor].id, ...input });
}

describe('listing and recording attendance', () => {
	let f: CommitteeFixture;
	beforeAll(async () => {
		f = await createCommitteeFixture(database.db);
	});

	it('lists every member by role with nothing recorded yet', async () => {
		const entries = await listAttendance(database.db, f.meetingId);
		expect(entries.map((e) => [e.userId, e.role, e.status])).toEqual([
			[f.people.convener.id, 'convener', null],
			[f.people.recorder.id, 'recorder', null],
			[f.people.member.id, 'member', null],
			[f.people.part_time.id, 'part_time', null],
			[f.people.observer.id, 'observer', null]
		]);
		expect(entries[3]).toMatchObject({ unitId: f.unitId, reason: '', delegateId: null, delegateName: null });
		expect(entries[3]!.unitName).toMatch(/^测试医院/);
		const summary = await attendanceSummary(database.db, f.meetingId);
		expect(summary).toMatchObject({ members: 4, attending: 0, quorumPercent: 50, quorumMet: false, present: [], remote: [], absent: [], delegated: [] });
		expect(summary.notRecorded).toHaveLength(5);
		expect(summary.units).toEqual([{ unitId: f.unitId, unitName: entries[3]!.unitName, represented: false }]);
	});

	it('records each status and summarises them', async () => {
		expect(await set(f, { userId: f.people.convener.id, status: 'present' })).toBe(true);
		expect(await set(f, { userId: f.people.recorder.id, status: 'remote' })).toBe(true);
		// A reason pasted with line breaks becomes one line of the minutes' header.
		expect(await set(f, { userId: f.people.member.id, status: 'absent', reason: '  区里\n开会 ' })).toBe(true);
		expect(await set(f, { userId: f.people.part_time.id, status: 'delegated', delegateId: f.people.convener.id })).toBe(true);

		const { entries, summary } = await attendanceView(database.db, f.meetingId);
		const byId = new Map(entries.map((e) => [e.userId, e]));
		expect(byId.get(f.people.member.id)).toMatchObject({ status: 'absent', reason: '区里 开会', delegateId: null });
		const name = (role: keyof CommitteeFixture['people']) => byId.get(f.people[role].id)!.displayName;
		expect(byId.get(f.people.part_time.id)).toMatchObject({ status: 'delegated', delegateId: f.people.convener.id, delegateName: name('convener') });
		// 列席 observers are listed but are not 应到 voting members.
		expect(summary).toMatchObject({
			members: 4,
			present: [name('convener')],
			remote: [name('recorder')],
			absent: [{ name: name('member'), reason: '区里 开会' }],
			delegated: [{ name: name('part_time'), to: name('convener') }],
			notRecorded: [name('observer')],
			attending: 2,
			quorumMet: false
		});
		// The part-time member delegated: nobody attended for the unit.
		expect(summary.units.map((u) => u.represented)).toEqual([false]);
	});

	it('audits every change, and a repeat of the same record is no change', async () => {
		const trail = () => database.db.select().from(auditLog).where(and(eq(auditLog.action, 'attendance.set'), eq(auditLog.subject, `meeting/${f.meetingId}`)));
		expect(await trail()).toHaveLength(4);
		expect(await set(f, { userId: f.people.recorder.id, status: 'remote' })).toBe(false);
		expect(await trail()).toHaveLength(4);
		expect(await set(f, { userId: f.people.recorder.id, status: 'present' }, 'convener')).toBe(true);
		const rows = await trail();
		expect(rows).toHaveLength(5);
		expect(rows.find((r) => r.details.userId === f.people.recorder.id && r.details.status === 'present')).toMatchObject({
			actorId: f.people.convener.id,
			details: { previous: { status: 'remote', reason: '', delegateId: null } }
		});
		const [row] = await database.db.select().from(attendance).where(and(eq(attendance.meetingId, f.meetingId), eq(attendance.userId, f.people.recorder.id)));
		expect(row?.updatedBy).toBe(f.people.convener.id);
	});

	it('drops a reason or delegate that does not belong to the status', async () => {
		await set(f, { userId: f.people.member.id, status: 'present', reason: '出差', delegateId: f.people.convener.id });
		const entry = (await listAttendance(database.db, f.meetingId)).find((e) => e.userId === f.people.member.id);
		expect(entry).toMatchObject({ status: 'present', reason: '', delegateId: null });
	});

	it('refuses bad input with a message key', async () => {
		const member = f.people.member.id;
		expect(await refusal(() => set(f, { userId: member, status: 'late' }))).toBe('attendance.unknownStatus');
		expect(await refusal(() => set(f, { userId: member, status: '' }))).toBe('attendance.unknownStatus');
		expect(await refusal(() => set(f, { userId: member, status: 'absent' }))).toBe('attendance.reasonRequired');
		expect(await refusal(() => set(f, { userId: member, status: 'absent', reason: ' \n ' }))).toBe('attendance.reasonRequired');
		expect(await refusal(() => set(f, { userId: member, status: 'absent', reason: '病'.repeat(201) }))).toBe('attendance.reasonTooLong');
		expect(await set(f, { userId: member, status: 'absent', reason: '病'.repeat(200) })).toBe(true);
		expect(await refusal(() => set(f, { userId: f.people.outsider.id, status: 'present' }))).toBe('attendance.notMember');
		expect(await refusal(() => set(f, { userId: 'not-a-uuid', status: 'present' }))).toBe('attendance.notMember');
		expect(await refusal(() => setAttendance(database.db, { meetingId: NO_SUCH_ID, userId: member, status: 'present', actorId: null }))).toBe('attendance.meetingNotFound');
		expect(await refusal(() => setAttendance(database.db, { meetingId: 'nope', userId: member, status: 'present', actorId: null }))).toBe('attendance.meetingNotFound');
		expect(await refusal(() => listAttendance(database.db, NO_SUCH_ID))).toBe('attendance.meetingNotFound');
		try {
			await set(f, { userId: member, status: 'absent', reason: '病'.repeat(201) });
		} catch (err) {
			expect(err).toBeInstanceOf(AttendanceError);
			expect((err as AttendanceError).params).toEqual({ max: 200 });
		}
	});

	it('only delegates to another member of the committee', async () => {
		const pt = f.people.part_time.id;
		expect(await refusal(() => set(f, { userId: pt, status: 'delegated' }))).toBe('attendance.delegateRequired');
		expect(await refusal(() => set(f, { userId: pt, status: 'delegated', delegateId: '  ' }))).toBe('attendance.delegateRequired');
		expect(await refusal(() => set(f, { userId: pt, status: 'delegated', delegateId: pt }))).toBe('attendance.delegateSelf');
		expect(await refusal(() => set(f, { userId: pt, status: 'delegated', delegateId: f.people.outsider.id }))).toBe('attendance.delegateNotMember');
		expect(await refusal(() => set(f, { userId: pt, status: 'delegated', delegateId: f.people.admin.id }))).toBe('attendance.delegateNotMember');
		expect(await refusal(() => set(f, { userId: pt, status: 'delegated', delegateId: 'xyz' }))).toBe('attendance.delegateNotMember');
		expect(await set(f, { userId: pt, status: 'delegated', delegateId: f.people.member.id })).toBe(true);
	});

	it('shows current members only: a record of someone who left stays in the table, not in the list', async () => {
		const extra = await addPartTimer(f, '临时委员');
		await set(f, { userId: extra.userId, status: 'present' });
		expect((await listAttendance(database.db, f.meetingId)).some((e) => e.userId === extra.userId)).toBe(true);
		await database.db.delete(memberships).where(and(eq(memberships.committeeId, f.committeeId), eq(memberships.userId, extra.userId)));
		expect((await listAttendance(database.db, f.meetingId)).some((e) => e.userId === extra.userId)).toBe(false);
		expect((await attendanceSummary(database.db, f.meetingId)).units.some((u) => u.unitId === extra.unitId)).toBe(false);
	});
});

describe('bulk changes', () => {
	let f: CommitteeFixture;
	beforeAll(async () => {
		f = await createCommitteeFixture(database.db);
	});

	const statuses = async () => new Map((await listAttendance(database.db, f.meetingId)).map((e) => [e.userId, e.status]));

	it('is all or nothing', async () => {
		await set(f, { userId: f.people.member.id, status: 'absent', reason: '出差' });
		const before = await statuses();
		const bad: AttendanceInput[] = [
			{ userId: f.people.observer.id, status: 'present' },
			{ userId: f.people.member.id, status: 'remote' },
			{ userId: f.people.outsider.id, status: 'present' }
		];
		expect(await refusal(() => setAttendanceBulk(database.db, f.meetingId, bad, f.people.recorder.id))).toBe('attendance.notMember');
		expect(await statuses()).toEqual(before);
		const invalidLast: AttendanceInput[] = [
			{ userId: f.people.observer.id, status: 'present' },
			{ userId: f.people.convener.id, status: 'absent' }
		];
		expect(await refusal(() => setAttendanceBulk(database.db, f.meetingId, invalidLast, f.people.recorder.id))).toBe('attendance.reasonRequired');
		expect(await refusal(() => setAttendanceBulk(database.db, f.meetingId, [bad[0]!, bad[0]!], f.people.recorder.id))).toBe('attendance.duplicateEntry');
		expect(await statuses()).toEqual(before);
		const audits = await database.db.select().from(auditLog).where(and(eq(auditLog.action, 'attendance.set'), eq(auditLog.subject, `meeting/${f.meetingId}`)));
		expect(audits).toHaveLength(1);
	});

	it('writes every entry when all are valid', async () => {
		const count = await setAttendanceBulk(
			database.db,
			f.meetingId,
			[
				{ userId: f.people.observer.id, status: 'present' },
				{ userId: f.people.member.id, status: 'absent', reason: '出差' },
				{ userId: f.people.part_time.id, status: 'remote' }
			],
			f.people.recorder.id
		);
		// The member was already absent for the same reason: not a change.
		expect(count).toBe(2);
		const after = await statuses();
		expect([after.get(f.people.observer.id), after.get(f.people.member.id), after.get(f.people.part_time.id)]).toEqual(['present', 'absent', 'remote']);
		expect(await setAttendanceBulk(database.db, f.meetingId, [], f.people.recorder.id)).toBe(0);
	});

	it('never overwrites a member recorded while "mark all present" runs', async () => {
		const g = await createCommitteeFixture(database.db);
		await Promise.all([
			markUnrecordedPresent(database.db, g.meetingId, g.people.recorder.id),
			set(g, { userId: g.people.observer.id, status: 'absent', reason: '出差' }),
			markUnrecordedPresent(database.db, g.meetingId, g.people.convener.id)
		]);
		const entries = await listAttendance(database.db, g.meetingId);
		expect(entries.find((e) => e.userId === g.people.observer.id)).toMatchObject({ status: 'absent', reason: '出差' });
		expect(entries.filter((e) => e.status === 'present')).toHaveLength(4);
		// The two bulks together wrote each of the others once, never twice. (The observer may have
		// been marked present first and then absent: both orders are correct.)
		const audits = await database.db.select().from(auditLog).where(and(eq(auditLog.action, 'attendance.set'), eq(auditLog.subject, `meeting/${g.meetingId}`)));
		const others = audits.filter((a) => a.details.userId !== g.people.observer.id);
		expect(others.map((a) => a.details.userId).sort()).toEqual(entries.filter((e) => e.userId !== g.people.observer.id).map((e) => e.userId).sort());
	});

	it('marks everyone not recorded as present, leaving recorded members alone', async () => {
		expect(await markUnrecordedPresent(database.db, f.meetingId, f.people.recorder.id)).toBe(2);
		const after = await statuses();
		expect(after.get(f.people.member.id)).toBe('absent');
		expect(after.get(f.people.convener.id)).toBe('present');
		expect(after.get(f.people.recorder.id)).toBe('present');
		expect(await markUnrecordedPresent(database.db, f.meetingId, f.people.recorder.id)).toBe(0);
		const summary = await attendanceSummary(database.db, f.meetingId);
		expect(summary.notRecorded).toEqual([]);
		// The observer was marked present too, but 列席 does not count toward 实到.
		expect(summary.attending).toBe(3);
		expect(summary.quorumMet).toBe(true);
	});
});

describe('units', () => {
	it('are represented when someone seated for them attends in person or online', async () => {
		const f = await createCommitteeFixture(database.db);
		const school = await addPartTimer(f, '阿校长');
		const shop = await addPartTimer(f, '波经理');
		await set(f, { userId: f.people.part_time.id, status: 'remote' });
		await set(f, { userId: school.userId, status: 'absent', reason: '开学' });
		await set(f, { userId: shop.userId, status: 'delegated', delegateId: f.people.convener.id });
		const units = (await attendanceSummary(database.db, f.meetingId)).units;
		expect(units).toHaveLength(3);
		const represented = new Map(units.map((u) => [u.unitId, u.represented]));
		expect(represented).toEqual(
			new Map([
				[f.unitId, true],
				[school.unitId, false],
				[shop.unitId, false]
			])
		);
		await set(f, { userId: school.userId, status: 'present' });
		expect((await attendanceSummary(database.db, f.meetingId)).units.find((u) => u.unitId === school.unitId)?.represented).toBe(true);
	});

	it('lists only the units of part-time members', async () => {
		const f = await createCommitteeFixture(database.db);
		// A member with a unit who is not part-time (e.g. a seconded official) is a person, not a unit's seat.
		await database.db.update(memberships).set({ unitId: f.unitId }).where(and(eq(memberships.committeeId, f.committeeId), eq(memberships.userId, f.people.member.id)));
		await database.db.delete(memberships).where(and(eq(memberships.committeeId, f.committeeId), eq(memberships.userId, f.people.part_time.id)));
		expect((await attendanceSummary(database.db, f.meetingId)).units).toEqual([]);
	});
});

describe('quorum', () => {
	let f: CommitteeFixture;
	beforeAll(async () => {
		f = await createCommitteeFixture(database.db);
		// Six voting members (the observer does not count), so that "exactly half" exists.
		await addPartTimer(f, '六号委员');
		await addPartTimer(f, '七号委员');
	});

	async function attend(count: number): Promise<void> {
		const ids = (await listAttendance(database.db, f.meetingId)).map((e) => e.userId);
		await setAttendanceBulk(
			database.db,
			f.meetingId,
			ids.map((userId, i) => (i < count ? { userId, status: i % 2 ? 'remote' : 'present' } : { userId, status: 'absent', reason: '请假' })),
			f.people.recorder.id
		);
	}

	it('is more than half by default: exactly half is not a quorum', async () => {
		expect(await getQuorumPercent(database.db, f.committeeId)).toBe(50);
		await attend(3);
		expect(await attendanceSummary(database.db, f.meetingId)).toMatchObject({ members: 6, attending: 3, quorumPercent: 50, quorumMet: false });
		await attend(4);
		expect(await attendanceSummary(database.db, f.meetingId)).toMatchObject({ attending: 4, quorumMet: true });
	});

	it('does not count delegated members as attending', async () => {
		await attend(3);
		const absentee = (await listAttendance(database.db, f.meetingId)).find((e) => e.status === 'absent')!;
		await set(f, { userId: absentee.userId, status: 'delegated', delegateId: f.people.convener.id });
		expect(await attendanceSummary(database.db, f.meetingId)).toMatchObject({ attending: 3, quorumMet: false });
	});

	it('follows the committee setting, and audits it', async () => {
		await attend(4);
		expect(await setQuorumPercent(database.db, f.committeeId, 66, f.people.convener.id)).toBe(true);
		// 4 of 6 is 66.7 %: more than 66 %, not more than 67 %.
		expect(await attendanceSummary(database.db, f.meetingId)).toMatchObject({ quorumPercent: 66, quorumMet: true });
		expect(await setQuorumPercent(database.db, f.committeeId, 67, f.people.convener.id)).toBe(true);
		expect(await attendanceSummary(database.db, f.meetingId)).toMatchObject({ quorumPercent: 67, quorumMet: false });
		expect(await setQuorumPercent(database.db, f.committeeId, 67, f.people.convener.id)).toBe(false);
		const trail = await database.db.select().from(auditLog).where(and(eq(auditLog.action, 'committee.quorum_set'), eq(auditLog.subject, `committee/${f.committeeId}`))).orderBy(asc(auditLog.id));
		expect(trail.map((r) => r.details)).toEqual([
			{ from: 50, to: 66 },
			{ from: 66, to: 67 }
		]);
		expect(trail[0]?.actorId).toBe(f.people.convener.id);
		await setQuorumPercent(database.db, f.committeeId, 50, null);
	});

	it('refuses a share that is not a whole percent from 1 to 99', async () => {
		for (const bad of [0, 100, -5, 50.5, Number.NaN, Number.POSITIVE_INFINITY]) {
			expect(await refusal(() => setQuorumPercent(database.db, f.committeeId, bad, null)), String(bad)).toBe('attendance.quorumInvalid');
		}
		expect(await refusal(() => setQuorumPercent(database.db, NO_SUCH_ID, 60, null))).toBe('attendance.committeeNotFound');
		expect(await refusal(() => setQuorumPercent(database.db, 'nope', 60, null))).toBe('attendance.committeeNotFound');
		expect(await setQuorumPercent(database.db, f.committeeId, 1, null)).toBe(true);
		expect(await setQuorumPercent(database.db, f.committeeId, 99, null)).toBe(true);
		expect(await getQuorumPercent(database.db, f.committeeId)).toBe(99);
		await setQuorumPercent(database.db, f.committeeId, 50, null);
	});

	it('is never met by an empty committee', async () => {
		const empty = await createCommitteeFixture(database.db);
		await database.db.delete(memberships).where(eq(memberships.committeeId, empty.committeeId));
		expect(await attendanceSummary(database.db, empty.meetingId)).toMatchObject({ members: 0, attending: 0, quorumMet: false, units: [] });
	});
});

describe('finalized meetings', () => {
	it('freeze attendance: every change is refused, reading still works', async () => {
		const f = await createCommitteeFixture(database.db);
		await set(f, { userId: f.people.convener.id, status: 'present' });
		await database.db.update(meetings).set({ state: 'finalized' }).where(eq(meetings.id, f.meetingId));
		expect(await refusal(() => set(f, { userId: f.people.member.id, status: 'present' }))).toBe('attendance.frozen');
		expect(await refusal(() => set(f, { userId: f.people.convener.id, status: 'remote' }))).toBe('attendance.frozen');
		expect(await refusal(() => setAttendanceBulk(database.db, f.meetingId, [{ userId: f.people.member.id, status: 'present' }], null))).toBe('attendance.frozen');
		expect(await refusal(() => markUnrecordedPresent(database.db, f.meetingId, null))).toBe('attendance.frozen');
		const summary = await attendanceSummary(database.db, f.meetingId);
		expect(summary.present).toHaveLength(1);
		expect(summary.notRecorded).toHaveLength(4);
		// Review is not yet final: the recorder may still correct attendance then.
		await database.db.update(meetings).set({ state: 'review' }).where(eq(meetings.id, f.meetingId));
		expect(await set(f, { userId: f.people.member.id, status: 'present' })).toBe(true);
	});
});
