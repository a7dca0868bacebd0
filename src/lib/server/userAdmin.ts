import { collabControl } from './collabControl';
import { asc, count, eq, ilike, inArray, or } from 'drizzle-orm';
import type { Db, DbOrTx } from './db';
import { memberships, units, users } from './db/schema';
import { recordAudit } from './audit';
import { hashPassword } from './auth/password';
import { invalidateOtherSessions } from './auth/session';
import { addMember } from './committee';
import { DomainError, NAME_MAX, checkName, type MessageParams } from './organisation';
import { createUser, randomPassword } from './user';

/*
 * Account administration for the organisation department: listing and searching accounts,
 * creating them (with a password the admin hands over once) and resetting a forgotten
 * password. Passwords made up here are returned to the caller exactly once and never stored
 * in clear; every change is audited because an account decides who may write the record.
 */

export type UserAdminErrorKey = 'user.notFound' | 'userAdmin.displayNameRequired' | 'userAdmin.displayNameTooLong' | 'userAdmin.resetOwnPassword';

export class UserAdminError extends DomainError {
	constructor(key: UserAdminErrorKey, params: MessageParams = {}) {
		super(key, params);
		this.name = 'UserAdminError';
	}
}

export const USERS_PAGE_SIZE = 25;

export interface UserListItem {
	id: string;
	username: string;
	displayName: string;
	isAdmin: boolean;
	unitName: string | null;
	/** Committee seats the person holds. */
	seatCount: number;
	createdAt: Date;
}

export interface UserPage {
	items: UserListItem[];
	total: number;
	/** The page actually returned: a page past the end is clamped to the last one. */
	page: number;
	pages: number;
}

/** LIKE treats % and _ as wildcards; a search for "li_ming" means the underscore itself. */
function likePattern(query: string): string {
	return `%${query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function searchCondition(query: string) {
	const q = query.normalize('NFKC').trim();
	if (q === '') return undefined;
	const pattern = likePattern(q);
	return or(ilike(users.username, pattern), ilike(users.displayName, pattern));
}

export async function listUsers(db: DbOrTx, options: { query?: string; page?: number; pageSize?: number } = {}): Promise<UserPage> {
	const pageSize = options.pageSize ?? USERS_PAGE_SIZE;
	const where = searchCondition(options.query ?? '');
	const [totalRow] = await db.select({ n: count() }).from(users).where(where);
	const total = totalRow?.n ?? 0;
	const pages = Math.max(1, Math.ceil(total / pageSize));
	const page = Math.min(Math.max(1, Math.floor(options.page ?? 1)), pages);
	const rows = await db
		.select({
			id: users.id,
			username: users.username,
			displayName: users.displayName,
			isAdmin: users.isAdmin,
			unitName: units.name,
			createdAt: users.createdAt
		})
		.from(users)
		.leftJoin(units, eq(units.id, users.unitId))
		.where(where)
		// Usernames are unique, so the order is total and pages never overlap.
		.orderBy(asc(users.username))
		.limit(pageSize)
		.offset((page - 1) * pageSize);
	const seats = await seatCounts(
		db,
		rows.map((r) => r.id)
	);
	return { items: rows.map((r) => ({ ...r, seatCount: seats.get(r.id) ?? 0 })), total, page, pages };
}

async function seatCounts(db: DbOrTx, userIds: string[]): Promise<Map<string, number>> {
	if (userIds.length === 0) return new Map();
	const rows = await db
		.select({ userId: memberships.userId, n: count() })
		.from(memberships)
		.where(inArray(memberships.userId, userIds))
		.groupBy(memberships.userId);
	return new Map(rows.map((r) => [r.userId, r.n]));
}

export async function countUsers(db: DbOrTx): Promise<number> {
	const [row] = await db.select({ n: count() }).from(users);
	return row?.n ?? 0;
}

export interface UserChoice {
	id: string;
	username: string;
	displayName: string;
}

/** Accounts to offer when seating someone in a committee (a district has a few hundred). */
export async function listUserChoices(db: DbOrTx, limit = 2000): Promise<UserChoice[]> {
	return db
		.select({ id: users.id, username: users.username, displayName: users.displayName })
		.from(users)
		.orderBy(asc(users.username))
		.limit(limit);
}

export interface NewAccount {
	username: string;
	displayName: string;
	/** null: make one up and return it, so the admin can hand it over. */
	password: string | null;
	isAdmin?: boolean;
	unitId?: string | null;
}

export interface CreatedAccount {
	id: string;
	username: string;
	displayName: string;
	/** The made-up password, when none was given; shown once and stored only as a hash. */
	generatedPassword: string | null;
}

function validDisplayName(raw: string): string {
	const checked = checkName(raw);
	if (checked.ok) return checked.name;
	if (checked.problem === 'nameTooLong') throw new UserAdminError('userAdmin.displayNameTooLong', { max: NAME_MAX });
	throw new UserAdminError('userAdmin.displayNameRequired');
}

/** Throws UserError (username, password) or UserAdminError (display name). */
export async function createAccount(db: DbOrTx, input: NewAccount, actorId: string | null): Promise<CreatedAccount> {
	const displayName = validDisplayName(input.displayName);
	const generatedPassword = input.password === null || input.password === '' ? randomPassword() : null;
	const password = generatedPassword ?? input.password ?? '';
	return db.transaction(async (tx) => {
		const id = await createUser(tx, { username: input.username, displayName, password, isAdmin: input.isAdmin ?? false, unitId: input.unitId ?? null });
		const [row] = await tx.select({ username: users.username }).from(users).where(eq(users.id, id)).limit(1);
		const username = row?.username ?? input.username;
		await recordAudit(tx, {
			actorId,
			action: 'user.created',
			subject: `user/${id}`,
			details: { username, isAdmin: input.isAdmin ?? false, passwordGenerated: generatedPassword !== null, source: 'admin' }
		});
		return { id, username, displayName, generatedPassword };
	});
}

/**
 * Creates an account and seats it in a committee, both or neither: an account made for a seat
 * the committee then refuses (a 兼职委员 without a unit) would only be clutter with a password
 * nobody was told.
 */
export async function createAccountWithSeat(
	db: Db,
	input: NewAccount & { committeeId: string; role: string; unitId: string | null },
	actorId: string | null
): Promise<CreatedAccount> {
	return db.transaction(async (tx) => {
		const account = await createAccount(tx, input, actorId);
		await addMember(tx, { committeeId: input.committeeId, userId: account.id, role: input.role, unitId: input.unitId, actorId });
		return account;
	});
}

export interface PasswordReset {
	userId: string;
	username: string;
	displayName: string;
	password: string;
}

/**
 * Gives a user a new, generated password and ends every session they have, so that whoever
 * held the old one (or a lost phone still signed in) is locked out.
 */
export async function resetPassword(db: Db, userId: string, actorId: string | null): Promise<PasswordReset> {
	// Admins change their own password on the account page, which asks for the current one;
	// doing it here would also sign them out mid-task.
	if (actorId !== null && actorId === userId) throw new UserAdminError('userAdmin.resetOwnPassword');
	const [user] = await db.select({ id: users.id, username: users.username, displayName: users.displayName }).from(users).where(eq(users.id, userId)).limit(1);
	if (!user) throw new UserAdminError('user.notFound');
	const password = randomPassword();
	// Hashing takes tens of milliseconds: done before the transaction, not while it holds locks.
	const passwordHash = await hashPassword(password);
	await db.transaction(async (tx) => {
		const updated = await tx.update(users).set({ passwordHash }).where(eq(users.id, userId)).returning({ id: users.id });
		if (updated.length === 0) throw new UserAdminError('user.notFound');
		await invalidateOtherSessions(tx, userId, null);
		await recordAudit(tx, { actorId, action: 'user.password_reset', subject: `user/${userId}` });
	});
	// Their sessions are gone; so must be the connections those sessions opened.
	collabControl().reconnectUser(userId);
	return { userId, username: user.username, displayName: user.displayName, password };
}
