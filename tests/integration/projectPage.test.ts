import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberships, units, users } from '../../src/lib/server/db/schema';
import { chinaToday } from '../../src/lib/domain/projectStatus';
import { hashPassword } from '../../src/lib/server/auth/password';
import { transitionMeeting } from '../../src/lib/server/meetingLifecycle';
import { fileReport, reportsOf } from '../../src/lib/server/progressReport';
import { claimItem, claimsOf } from '../../src/lib/server/projectClaim';
import { changeStatus, getProjectItem, projectItemsOfMeeting, type Actor, type ProjectItemView } from '../../src/lib/server/projectItem';
import { itemPermissions, itemSources, reportCalendar } from '../../src/lib/server/projectPage';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { createCommitteeFixture, type CommitteeFixture } from '../helpers/fixtures';
import { decision, docOf, h, writeMinutes } from '../helpers/minutes';

/*
 * What the item page offers to whom, and its reporting calendar. The server functions decide
 * again on every action; these tests keep the page from offering forms that are sure to fail
 * (or hiding ones that would work).
 */

let database: TestDatabase;
let fx: CommitteeFixture;
let otherContact: Actor;
let otherUnitId: string;
let itemId: string;
const as = (role: keyof CommitteeFixture['people']): Actor => ({ id: fx.people[role].id, isAdmin: role === 'admin' });
const item = async (): Promise<ProjectItemView> => (await getProjectItem(database.db, itemId))!;

beforeAll(async () => {
	database = await createTestDatabase();
	const db = database.db;
	fx = await createCommitteeFixture(db);
	const [unit] = await db.select().from(units).where(eq(units.id, fx.unitId));
	const [other] = await db.insert(units).values({ districtId: unit!.districtId, name: `认领单位${fx.unitId.slice(0, 6)}`, kind: 'school' }).returning();
	otherUnitId = other!.id;
	const [person] = await db.insert(users).values({ username: `claim${fx.unitId.slice(0, 8)}`, displayName: '认领单位联系人', passwordHash: await hashPassword('x-password-1') }).returning();
	await db.insert(memberships).values({ committeeId: fx.committeeId, userId: person!.id, role: 'part_time', unitId: otherUnitId });
	otherContact = { id: person!.id, isAdmin: false };
	await writeMinutes(db, fx.meetingId, docOf(h(1, '例会纪要'), decision('b6b6b6b6-0000-4000-8000-000000000001', '开展社区助老服务', [fx.unitId], '2030-12-31')));
	for (const transition of ['start', 'review', 'finalize'] as const) await transitionMeeting(db, { meetingId: fx.meetingId, transition, actor: as('convener'), override: '测试：跳过确认' });
	itemId = (await projectItemsOfMeeting(db, fx.meetingId))[0]!.id;
});
afterAll(() => database?.destroy());

describe('item page permissions', () => {
	it('offers the report form to the responsible unit and the managers, claims to other member units, nothing to observers', async () => {
		const db = database.db;
		const current = await item();
		const perms = async (actor: Actor) => itemPermissions(db, actor, current, await claimsOf(db, itemId));

		const unit = await perms(as('part_time'));
		expect(unit).toMatchObject({ role: 'part_time', canManage: false, canDecideClaims: false, claimUnit: null, memberUnits: [] });
		expect(unit.reportUnits.map((u) => u.id)).toEqual([fx.unitId]);

		for (const role of ['convener', 'recorder', 'admin'] as const) {
			const p = await perms(as(role));
			expect(p.canManage, role).toBe(true);
			expect(p.reportUnits.map((u) => u.id), role).toEqual([fx.unitId]);
			expect(p.memberUnits.map((u) => u.id).sort(), role).toEqual([fx.unitId, otherUnitId].sort());
		}
		expect((await perms(as('convener'))).canDecideClaims).toBe(true);
		expect((await perms(as('recorder'))).canDecideClaims).toBe(false);

		for (const role of ['observer', 'member'] as const) {
			const p = await perms(as(role));
			expect(p, role).toMatchObject({ canManage: false, reportUnits: [], claimUnit: null });
		}

		const other = await perms(otherContact);
		expect(other.claimUnit?.id).toBe(otherUnitId);
		expect(other.reportUnits).toEqual([]);
		// Once claimed, the form is not offered again while the claim waits.
		await claimItem(db, otherContact, itemId, { personName: '李' });
		expect((await itemPermissions(db, otherContact, current, await claimsOf(db, itemId))).claimUnit).toBeNull();
	});

	it('has no sources for an item decided without a board proposal', async () => {
		expect(await itemSources(database.db, itemId)).toEqual({ needs: [], resources: [] });
	});
});

describe('report calendar', () => {
	it('never asks for a month before the item, lists the months since, and flags the last closed month until reported', async () => {
		const db = database.db;
		const current = await item();
		const created = chinaToday(current.createdAt);
		const createdMonth = created.slice(0, 7);
		// Early in the item's first month the previous month's window is still open, but the item owes nothing on it.
		const early = await reportCalendar(db, current, [], `${createdMonth}-02`);
		expect(early.dueMonth).toBe(createdMonth);
		expect(early.months).toEqual([createdMonth]);
		expect(early.lastClosed).toBeNull();
		expect(early.missingUnitIds).toEqual([]);

		// Two months on, after the report day: the first month's window has closed without a report.
		const [y, m] = createdMonth.split('-').map(Number) as [number, number];
		const later = new Date(Date.UTC(y, m + 1, 15)).toISOString().slice(0, 10);
		const nextMonth = new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 7);
		const calendar = await reportCalendar(db, current, [], later);
		expect(calendar.lastClosed?.month).toBe(nextMonth);
		expect(calendar.months.slice(-1)).toEqual([createdMonth]);
		expect(calendar.months).toHaveLength(3);
		expect(calendar.missingUnitIds).toEqual([fx.unitId]);

		// A report on that month clears the flag.
		await fileReport(db, as('part_time'), itemId, createdMonth, { done: '走访了 10 户', progress: 20 }, [], created);
		const onNext = await reportsOf(db, itemId);
		const filedNext = [...onNext, { ...onNext[0]!, month: nextMonth }];
		expect((await reportCalendar(db, current, filedNext, later)).missingUnitIds).toEqual([]);

		// An item on hold expects no reports: nothing is flagged.
		await changeStatus(db, as('convener'), itemId, { status: 'on_hold', reason: '场地装修' });
		expect((await reportCalendar(db, await item(), [], later)).lastClosed).toBeNull();
	});
});
