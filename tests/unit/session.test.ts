import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
	createSession,
	invalidateOtherSessions,
	invalidateSession,
	SESSION_ABSOLUTE_MS,
	SESSION_IDLE_MS,
	sessionIdOf,
	validateSessionToken
} from '../../src/lib/server/auth/session';
import { sessions } from '../../src/lib/server/db/schema';
import { createUser } from '../../src/lib/server/user';
import { createTestDatabase, type TestDatabase } from '../helpers/db';

let database: TestDatabase;
let userId: string;
const DAY = 86_400_000;

beforeAll(async () => {
	database = await createTestDatabase();
	userId = await createUser(database.db, { username: 'session.user', displayName: '会话测试', password: 'password-123' });
});
afterAll(() => database?.destroy());

describe('session tokens', () => {
	it('creates a token whose secret is never stored, and validates it', async () => {
		const now = new Date('2026-11-01T00:00:00Z');
		const { token, expiresAt } = await createSession(database.db, userId, now);
		expect(token).toMatch(/^[a-z2-7]+\.[a-z2-7]+$/);
		expect(expiresAt.getTime()).toBe(now.getTime() + SESSION_IDLE_MS);
		const [row] = await database.db.select().from(sessions).where(eq(sessions.id, sessionIdOf(token)!));
		expect(row).toBeDefined();
		expect(JSON.stringify(row)).not.toContain(token.split('.')[1]);
		const result = await validateSessionToken(database.db, token, now);
		expect(result?.user.username).toBe('session.user');
		expect(result?.session.refreshed).toBe(false);
	});

	it('refuses a wrong secret for a real id, and garbage', async () => {
		const { token } = await createSession(database.db, userId);
		const [id] = token.split('.');
		expect(await validateSessionToken(database.db, `${id}.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa`)).toBeNull();
		for (const bad of ['', '.', 'abc', `${id}.`, `.${id}`, 'a.b.c', 'x'.repeat(500)]) expect(await validateSessionToken(database.db, bad)).toBeNull();
	});

	it('slides the idle expiry once half of it is used, never past the absolute cap', async () => {
		const start = new Date('2026-11-01T00:00:00Z');
		const { token } = await createSession(database.db, userId, start);
		// Day 3: more than half the idle window left, nothing moves.
		let r = await validateSessionToken(database.db, token, new Date(start.getTime() + 3 * DAY));
		expect(r?.session.refreshed).toBe(false);
		// Day 8: slides to day 22.
		r = await validateSessionToken(database.db, token, new Date(start.getTime() + 8 * DAY));
		expect(r?.session.refreshed).toBe(true);
		expect(r?.session.expiresAt.getTime()).toBe(start.getTime() + 22 * DAY);
		// Day 20: would slide to day 34, capped at day 30.
		r = await validateSessionToken(database.db, token, new Date(start.getTime() + 20 * DAY));
		expect(r?.session.expiresAt.getTime()).toBe(start.getTime() + SESSION_ABSOLUTE_MS);
		// Day 30: expired and deleted, however active the user was.
		expect(await validateSessionToken(database.db, token, new Date(start.getTime() + 30 * DAY))).toBeNull();
		expect(await database.db.select().from(sessions).where(eq(sessions.id, sessionIdOf(token)!))).toHaveLength(0);
	});

	it('refuses a session past the absolute cap even when its row says it has not expired', async () => {
		const start = new Date('2026-11-01T00:00:00Z');
		const { token } = await createSession(database.db, userId, start);
		await database.db.update(sessions).set({ expiresAt: new Date(start.getTime() + 40 * DAY) }).where(eq(sessions.id, sessionIdOf(token)!));
		expect(await validateSessionToken(database.db, token, new Date(start.getTime() + SESSION_ABSOLUTE_MS - 1))).not.toBeNull();
		expect(await validateSessionToken(database.db, token, new Date(start.getTime() + SESSION_ABSOLUTE_MS))).toBeNull();
	});

	it('expires after the idle window without use', async () => {
		const start = new Date('2026-11-01T00:00:00Z');
		const { token } = await createSession(database.db, userId, start);
		expect(await validateSessionToken(database.db, token, new Date(start.getTime() + SESSION_IDLE_MS + 1))).toBeNull();
	});

	it('revokes one session, or all but one', async () => {
		const a = await createSession(database.db, userId);
		const b = await createSession(database.db, userId);
		const c = await createSession(database.db, userId);
		await invalidateSession(database.db, sessionIdOf(a.token)!);
		expect(await validateSessionToken(database.db, a.token)).toBeNull();
		await invalidateOtherSessions(database.db, userId, sessionIdOf(b.token));
		expect(await validateSessionToken(database.db, b.token)).not.toBeNull();
		expect(await validateSessionToken(database.db, c.token)).toBeNull();
	});

	it('gives a fresh token on every sign-in', async () => {
		const a = await createSession(database.db, userId);
		const b = await createSession(database.db, userId);
		expect(a.token).not.toBe(b.token);
	});
});
