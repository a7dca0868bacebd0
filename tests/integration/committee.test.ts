import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { auditLog, meetings } from '../../src/lib/server/db/schema';
import { createCommunity, createStreet, createUnit, getOrCreateDistrict, type Community, type Street, type Unit } from '../../src/lib/server/organisation';
import {
	CommitteeError,
	addMember,
	changeMemberRole,
	createCommittee,
	deleteCommittee,
	getCommittee,
	listCommittees,
	listCommitteesForUser,
	listMembers,
	removeMember,
	renameCommittee,
	roleOf,
	type CommitteeSummary
} from '../../src/lib/server/committee';
import { createUser } from '../../src/lib/server/user';

let database: TestDatabase;
let street: Street;
let community: Community;
let unit: Unit;
let communityCommittee: CommitteeSummary;
let streetCommittee: CommitteeSummary;
const people: Record<string, string> = {};

beforeAll(async () => {
	database = await createTestDatabase();
	const db = database.db;
	const district = await getOrCreateDistrict(db, '青川区');
	street = await createStreet(db, { districtId: district.id, name: '临江街道' });
	community = await createCommunity(db, { streetId: street.id, name: '滨江社区' });
	unit = await createUnit(db, { districtId: district.id, name: '青川区民政局', kind: 'agency' });
	for (const [username, displayName] of [
		['wang', '王书记'],
		['li', '李记录'],
		['zhang', '张委员'],
		['zhao', '赵兼职'],
		['admin1', '管理员']
	] as const) {
		people[username] = await createUser(db, { username, displayName, password: 'long-enough-1' });
	}
});
afterAll(async () => {
	await database?.destroy();
});

async function refusal(action: () => Promise<unknown>): Promise<string> {
	try {
		await action();
	} catch (err) {
		if (err instanceof CommitteeError) return err.key;
		throw err;
	}
	throw new Error('expected a CommitteeError');
}

const id = (username: string): string => {
	const value = people[username];
	if (!value) throw new Error(`no test user ${username}`);
	return value;
};

describe('committees', () => {
	it('are created with the default names and listed with street, community and member count', async () => {
		communityCommittee = await createCommittee(database.db, { kind: 'community', communityId: community.id, actorId: id('admin1') });
		streetCommittee = await createCommittee(database.db, { kind: 'street', streetId: street.id });
		expect(communityCommittee).toMatchObject({ name: '滨江社区大党委', kind: 'community', communityName: '滨江社区', streetId: street.id, streetName: '临江街道', memberCount: 0 });
		expect(streetCommittee).toMatchObject({ name: '临江街道大工委', kind: 'street', communityId: null, streetName: '临江街道' });
		// The street's 大工委 is listed before its communities' 大党委.
		expect((await listCommittees(database.db)).map((c) => c.name)).toEqual(['临江街道大工委', '滨江社区大党委']);
	});

	it('refuses a second committee for the same community, a taken name, and missing scopes', async () => {
		expect(await refusal(() => createCommittee(database.db, { kind: 'community', communityId: community.id, name: '另一个大党委' }))).toBe('committee.alreadyExists');
		const other = await createCommunity(database.db, { streetId: street.id, name: '望江社区' });
		expect(await refusal(() => createCommittee(database.db, { kind: 'community', communityId: other.id, name: '滨江社区大党委' }))).toBe('committee.nameTaken');
		expect(await refusal(() => createCommittee(database.db, { kind: 'community', communityId: other.id, name: '  ' }))).toBe('committee.nameRequired');
		expect(await refusal(() => createCommittee(database.db, { kind: 'street', streetId: '00000000-0000-4000-8000-000000000000' }))).toBe('committee.streetNotFound');
		const renamed = await renameCommittee(database.db, streetCommittee.id, '临江街道 大工委', id('admin1'));
		expect(renamed.name).toBe('临江街道 大工委');
		expect(await refusal(() => renameCommittee(database.db, streetCommittee.id, '滨江社区大党委'))).toBe('committee.nameTaken');
		expect(await getCommittee(database.db, '00000000-0000-4000-8000-000000000000')).toBeNull();
	});
});

describe('memberships', () => {
	it('adds members in every role and lists them by role with their unit', async () => {
		const c = communityCommittee.id;
		await addMember(database.db, { committeeId: c, userId: id('wang'), role: 'convener', actorId: id('admin1') });
		await addMember(database.db, { committeeId: c, userId: id('zhao'), role: 'part_time', unitId: unit.id, actorId: id('admin1') });
		await addMember(database.db, { committeeId: c, userId: id('li'), role: 'recorder', actorId: id('admin1') });
		await addMember(database.db, { committeeId: c, userId: id('zhang'), role: 'member', actorId: id('admin1') });
		const members = await listMembers(database.db, c);
		expect(members.map((m) => [m.username, m.displayName, m.role, m.unitName])).toEqual([
			['wang', '王书记', 'convener', null],
			['li', '李记录', 'recorder', null],
			['zhang', '张委员', 'member', null],
			['zhao', '赵兼职', 'part_time', '青川区民政局']
		]);
		expect(await roleOf(database.db, id('zhao'), c)).toBe('part_time');
		expect(await roleOf(database.db, id('admin1'), c)).toBeNull();
		expect((await getCommittee(database.db, c))?.memberCount).toBe(4);

		const audits = await database.db.select().from(auditLog).where(and(eq(auditLog.action, 'membership.added'), eq(auditLog.subject, `committee/${c}`)));
		expect(audits).toHaveLength(4);
		expect(audits.find((a) => a.details.userId === id('zhao'))).toMatchObject({ actorId: id('admin1'), details: { role: 'part_time', unitId: unit.id } });
	});

	it('lists a person’s committees with the role held in each', async () => {
		await addMember(database.db, { committeeId: streetCommittee.id, userId: id('zhao'), role: 'part_time', unitId: unit.id, actorId: null });
		await addMember(database.db, { committeeId: streetCommittee.id, userId: id('li'), role: 'convener', actorId: null });
		const mine = await listCommitteesForUser(database.db, id('zhao'));
		expect(mine.map((m) => [m.kind, m.role, m.unitId])).toEqual([
			['street', 'part_time', unit.id],
			['community', 'part_time', unit.id]
		]);
		expect(await listCommitteesForUser(database.db, id('admin1'))).toEqual([]);
	});

	it('enforces the rules: part-time needs a unit, no duplicate seats, known roles and users', async () => {
		const c = communityCommittee.id;
		expect(await refusal(() => addMember(database.db, { committeeId: c, userId: id('admin1'), role: 'part_time', actorId: null }))).toBe('committee.partTimeNeedsUnit');
		expect(await refusal(() => addMember(database.db, { committeeId: c, userId: id('wang'), role: 'member', actorId: null }))).toBe('committee.alreadyMember');
		expect(await refusal(() => addMember(database.db, { committeeId: c, userId: id('admin1'), role: 'chair', actorId: null }))).toBe('committee.unknownRole');
		expect(await refusal(() => addMember(database.db, { committeeId: c, userId: '00000000-0000-4000-8000-000000000000', role: 'member', actorId: null }))).toBe(
			'committee.userNotFound'
		);
		expect(
			await refusal(() => addMember(database.db, { committeeId: c, userId: id('admin1'), role: 'observer', unitId: '00000000-0000-4000-8000-000000000000', actorId: null }))
		).toBe('committee.unitNotFound');
		expect(await refusal(() => addMember(database.db, { committeeId: '00000000-0000-4000-8000-000000000000', userId: id('admin1'), role: 'member', actorId: null }))).toBe(
			'committee.notFound'
		);
		// Changing to part-time keeps the current unit unless told otherwise; zhang has none.
		expect(await refusal(() => changeMemberRole(database.db, { committeeId: c, userId: id('zhang'), role: 'part_time', actorId: null }))).toBe('committee.partTimeNeedsUnit');
		expect(await refusal(() => changeMemberRole(database.db, { committeeId: c, userId: id('admin1'), role: 'member', actorId: null }))).toBe('committee.notMember');
	});

	it('keeps at least one convener', async () => {
		const c = communityCommittee.id;
		expect(await refusal(() => changeMemberRole(database.db, { committeeId: c, userId: id('wang'), role: 'member', actorId: null }))).toBe('committee.lastConvener');
		expect(await refusal(() => removeMember(database.db, { committeeId: c, userId: id('wang'), actorId: null }))).toBe('committee.lastConvener');

		expect(await changeMemberRole(database.db, { committeeId: c, userId: id('li'), role: 'convener', actorId: id('admin1') })).toBe(true);
		expect(await changeMemberRole(database.db, { committeeId: c, userId: id('li'), role: 'convener', actorId: id('admin1') })).toBe(false);
		expect(await changeMemberRole(database.db, { committeeId: c, userId: id('wang'), role: 'recorder', actorId: id('admin1') })).toBe(true);
		expect(await refusal(() => removeMember(database.db, { committeeId: c, userId: id('li'), actorId: null }))).toBe('committee.lastConvener');

		await removeMember(database.db, { committeeId: c, userId: id('zhang'), actorId: id('admin1') });
		expect(await roleOf(database.db, id('zhang'), c)).toBeNull();
		const trail = await database.db.select({ action: auditLog.action, details: auditLog.details }).from(auditLog).where(eq(auditLog.subject, `committee/${c}`));
		expect(trail.filter((t) => t.action === 'membership.changed').map((t) => [t.details.previousRole, t.details.role])).toEqual([
			['recorder', 'convener'],
			['convener', 'recorder']
		]);
		expect(trail.filter((t) => t.action === 'membership.removed')).toHaveLength(1);
	});

	it('never lets two concurrent demotions remove both conveners', async () => {
		const c = communityCommittee.id;
		await changeMemberRole(database.db, { committeeId: c, userId: id('wang'), role: 'convener', actorId: null });
		const results = await Promise.allSettled([
			changeMemberRole(database.db, { committeeId: c, userId: id('wang'), role: 'member', actorId: null }),
			changeMemberRole(database.db, { committeeId: c, userId: id('li'), role: 'member', actorId: null })
		]);
		expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
		const rejected = results.find((r) => r.status === 'rejected');
		expect(rejected?.status === 'rejected' && rejected.reason instanceof CommitteeError && rejected.reason.key).toBe('committee.lastConvener');
		const conveners = (await listMembers(database.db, c)).filter((m) => m.role === 'convener');
		expect(conveners).toHaveLength(1);
	});

	it('deletes a committee with its seats, but not one that has held meetings', async () => {
		const other = await createCommunity(database.db, { streetId: street.id, name: '柳岸社区' });
		const committee = await createCommittee(database.db, { kind: 'community', communityId: other.id });
		await addMember(database.db, { committeeId: committee.id, userId: id('wang'), role: 'convener', actorId: null });
		await deleteCommittee(database.db, committee.id, id('admin1'));
		expect(await getCommittee(database.db, committee.id)).toBeNull();
		expect(await roleOf(database.db, id('wang'), committee.id)).toBeNull();

		await database.db.insert(meetings).values({ committeeId: streetCommittee.id, title: '一季度大工委会议', kind: 'regular', startsAt: new Date() });
		expect(await refusal(() => deleteCommittee(database.db, streetCommittee.id))).toBe('committee.hasMeetings');
		expect(await getCommittee(database.db, streetCommittee.id)).not.toBeNull();
	});
});
