import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { auditLog, memberships, sessions, users } from '../../src/lib/server/db/schema';
import { signIn } from '../../src/lib/server/auth/login';
import { createSession, validateSessionToken } from '../../src/lib/server/auth/session';
import { CommitteeError, addMember, createCommittee, type CommitteeSummary } from '../../src/lib/server/committee';
import { createCommunity, createStreet, createUnit, getOrCreateDistrict, type Unit } from '../../src/lib/server/organisation';
import { createUser, findUserByUsername, UserError } from '../../src/lib/server/user';
import {
	UserAdminError,
	countUsers,
	createAccount,
	createAccountWithSeat,
	listUserChoices,
	listUsers,
	resetPassword
} from '../../src/lib/server/userAdmin';

let database: TestDatabase;
let adminId: string;
let committee: CommitteeSummary;
let unit: Unit;

beforeAll(async () => {
	database = await createTestDatabase();
	const db = database.db;
	adminId = await createUser(db, { username: 'admin', displayName: '系统管理员', password: 'admin-password', isAdmin: true });
	const district = await getOrCreateDistrict(db, '青川区');
	const street = await createStreet(db, { districtId: district.id, name: '临江街道' });
	const community = await createCommunity(db, { streetId: street.id, name: '滨江社区' });
	committee = await createCommittee(db, { kind: 'community', communityId: community.id });
	unit = await createUnit(db, { districtId: district.id, name: '青川区民政局', kind: 'agency' });
});
afterAll(async () => {
	await database?.destroy();
});

async function keyOf(action: () => Promise<unknown>): Promise<string> {
	try {
		await action();
	} catch (err) {
		if (err instanceof UserAdminError || err instanceof UserError || err instanceof CommitteeError) return err.key;
		throw err;
	}
	throw new Error('expected a refusal');
}

async function auditFor(subject: string) {
	return database.db.select().from(auditLog).where(eq(auditLog.subject, subject));
}

describe('creating accounts', () => {
	it('generates a password when none is given, returns it once and audits the creation', async () => {
		const created = await createAccount(database.db, { username: ' Wang.JianGuo ', displayName: ' 王建国 ', password: null }, adminId);
		expect(created.username).toBe('wang.jianguo');
		expect(created.displayName).toBe('王建国');
		expect(created.generatedPassword).toMatch(/^[A-Za-z0-9]{16}$/);
		// The generated password works; nothing readable is stored.
		const stored = await findUserByUsername(database.db, 'wang.jianguo');
		expect(stored?.passwordHash).not.toContain(created.generatedPassword!);
		expect(stored?.isAdmin).toBe(false);
		expect((await signIn(database.db, { username: 'wang.jianguo', password: created.generatedPassword!, address: '10.0.0.1' })).ok).toBe(true);
		const audit = await auditFor(`user/${created.id}`);
		expect(audit).toHaveLength(1);
		expect(audit[0]).toMatchObject({ actorId: adminId, action: 'user.created' });
		expect(audit[0]?.details).toMatchObject({ username: 'wang.jianguo', passwordGenerated: true, isAdmin: false });
		expect(JSON.stringify(audit[0]?.details)).not.toContain(created.generatedPassword!);
	});

	it('uses a given password and the admin flag', async () => {
		const created = await createAccount(database.db, { username: 'zuzhibu', displayName: '组织部李', password: 'given-password', isAdmin: true }, adminId);
		expect(created.generatedPassword).toBeNull();
		expect((await findUserByUsername(database.db, 'zuzhibu'))?.isAdmin).toBe(true);
		expect((await signIn(database.db, { username: 'zuzhibu', password: 'given-password', address: '10.0.0.2' })).ok).toBe(true);
	});

	it('refuses bad input with message keys and creates nothing', async () => {
		const before = await countUsers(database.db);
		expect(await keyOf(() => createAccount(database.db, { username: 'ok.name', displayName: '  ', password: null }, adminId))).toBe('userAdmin.displayNameRequired');
		expect(await keyOf(() => createAccount(database.db, { username: 'ok.name', displayName: '名'.repeat(101), password: null }, adminId))).toBe(
			'userAdmin.displayNameTooLong'
		);
		expect(await keyOf(() => createAccount(database.db, { username: '王', displayName: '王五', password: null }, adminId))).toBe('user.badUsername');
		expect(await keyOf(() => createAccount(database.db, { username: 'ok.name', displayName: '王五', password: 'short' }, adminId))).toBe('password.tooShort');
		expect(await keyOf(() => createAccount(database.db, { username: 'WANG.jianguo', displayName: '另一个王建国', password: null }, adminId))).toBe('user.usernameTaken');
		expect(await countUsers(database.db)).toBe(before);
	});
});

describe('creating an account for a committee seat', () => {
	it('creates the account and the seat together', async () => {
		const account = await createAccountWithSeat(
			database.db,
			{ username: 'zhao.bing', displayName: '赵兵', password: null, committeeId: committee.id, role: 'part_time', unitId: unit.id },
			adminId
		);
		expect(account.generatedPassword).not.toBeNull();
		const [seat] = await database.db.select().from(memberships).where(eq(memberships.userId, account.id));
		expect(seat).toMatchObject({ committeeId: committee.id, role: 'part_time', unitId: unit.id });
		// The account is tied to the unit it represents.
		expect((await findUserByUsername(database.db, 'zhao.bing'))?.unitId).toBe(unit.id);
	});

	it('creates neither when the committee refuses the seat', async () => {
		const before = await countUsers(database.db);
		const key = await keyOf(() =>
			createAccountWithSeat(database.db, { username: 'qian.li', displayName: '钱力', password: null, committeeId: committee.id, role: 'part_time', unitId: null }, adminId)
		);
		expect(key).toBe('committee.partTimeNeedsUnit');
		expect(await findUserByUsername(database.db, 'qian.li')).toBeNull();
		expect(await countUsers(database.db)).toBe(before);
	});
});

describe('listing accounts', () => {
	beforeAll(async () => {
		// Enough accounts for three pages, with names that LIKE would misread.
		for (let i = 0; i < 26; i++) {
			const n = String(i).padStart(2, '0');
			await createUser(database.db, { username: `member${n}`, displayName: `委员${n}`, password: 'long-enough-1' });
		}
		await createUser(database.db, { username: 'li_ming', displayName: '李明', password: 'long-enough-1' });
		await createUser(database.db, { username: 'lixming', displayName: '李小明', password: 'long-enough-1' });
	});

	it('pages in username order without overlap and clamps a page past the end', async () => {
		const total = await countUsers(database.db);
		const first = await listUsers(database.db, { page: 1 });
		const second = await listUsers(database.db, { page: 2 });
		expect(first.total).toBe(total);
		expect(first.items).toHaveLength(25);
		expect(first.pages).toBe(Math.ceil(total / 25));
		const names = [...first.items, ...second.items].map((u) => u.username);
		expect(new Set(names).size).toBe(names.length);
		expect(names).toEqual([...names].sort());
		const beyond = await listUsers(database.db, { page: 99 });
		expect(beyond.page).toBe(beyond.pages);
		expect(beyond.items.length).toBeGreaterThan(0);
	});

	it('searches usernames and display names, case-insensitively, with wildcards taken literally', async () => {
		expect((await listUsers(database.db, { query: 'LI_' })).items.map((u) => u.username)).toEqual(['li_ming']);
		expect((await listUsers(database.db, { query: '小明' })).items.map((u) => u.username)).toEqual(['lixming']);
		expect((await listUsers(database.db, { query: '%' })).total).toBe(0);
		const committeeMembers = await listUsers(database.db, { query: '委员', pageSize: 10 });
		expect(committeeMembers.total).toBe(26);
		expect(committeeMembers.pages).toBe(3);
	});

	it('shows the unit and the number of seats', async () => {
		const [row] = (await listUsers(database.db, { query: 'zhao.bing' })).items;
		expect(row).toMatchObject({ displayName: '赵兵', unitName: '青川区民政局', seatCount: 1, isAdmin: false });
		const [admin] = (await listUsers(database.db, { query: 'admin' })).items;
		expect(admin).toMatchObject({ isAdmin: true, seatCount: 0, unitName: null });
	});

	it('offers every account as a choice, by username', async () => {
		const choices = await listUserChoices(database.db);
		expect(choices.length).toBe(await countUsers(database.db));
		expect(choices.map((c) => c.username)).toEqual([...choices.map((c) => c.username)].sort());
	});
});

describe('resetting a password', () => {
	it('sets a new generated password, ends every session and audits it', async () => {
		const userId = await createUser(database.db, { username: 'sun.hong', displayName: '孙红', password: 'old-password-1' });
		await addMember(database.db, { committeeId: committee.id, userId, role: 'member', actorId: adminId });
		const phone = await createSession(database.db, userId);
		const laptop = await createSession(database.db, userId);
		const otherUser = await createSession(database.db, adminId);

		const reset = await resetPassword(database.db, userId, adminId);
		expect(reset).toMatchObject({ userId, username: 'sun.hong', displayName: '孙红' });
		expect(reset.password).toMatch(/^[A-Za-z0-9]{16}$/);

		expect(await validateSessionToken(database.db, phone.token)).toBeNull();
		expect(await validateSessionToken(database.db, laptop.token)).toBeNull();
		expect(await database.db.select().from(sessions).where(eq(sessions.userId, userId))).toHaveLength(0);
		// Nobody else is signed out.
		expect(await validateSessionToken(database.db, otherUser.token)).not.toBeNull();

		expect((await signIn(database.db, { username: 'sun.hong', password: 'old-password-1', address: '10.0.0.3' })).ok).toBe(false);
		expect((await signIn(database.db, { username: 'sun.hong', password: reset.password, address: '10.0.0.3' })).ok).toBe(true);
		const audit = await auditFor(`user/${userId}`);
		expect(audit.map((a) => a.action)).toEqual(['user.password_reset']);
		expect(audit[0]?.actorId).toBe(adminId);
		// The seat is untouched.
		expect(await database.db.select().from(memberships).where(eq(memberships.userId, userId))).toHaveLength(1);
	});

	it('refuses the admin’s own account and unknown accounts, changing nothing', async () => {
		const [before] = await database.db.select({ hash: users.passwordHash }).from(users).where(eq(users.id, adminId));
		expect(await keyOf(() => resetPassword(database.db, adminId, adminId))).toBe('userAdmin.resetOwnPassword');
		const [after] = await database.db.select({ hash: users.passwordHash }).from(users).where(eq(users.id, adminId));
		expect(after?.hash).toBe(before?.hash);
		expect(await keyOf(() => resetPassword(database.db, '00000000-0000-4000-8000-000000000000', adminId))).toBe('user.notFound');
	});
});
