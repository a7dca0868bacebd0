import { eq } from 'drizzle-orm';
import type { Db, DbOrTx } from './db';
import { users } from './db/schema';
import { hashPassword, passwordProblem, verifyPassword } from './auth/password';
import { invalidateOtherSessions } from './auth/session';
import { recordAudit } from './audit';

export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{1,39}$/;

export class UserError extends Error {
	constructor(readonly key: string) {
		super(key);
		this.name = 'UserError';
	}
}

export async function createUser(
	db: DbOrTx,
	input: { username: string; displayName: string; password: string; isAdmin?: boolean; unitId?: string | null }
): Promise<string> {
	const username = input.username.trim().toLowerCase();
	if (!USERNAME_PATTERN.test(username)) throw new UserError('user.badUsername');
	const problem = passwordProblem(input.password);
	if (problem) throw new UserError(problem);
	const [row] = await db
		.insert(users)
		.values({
			username,
			displayName: input.displayName.trim() || username,
			passwordHash: await hashPassword(input.password),
			isAdmin: input.isAdmin ?? false,
			unitId: input.unitId ?? null
		})
		.onConflictDoNothing({ target: users.username })
		.returning({ id: users.id });
	if (!row) throw new UserError('user.usernameTaken');
	return row.id;
}

export async function findUserByUsername(db: DbOrTx, username: string) {
	const [row] = await db.select().from(users).where(eq(users.username, username.trim().toLowerCase())).limit(1);
	return row ?? null;
}

export async function changePassword(
	db: Db,
	input: { userId: string; currentSessionId: string | null; current: string; next: string }
): Promise<void> {
	const [user] = await db.select().from(users).where(eq(users.id, input.userId)).limit(1);
	if (!user) throw new UserError('user.notFound');
	if (!(await verifyPassword(user.passwordHash, input.current))) throw new UserError('password.currentWrong');
	const problem = passwordProblem(input.next);
	if (problem) throw new UserError(problem);
	const passwordHash = await hashPassword(input.next);
	await db.transaction(async (tx) => {
		await tx.update(users).set({ passwordHash }).where(eq(users.id, user.id));
		// A changed password must lock out whoever else knew the old one.
		await invalidateOtherSessions(tx, user.id, input.currentSessionId);
		await recordAudit(tx, { actorId: user.id, action: 'user.password_changed', subject: `user/${user.id}` });
	});
}

export async function setLocale(db: DbOrTx, userId: string, locale: string): Promise<void> {
	await db.update(users).set({ locale }).where(eq(users.id, userId));
}

export function randomPassword(): string {
	const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789';
	const bytes = new Uint8Array(16);
	crypto.getRandomValues(bytes);
	return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}

/**
 * On an empty database, creates `admin`. Returns the generated password when none was
 * configured, so the caller can print it exactly once.
 */
export async function ensureFirstAdmin(db: Db, configured: string | null): Promise<{ created: boolean; generatedPassword: string | null }> {
	const existing = await db.select({ id: users.id }).from(users).limit(1);
	if (existing.length > 0) return { created: false, generatedPassword: null };
	const password = configured ?? randomPassword();
	await createUser(db, { username: 'admin', displayName: '系统管理员', password, isAdmin: true });
	return { created: true, generatedPassword: configured ? null : password };
}
