import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn } from '../../src/lib/server/auth/login';
import { sessions } from '../../src/lib/server/db/schema';
import { changePassword, createUser, ensureFirstAdmin, findUserByUsername, UserError } from '../../src/lib/server/user';
import { validateSessionToken } from '../../src/lib/server/auth/session';
import { ACCOUNT_POLICY } from '../../src/lib/server/auth/throttle';
import { createTestDatabase, type TestDatabase } from '../helpers/db';

let database: TestDatabase;
beforeAll(async () => {
	database = await createTestDatabase();
});
afterAll(() => database?.destroy());

const countSessions = async () => (await database.db.select().from(sessions)).length;

describe('first start', () => {
	it('creates admin once, with a generated password when none is configured', async () => {
		const first = await ensureFirstAdmin(database.db, null);
		expect(first.created).toBe(true);
		expect(first.generatedPassword).toMatch(/^[A-Za-z0-9]{16}$/);
		expect((await signIn(database.db, { username: 'admin', password: first.generatedPassword!, address: '10.0.0.1' })).ok).toBe(true);
		expect(await ensureFirstAdmin(database.db, 'another-password')).toEqual({ created: false, generatedPassword: null });
		expect((await findUserByUsername(database.db, 'admin'))?.isAdmin).toBe(true);
	});
});

describe('login throttling', () => {
	it('locks an account after repeated failures, answering "throttled" and changing nothing else', async () => {
		await createUser(database.db, { username: 'zhang.san', displayName: '张三', password: 'right-password' });
		const now = new Date('2026-11-28T08:00:00Z');
		for (let i = 0; i < ACCOUNT_POLICY.maxFailures; i++) {
			const r = await signIn(database.db, { username: 'zhang.san', password: 'wrong', address: `192.0.2.${i}` }, now);
			expect(r).toEqual({ ok: false, reason: 'invalid' });
		}
		const before = await countSessions();
		// Even the right password is refused while locked, and no session is created.
		const locked = await signIn(database.db, { username: 'zhang.san', password: 'right-password', address: '192.0.2.99' }, new Date(now.getTime() + 1000));
		expect(locked.ok).toBe(false);
		expect(!locked.ok && locked.reason).toBe('throttled');
		expect(!locked.ok && locked.reason === 'throttled' && locked.retryAfterSeconds).toBeGreaterThan(800);
		expect(await countSessions()).toBe(before);
		// Attempts while locked do not extend the lock.
		const later = new Date(now.getTime() + ACCOUNT_POLICY.lockMs + 1000);
		const after = await signIn(database.db, { username: 'zhang.san', password: 'right-password', address: '192.0.2.99' }, later);
		expect(after.ok).toBe(true);
	});

	it('throttles a client address that tries many accounts', async () => {
		const now = new Date('2026-11-28T09:00:00Z');
		for (let i = 0; i < 20; i++) await signIn(database.db, { username: `nobody${i}`, password: 'x', address: '198.51.100.7' }, now);
		const r = await signIn(database.db, { username: 'admin', password: 'whatever', address: '198.51.100.7' }, now);
		expect(!r.ok && r.reason).toBe('throttled');
		// Another address is unaffected.
		const other = await signIn(database.db, { username: 'nobody0', password: 'x', address: '198.51.100.8' }, now);
		expect(!other.ok && other.reason).toBe('invalid');
	});

	it('treats usernames case- and space-insensitively for the lock', async () => {
		await createUser(database.db, { username: 'li.si', displayName: '李四', password: 'right-password' });
		const now = new Date('2026-11-28T10:00:00Z');
		for (let i = 0; i < ACCOUNT_POLICY.maxFailures; i++) await signIn(database.db, { username: i % 2 ? ' LI.SI ' : 'li.si', password: 'bad', address: `203.0.113.${i}` }, now);
		const r = await signIn(database.db, { username: 'li.si', password: 'right-password', address: '203.0.113.50' }, now);
		expect(!r.ok && r.reason).toBe('throttled');
	});
});

describe('password change', () => {
	it('ends every other session of the user and keeps the current one', async () => {
		const userId = await createUser(database.db, { username: 'wang.wu', displayName: '王五', password: 'old-password' });
		const a = await signIn(database.db, { username: 'wang.wu', password: 'old-password', address: '10.1.1.1' });
		const b = await signIn(database.db, { username: 'wang.wu', password: 'old-password', address: '10.1.1.2' });
		if (!a.ok || !b.ok) throw new Error('sign-in failed');
		const current = await validateSessionToken(database.db, a.token);
		await expect(changePassword(database.db, { userId, currentSessionId: current!.session.id, current: 'nope', next: 'new-password' })).rejects.toBeInstanceOf(UserError);
		await expect(changePassword(database.db, { userId, currentSessionId: current!.session.id, current: 'old-password', next: 'short' })).rejects.toThrow('password.tooShort');
		await changePassword(database.db, { userId, currentSessionId: current!.session.id, current: 'old-password', next: 'new-password' });
		expect(await validateSessionToken(database.db, a.token)).not.toBeNull();
		expect(await validateSessionToken(database.db, b.token)).toBeNull();
		expect((await signIn(database.db, { username: 'wang.wu', password: 'old-password', address: '10.1.1.3' })).ok).toBe(false);
		expect((await signIn(database.db, { username: 'wang.wu', password: 'new-password', address: '10.1.1.3' })).ok).toBe(true);
	});
});
