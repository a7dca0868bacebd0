import { hashPassword } from '../../src/lib/server/auth/password';
import { createSession } from '../../src/lib/server/auth/session';
import type { Db } from '../../src/lib/server/db';
import { committees, communities, districts, meetings, memberships, streets, units, users } from '../../src/lib/server/db/schema';
import type { CommitteeRole } from '../../src/lib/domain/roles';

export const TEST_PASSWORD = 'test-password-1';

export interface Person {
	id: string;
	username: string;
	token: string;
}

export interface CommitteeFixture {
	committeeId: string;
	meetingId: string;
	unitId: string;
	people: Record<CommitteeRole | 'outsider' | 'admin', Person>;
}

let counter = 0;

/** A community committee with one person in every role, an outsider, an admin and a meeting. */
export async function createCommitteeFixture(db: Db): Promise<CommitteeFixture> {
	const n = ++counter + '_' + Math.random().toString(36).slice(2, 7);
	const passwordHash = await hashPassword(TEST_PASSWORD);
	const [district] = await db.insert(districts).values({ name: `测试区${n}` }).returning();
	const [street] = await db.insert(streets).values({ districtId: district!.id, name: `测试街道${n}` }).returning();
	const [community] = await db.insert(communities).values({ streetId: street!.id, name: `测试社区${n}` }).returning();
	const [unit] = await db.insert(units).values({ districtId: district!.id, name: `测试医院${n}`, kind: 'hospital' }).returning();
	const [committee] = await db
		.insert(committees)
		.values({ kind: 'community', name: `测试社区${n}大党委`, communityId: community!.id })
		.returning();
	const roles = ['convener', 'recorder', 'member', 'part_time', 'observer', 'outsider', 'admin'] as const;
	const people = {} as CommitteeFixture['people'];
	for (const role of roles) {
		const username = `${role.replace('_', '')}${n}`.toLowerCase().slice(0, 40);
		const [user] = await db
			.insert(users)
			.values({ username, displayName: `${role} ${n}`, passwordHash, isAdmin: role === 'admin' })
			.returning();
		if (role !== 'outsider' && role !== 'admin') {
			await db.insert(memberships).values({
				committeeId: committee!.id,
				userId: user!.id,
				role,
				unitId: role === 'part_time' ? unit!.id : null
			});
		}
		const { token } = await createSession(db, user!.id);
		people[role] = { id: user!.id, username, token };
	}
	const [meeting] = await db
		.insert(meetings)
		.values({ committeeId: committee!.id, title: '十一月例会', kind: 'regular', startsAt: new Date('2026-11-30T06:00:00Z') })
		.returning();
	return { committeeId: committee!.id, meetingId: meeting!.id, unitId: unit!.id, people };
}
