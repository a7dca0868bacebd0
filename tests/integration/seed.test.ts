import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { seedDemo, DEMO_PASSWORD } from '../../src/lib/server/seed';
import { committees, communities, districts, meetings, memberships, streets, units, users } from '../../src/lib/server/db/schema';
import { COMMITTEE_ROLES } from '../../src/lib/domain/roles';
import { listCommitteesForUser, listMembers, roleOf } from '../../src/lib/server/committee';
import { verifyPassword } from '../../src/lib/server/auth/password';

let database: TestDatabase;
beforeAll(async () => {
	database = await createTestDatabase();
});
afterAll(async () => {
	await database?.destroy();
});

async function count(table: typeof streets | typeof communities | typeof units | typeof committees | typeof users | typeof memberships | typeof meetings): Promise<number> {
	const [row] = await database.db.select({ n: sql<number>`count(*)`.mapWith(Number) }).from(table);
	return row?.n ?? 0;
}

describe('seedDemo', () => {
	it('seeds the fictional district quickly, in the shape of the real programme', async () => {
		const started = performance.now();
		const demo = await seedDemo(database.db);
		const elapsed = performance.now() - started;
		expect(elapsed).toBeLessThan(10_000);
		expect(demo).not.toBeNull();
		expect(demo?.password).toBe(DEMO_PASSWORD);

		expect(await count(streets)).toBe(3);
		expect(await count(communities)).toBe(10);
		expect(await count(units)).toBe(87);
		expect(await count(committees)).toBe(13);
		const [district] = await database.db.select().from(districts);
		expect(district?.name).toBe('青川区');

		const kinds = await database.db.select({ kind: committees.kind, n: sql<number>`count(*)`.mapWith(Number) }).from(committees).groupBy(committees.kind);
		expect(Object.fromEntries(kinds.map((k) => [k.kind, k.n]))).toEqual({ community: 10, street: 3 });
		const unitKinds = await database.db.select({ kind: units.kind }).from(units).groupBy(units.kind);
		expect(unitKinds.map((k) => k.kind).sort()).toEqual(['agency', 'enterprise', 'hospital', 'other', 'school']);
	});

	it('puts every role in every committee, and part-time members on behalf of a unit', async () => {
		const rows = await database.db.select({ id: committees.id }).from(committees);
		for (const { id } of rows) {
			const members = await listMembers(database.db, id);
			const roles = new Set(members.map((m) => m.role));
			for (const role of COMMITTEE_ROLES) expect(roles, `committee ${id} lacks ${role}`).toContain(role);
			for (const m of members.filter((m) => m.role === 'part_time')) expect(m.unitName).toBeTruthy();
		}
		// The 22 district units' leaders of the 大工委 plus one seat per paired unit in the 大党委.
		const partTime = await database.db.select({ n: sql<number>`count(*)`.mapWith(Number) }).from(memberships).where(eq(memberships.role, 'part_time'));
		expect(partTime[0]?.n).toBe(87 + 22);
	});

	it('gives the demo accounts the documented seats and password', async () => {
		const demo = await seedDemo(database.db);
		expect(demo).toBeNull();
		const [parttime] = await database.db.select().from(users).where(eq(users.username, 'parttime'));
		expect(parttime).toBeDefined();
		const seats = await listCommitteesForUser(database.db, parttime!.id);
		expect(seats.map((s) => [s.name, s.role, s.unitId !== null])).toEqual([
			['临江街道大工委', 'part_time', true],
			['滨江社区大党委', 'part_time', true]
		]);
		expect(await verifyPassword(parttime!.passwordHash, DEMO_PASSWORD)).toBe(true);
		const first = seats.find((s) => s.kind === 'community')!;
		for (const [username, role] of [['convener', 'convener'], ['recorder', 'recorder'], ['member', 'member'], ['observer', 'observer']] as const) {
			const [user] = await database.db.select({ id: users.id }).from(users).where(eq(users.username, username));
			expect(await roleOf(database.db, user!.id, first.id)).toBe(role);
		}
		const scheduled = await database.db.select().from(meetings).where(eq(meetings.committeeId, first.id));
		expect(scheduled).toHaveLength(2);
		const now = Date.now();
		expect(scheduled.filter((m) => m.startsAt.getTime() < now)).toHaveLength(1);
		expect(scheduled.filter((m) => m.startsAt.getTime() > now)).toHaveLength(1);
	});

	it('is a no-op the second time', async () => {
		const before = await Promise.all([count(users), count(units), count(committees), count(memberships), count(meetings)]);
		expect(await seedDemo(database.db)).toBeNull();
		expect(await Promise.all([count(users), count(units), count(committees), count(memberships), count(meetings)])).toEqual(before);
	});
});
