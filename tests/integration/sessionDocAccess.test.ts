import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DocRef } from '../../src/lib/docs/names';
import { SESSION_ABSOLUTE_MS, SESSION_IDLE_MS, sessionIdOf, validateSessionToken } from '../../src/lib/server/auth/session';
import { bulletins, districts, meetings, sessions } from '../../src/lib/server/db/schema';
import { resolveDocAccess, resolveSessionDocAccess } from '../../src/lib/server/docAccess';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { createCommitteeFixture, type CommitteeFixture } from '../helpers/fixtures';

/*
 * The collaboration server's one-query lookup (resolveSessionDocAccess) must say what the two
 * lookups it replaces say (validateSessionToken, then resolveDocAccess), for every role and
 * kind of document, and leave expiry and sliding to validateSessionToken.
 */

let database: TestDatabase;
let fx: CommitteeFixture;
const refs: DocRef[] = [];
const DAY = 86_400_000;

beforeAll(async () => {
	database = await createTestDatabase();
	fx = await createCommitteeFixture(database.db);
	const db = database.db;
	const [finalized] = await db
		.insert(meetings)
		.values({ committeeId: fx.committeeId, title: '已定稿', kind: 'regular', state: 'finalized', startsAt: new Date('2026-10-01T06:00:00Z') })
		.returning();
	// The fixture's district (the only one in this database).
	const [district] = await db.select({ id: districts.id }).from(districts).limit(1);
	const districtId = district!.id;
	await db.insert(bulletins).values({ scopeId: fx.committeeId, districtId, committeeId: fx.committeeId, year: 2026, quarter: 3, state: 'frozen', figuresAsOf: '2026-09-30' });
	await db.insert(bulletins).values({ scopeId: districtId, districtId, committeeId: null, year: 2026, quarter: 3, figuresAsOf: '2026-09-30' });
	refs.push(
		{ kind: 'agenda', meetingId: fx.meetingId },
		{ kind: 'minutes', meetingId: fx.meetingId },
		{ kind: 'minutes', meetingId: finalized!.id },
		{ kind: 'agenda', meetingId: crypto.randomUUID() },
		{ kind: 'board', committeeId: fx.committeeId, year: 2026 },
		{ kind: 'board', committeeId: crypto.randomUUID(), year: 2026 },
		{ kind: 'bulletin', scopeId: fx.committeeId, year: 2026, quarter: 3 },
		{ kind: 'bulletin', scopeId: fx.committeeId, year: 2026, quarter: 4 },
		{ kind: 'bulletin', scopeId: districtId, year: 2026, quarter: 3 }
	);
});
afterAll(() => database?.destroy());

describe('resolveSessionDocAccess', () => {
	it('agrees with validateSessionToken and resolveDocAccess for every role and kind of document', async () => {
		for (const person of Object.values(fx.people)) {
			for (const ref of refs) {
				const validated = await validateSessionToken(database.db, person.token);
				const expected = { user: validated!.user, access: await resolveDocAccess(database.db, validated!.user, ref) };
				expect(await resolveSessionDocAccess(database.db, person.token, ref), `${person.username} ${JSON.stringify(ref)}`).toEqual(expected);
			}
		}
	});

	it('opens nothing with a wrong secret, an unknown session or garbage', async () => {
		const ref = refs[0]!;
		const [id] = fx.people.member.token.split('.');
		expect(await resolveSessionDocAccess(database.db, `${id}.wrongsecret`, ref)).toBeNull();
		expect(await resolveSessionDocAccess(database.db, `nosuchsession.secret`, ref)).toBeNull();
		expect(await resolveSessionDocAccess(database.db, 'garbage', ref)).toBeNull();
	});

	it('ends an expired session and slides one past half its idle window, as validateSessionToken does', async () => {
		const ref = refs[0]!;
		const token = fx.people.observer.token;
		const id = sessionIdOf(token)!;
		const [row] = await database.db.select().from(sessions).where(eq(sessions.id, id));
		const slideAt = new Date(row!.expiresAt.getTime() - SESSION_IDLE_MS / 2 + DAY);
		const slid = await resolveSessionDocAccess(database.db, token, ref, slideAt);
		expect(slid?.access).toMatchObject({ found: true, access: 'read' });
		const [after] = await database.db.select().from(sessions).where(eq(sessions.id, id));
		expect(after!.expiresAt.getTime()).toBe(Math.min(slideAt.getTime() + SESSION_IDLE_MS, row!.createdAt.getTime() + SESSION_ABSOLUTE_MS));
		expect(await resolveSessionDocAccess(database.db, token, ref, new Date(after!.expiresAt.getTime() + 1))).toBeNull();
		expect(await database.db.select().from(sessions).where(eq(sessions.id, id))).toEqual([]);
	});
});
