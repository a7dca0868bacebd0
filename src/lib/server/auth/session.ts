import { sha256 } from '@oslojs/crypto/sha2';
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import { and, eq, ne } from 'drizzle-orm';
import type { DbOrTx } from '../db';
import { sessions, users } from '../db/schema';

/*
 * Sessions as lucia-auth.com teaches them: the token is `<id>.<secret>`; only the SHA-256
 * of the secret is stored and compared in constant time, so a leaked sessions table does not
 * leak usable tokens and lookups by id do not leak timing about the secret.
 */

const DAY = 24 * 60 * 60 * 1000;
export const SESSION_IDLE_MS = 14 * DAY;
export const SESSION_ABSOLUTE_MS = 30 * DAY;
export const SESSION_COOKIE = 'gj_session';

export interface SessionUser {
	id: string;
	username: string;
	displayName: string;
	isAdmin: boolean;
	unitId: string | null;
	locale: string;
}

export interface ValidSession {
	id: string;
	userId: string;
	createdAt: Date;
	expiresAt: Date;
	/** true when validation moved expiresAt: the cookie should be re-sent. */
	refreshed: boolean;
}

function randomString(): string {
	const bytes = new Uint8Array(20);
	crypto.getRandomValues(bytes);
	return encodeBase32LowerCaseNoPadding(bytes);
}

function hashSecret(secret: string): Uint8Array {
	return sha256(new TextEncoder().encode(secret));
}

export async function createSession(db: DbOrTx, userId: string, now = new Date()): Promise<{ token: string; expiresAt: Date }> {
	const id = randomString();
	const secret = randomString();
	const expiresAt = new Date(now.getTime() + SESSION_IDLE_MS);
	await db.insert(sessions).values({ id, secretHash: hashSecret(secret), userId, createdAt: now, expiresAt });
	return { token: `${id}.${secret}`, expiresAt };
}

/** The columns of a session's user that a request carries (also read by docAccess's one-query lookup). */
export const sessionUserColumns = {
	id: users.id,
	username: users.username,
	displayName: users.displayName,
	isAdmin: users.isAdmin,
	unitId: users.unitId,
	locale: users.locale
};

/** A token's session id and secret, or null when it cannot be one of ours. */
export function splitToken(token: string): { id: string; secret: string } | null {
	const parts = token.split('.');
	if (parts.length !== 2 || !parts[0] || !parts[1] || token.length > 200) return null;
	return { id: parts[0], secret: parts[1] };
}

export function secretMatches(secret: string, secretHash: Uint8Array): boolean {
	return constantTimeEqual(hashSecret(secret), secretHash);
}

/**
 * What validation has to do with a stored session: nothing, end it (expired), or slide its
 * expiry. Readers that cannot write (docAccess's one-query lookup) leave the last two to
 * validateSessionToken.
 */
export function sessionVerdict(s: { createdAt: Date; expiresAt: Date }, now: Date): 'expired' | { slideTo: Date } | 'current' {
	// The absolute cap holds whatever the row's expiry says (a row written by hand, restored
	// from a backup, or slid by a version without the cap): the expiry alone is not trusted.
	if (now.getTime() >= s.expiresAt.getTime() || now.getTime() >= s.createdAt.getTime() + SESSION_ABSOLUTE_MS) return 'expired';
	// Slide only once half the idle window is used up, so a busy user costs one write a week,
	// never past the absolute cap counted from sign-in.
	if (s.expiresAt.getTime() - now.getTime() < SESSION_IDLE_MS / 2) {
		const slid = Math.min(now.getTime() + SESSION_IDLE_MS, s.createdAt.getTime() + SESSION_ABSOLUTE_MS);
		if (slid > s.expiresAt.getTime()) return { slideTo: new Date(slid) };
	}
	return 'current';
}

export async function validateSessionToken(
	db: DbOrTx,
	token: string,
	now = new Date()
): Promise<{ session: ValidSession; user: SessionUser } | null> {
	const parsed = splitToken(token);
	if (!parsed) return null;
	const { id, secret } = parsed;
	const rows = await db
		.select({ session: sessions, user: sessionUserColumns })
		.from(sessions)
		.innerJoin(users, eq(users.id, sessions.userId))
		.where(eq(sessions.id, id))
		.limit(1);
	const row = rows[0];
	if (!row) return null;
	if (!secretMatches(secret, row.session.secretHash)) return null;
	const s = row.session;
	const verdict = sessionVerdict(s, now);
	if (verdict === 'expired') {
		await db.delete(sessions).where(eq(sessions.id, id));
		return null;
	}
	let expiresAt = s.expiresAt;
	let refreshed = false;
	if (verdict !== 'current') {
		expiresAt = verdict.slideTo;
		refreshed = true;
		await db.update(sessions).set({ expiresAt }).where(eq(sessions.id, id));
	}
	return {
		session: { id: s.id, userId: s.userId, createdAt: s.createdAt, expiresAt, refreshed },
		user: row.user
	};
}

export function sessionIdOf(token: string): string | null {
	const id = token.split('.')[0];
	return id ? id : null;
}

export async function invalidateSession(db: DbOrTx, sessionId: string): Promise<void> {
	await db.delete(sessions).where(eq(sessions.id, sessionId));
}

/** Ends every session of the user but the one given (after a password change). */
export async function invalidateOtherSessions(db: DbOrTx, userId: string, keepSessionId: string | null): Promise<void> {
	await db
		.delete(sessions)
		.where(keepSessionId ? and(eq(sessions.userId, userId), ne(sessions.id, keepSessionId)) : eq(sessions.userId, userId));
}
