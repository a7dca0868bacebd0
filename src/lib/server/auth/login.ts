import { eq } from 'drizzle-orm';
import type { Db } from '../db';
import { users } from '../db/schema';
import { hashPassword, verifyPassword } from './password';
import { createSession } from './session';
import { ACCOUNT_POLICY, ADDRESS_POLICY, accountKey, addressKey, clearFailures, lockedFor, recordFailure } from './throttle';

export type SignInResult =
	| { ok: true; userId: string; token: string; expiresAt: Date }
	| { ok: false; reason: 'invalid' }
	| { ok: false; reason: 'throttled'; retryAfterSeconds: number };

// Verifying against a real hash when the account does not exist keeps the response time from
// telling an attacker which usernames exist.
let dummyHash: Promise<string> | null = null;

export async function signIn(db: Db, input: { username: string; password: string; address: string }, now = new Date()): Promise<SignInResult> {
	const username = input.username.trim();
	const keys = [accountKey(username), addressKey(input.address)];
	const wait = await lockedFor(db, keys, now);
	if (wait > 0) return { ok: false, reason: 'throttled', retryAfterSeconds: wait };

	const [user] = await db.select({ id: users.id, passwordHash: users.passwordHash }).from(users).where(eq(users.username, username)).limit(1);
	dummyHash ??= hashPassword('not-a-real-password-000');
	const valid = user ? await verifyPassword(user.passwordHash, input.password) : (await verifyPassword(await dummyHash, input.password), false);
	if (!user || !valid) {
		await recordFailure(db, keys[0]!, ACCOUNT_POLICY, now);
		await recordFailure(db, keys[1]!, ADDRESS_POLICY, now);
		return { ok: false, reason: 'invalid' };
	}
	await clearFailures(db, keys[0]!);
	const { token, expiresAt } = await createSession(db, user.id, now);
	return { ok: true, userId: user.id, token, expiresAt };
}
