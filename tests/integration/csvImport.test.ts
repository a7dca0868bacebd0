import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { auditLog, memberships, units, users } from '../../src/lib/server/db/schema';
import { createCommunity, createStreet, getOrCreateDistrict, listUnits } from '../../src/lib/server/organisation';
import { createCommittee, listMembers, roleOf, type CommitteeSummary } from '../../src/lib/server/committee';
import { createUser } from '../../src/lib/server/user';
import { verifyPassword } from '../../src/lib/server/auth/password';
import {
	CSV_MAX_BYTES,
	CSV_MAX_ROWS,
	decodeCsv,
	describeCsvError,
	importMembers,
	importUnits,
	parseCsv,
	previewMembers,
	previewUnits,
	type CsvError
} from '../../src/lib/server/csvImport';

const FIXTURES = path.resolve('tests/fixtures/csv');
const fixture = (name: string): Uint8Array => new Uint8Array(fs.readFileSync(path.join(FIXTURES, name)));

let database: TestDatabase;
let bjCommittee: CommitteeSummary;
let streetCommittee: CommitteeSummary;

beforeAll(async () => {
	database = await createTestDatabase();
});
afterAll(async () => {
	await database?.destroy();
});

async function counts(): Promise<{ units: number; users: number; memberships: number }> {
	const n = async (table: typeof units | typeof users | typeof memberships) =>
		(await database.db.select({ n: sql<number>`count(*)`.mapWith(Number) }).from(table))[0]?.n ?? 0;
	return { units: await n(units), users: await n(users), memberships: await n(memberships) };
}

/** [line, column, key] triples: what a person fixing the file needs. */
const brief = (errors: CsvError[]) => errors.map((e) => [e.line, e.column ?? null, e.key]);

describe('parseCsv', () => {
	it('reads RFC 4180: quoted delimiters, doubled quotes, line breaks inside quotes, CRLF', () => {
		const { records, errors } = parseCsv('\uFEFFa,b,c\r\n"x, y","say ""hi""","two\r\nlines"\r\n\r\nlast,,\n');
		expect(errors).toEqual([]);
		expect(records).toEqual([
			{ line: 1, fields: ['a', 'b', 'c'] },
			{ line: 2, fields: ['x, y', 'say "hi"', 'two\nlines'] },
			{ line: 4, fields: [''] },
			{ line: 5, fields: ['last', '', ''] }
		]);
	});

	it('accepts a last line without a line break, blanks around quoted fields, and tab-separated text', () => {
		expect(parseCsv('a, "b" ,c').records).toEqual([{ line: 1, fields: ['a', 'b', 'c'] }]);
		expect(parseCsv('名称\t类型\n民政局\t机关').records).toEqual([
			{ line: 1, fields: ['名称', '类型'] },
			{ line: 2, fields: ['民政局', '机关'] }
		]);
	});

	it('reports broken quoting with the line it happens on', () => {
		expect(parseCsv('a,b\n"x"y,z\nok,ok\n').errors).toEqual([{ line: 2, key: 'csv.badQuote' }]);
		const open = parseCsv('a,b\nok,ok\n"never closed,x\nmore\n');
		expect(open.errors).toEqual([{ line: 3, key: 'csv.unterminatedQuote' }]);
		expect(open.records.map((r) => r.line)).toEqual([1, 2]);
	});

	it('decodes what Excel writes: UTF-8 with BOM, GBK, UTF-16', () => {
		expect(decodeCsv(fixture('units-zh.csv')).startsWith('名称,类型')).toBe(true);
		expect(decodeCsv(fixture('units-gbk.csv')).split('\r\n')[1]).toBe('青川区审计局,机关,陈明,8860 1010');
		expect(decodeCsv(fixture('units-utf16.txt'))).toBe('名称\t类型\r\n青川区统计局\t机关\r\n');
	});
});

describe('units', () => {
	it('refuses to import before a district exists', async () => {
		const result = await importUnits(database.db, fixture('units-zh.csv'), null);
		expect(result).toEqual({ ok: false, errors: [{ line: 0, key: 'csv.noDistrict' }] });
	});

	it('previews a Chinese Excel file without writing anything', async () => {
		await getOrCreateDistrict(database.db, '青川区');
		const before = await counts();
		const preview = await previewUnits(database.db, fixture('units-zh.csv'));
		expect(preview.errors).toEqual([]);
		expect(preview.rows.map((r) => [r.line, r.name, r.kind, r.contactName, r.contactPhone, r.action])).toEqual([
			[2, '青川区民政局', 'agency', '王建国', '0838-8860 1001', 'create'],
			[3, '青川区实验小学', 'school', '李丽娟', '8860 1002', 'create'],
			[4, '青川区人民医院 （区急救中心）', 'hospital', '张伟', '8860 1003', 'create'],
			[6, '青川水务集团有限公司', 'enterprise', '刘"小"芳', '13800000001', 'create'],
			[7, '青川区律师协会, 法律援助站', 'other', '', '', 'create']
		]);
		expect(await counts()).toEqual(before);
	});

	it('imports it, and importing it again changes nothing', async () => {
		const result = await importUnits(database.db, fixture('units-zh.csv'), null);
		expect(result).toEqual({ ok: true, created: 5, updated: 0, unchanged: 0 });
		expect((await counts()).units).toBe(5);
		const again = await importUnits(database.db, decodeCsv(fixture('units-zh.csv')), null);
		expect(again).toEqual({ ok: true, created: 0, updated: 0, unchanged: 5 });
		expect((await counts()).units).toBe(5);
		const [audit] = await database.db.select().from(auditLog).where(eq(auditLog.action, 'units.imported')).limit(1);
		expect(audit?.details).toMatchObject({ created: 5, updated: 0, unchanged: 0 });
	});

	it('updates existing units instead of duplicating them; absent columns keep their values', async () => {
		const text = '名称,类型\r\n青川区民政局,其他\r\n青川区实验小学,学校\r\n青川区审计局,机关\r\n';
		const preview = await previewUnits(database.db, text);
		expect(preview.rows.map((r) => [r.name, r.action, r.changes, r.contactName])).toEqual([
			['青川区民政局', 'update', ['kind'], '王建国'],
			['青川区实验小学', 'unchanged', [], '李丽娟'],
			['青川区审计局', 'create', [], '']
		]);
		expect(await importUnits(database.db, text, null)).toEqual({ ok: true, created: 1, updated: 1, unchanged: 1 });
		const stored = await listUnits(database.db);
		expect(stored).toHaveLength(6);
		expect(stored.find((u) => u.name === '青川区民政局')).toMatchObject({ kind: 'other', contactName: '王建国', contactPhone: '0838-8860 1001' });
	});

	it('accepts English headers and values, short rows, GBK and UTF-16 files', async () => {
		expect(await importUnits(database.db, fixture('units-en.csv'), null)).toEqual({ ok: true, created: 3, updated: 0, unchanged: 0 });
		const school = (await listUnits(database.db)).find((u) => u.name === 'Qingchuan No.1 Middle School');
		expect(school).toMatchObject({ kind: 'school', contactName: 'Li', contactPhone: '' });
		// 青川区审计局 exists without a contact; the GBK file gives it one.
		expect(await importUnits(database.db, fixture('units-gbk.csv'), null)).toEqual({ ok: true, created: 1, updated: 1, unchanged: 0 });
		expect(await importUnits(database.db, fixture('units-utf16.txt'), null)).toEqual({ ok: true, created: 1, updated: 0, unchanged: 0 });
		expect((await counts()).units).toBe(11);
	});

	it('reports every bad row with its line, and writes nothing', async () => {
		const before = await counts();
		const bytes = fixture('units-bad.csv');
		const preview = await previewUnits(database.db, bytes);
		expect(brief(preview.errors)).toEqual([
			[3, '类型', 'csv.unknownKind'],
			[5, '名称', 'csv.required'],
			[6, '名称', 'csv.duplicateInFile'],
			[7, '联系电话', 'csv.badPhone'],
			[8, '类型', 'csv.required'],
			[9, null, 'csv.tooManyFields']
		]);
		expect(preview.errors[0]?.params).toEqual({ value: '医馆' });
		expect(preview.errors[2]?.params).toEqual({ value: '青川区民政局', firstLine: 2 });
		// The good rows are still previewed, so the admin sees what the file would do once fixed.
		expect(preview.rows.map((r) => r.line)).toEqual([2, 10]);

		const result = await importUnits(database.db, bytes, null);
		expect(result.ok).toBe(false);
		expect(result.ok ? [] : result.errors).toEqual(preview.errors);
		expect(await counts()).toEqual(before);
		expect((await listUnits(database.db)).some((u) => u.name === '青川区第五中学')).toBe(false);
	});

	it('names header problems and whole-file problems', async () => {
		const missing = await previewUnits(database.db, fixture('units-missing-column.csv'));
		expect(missing.errors).toEqual([
			{ line: 1, column: '序号', key: 'csv.unknownColumn', params: { name: '序号' } },
			{ line: 1, column: '名称', key: 'csv.missingColumn', params: { name: '名称' } }
		]);
		expect((await previewUnits(database.db, 'kind,contact_name\nagency,x\n')).errors.map((e) => e.params)).toEqual([{ name: 'name' }]);
		expect((await previewUnits(database.db, '名称,类型,名称\n一,机关,二\n')).errors.map((e) => e.key)).toEqual(['csv.duplicateColumn']);
		expect((await previewUnits(database.db, '\uFEFF\r\n\r\n')).errors).toEqual([{ line: 0, key: 'csv.empty' }]);
		expect((await previewUnits(database.db, '名称,类型\r\n')).errors).toEqual([{ line: 0, key: 'csv.noRows' }]);
		const huge = new Uint8Array(CSV_MAX_BYTES + 1).fill(0x41);
		expect((await previewUnits(database.db, huge)).errors).toEqual([{ line: 0, key: 'csv.fileTooLarge', params: { size: CSV_MAX_BYTES + 1, max: CSV_MAX_BYTES } }]);
		const many = ['名称,类型', ...Array.from({ length: CSV_MAX_ROWS + 1 }, (_, i) => `单位${i},机关`)].join('\n');
		expect((await previewUnits(database.db, many)).errors).toEqual([{ line: 0, key: 'csv.tooManyRows', params: { count: CSV_MAX_ROWS + 1, max: CSV_MAX_ROWS } }]);
	});

	it('imports the largest allowed file in one go', async () => {
		const rows = ['名称,类型,联系人,联系电话', ...Array.from({ length: CSV_MAX_ROWS }, (_, i) => `批量单位${i},企业,联系人${i},8860 ${String(i).padStart(4, '0')}`)];
		const started = performance.now();
		const result = await importUnits(database.db, rows.join('\r\n'), null);
		expect(result).toEqual({ ok: true, created: CSV_MAX_ROWS, updated: 0, unchanged: 0 });
		expect(performance.now() - started).toBeLessThan(20_000);
		expect((await counts()).units).toBe(11 + CSV_MAX_ROWS);
		await database.db.delete(units).where(sql`${units.name} like '批量单位%'`);
	});
});

describe('members', () => {
	beforeAll(async () => {
		const district = await getOrCreateDistrict(database.db, '青川区');
		const street = await createStreet(database.db, { districtId: district.id, name: '临江街道' });
		const community = await createCommunity(database.db, { streetId: street.id, name: '滨江社区' });
		bjCommittee = await createCommittee(database.db, { kind: 'community', communityId: community.id });
		streetCommittee = await createCommittee(database.db, { kind: 'street', streetId: street.id });
		await createUser(database.db, { username: 'existing.user', displayName: '老用户', password: 'old-password-1' });
	});

	it('previews new and existing people, seats and units', async () => {
		const before = await counts();
		const preview = await previewMembers(database.db, fixture('members-zh.csv'));
		expect(preview.errors).toEqual([]);
		expect(preview.rows.map((r) => [r.line, r.username, r.displayName, r.user, r.committeeName, r.role, r.unitName, r.action, r.password])).toEqual([
			[2, 'wangjg', '王建国', 'create', '滨江社区大党委', 'convener', null, 'create', 'generated'],
			[3, 'lilj', '李丽娟', 'create', '滨江社区大党委', 'recorder', null, 'create', 'given'],
			[4, 'zhangw', '张伟', 'create', '滨江社区大党委', 'member', null, 'create', 'generated'],
			[5, 'liuxf', '刘小芳', 'create', '滨江社区大党委', 'part_time', '青川区民政局', 'create', 'generated'],
			[6, 'liuxf', '刘小芳', 'create', '临江街道大工委', 'part_time', '青川区民政局', 'create', 'generated'],
			[7, 'existing.user', '老用户', 'existing', '滨江社区大党委', 'observer', null, 'create', 'unchanged'],
			[8, 'chenm', '陈明', 'create', '临江街道大工委', 'convener', null, 'create', 'generated']
		]);
		expect(await counts()).toEqual(before);
	});

	it('imports: creates accounts once, hands back generated passwords, leaves existing accounts alone', async () => {
		const before = await counts();
		const result = await importMembers(database.db, fixture('members-zh.csv'), null);
		if (!result.ok) throw new Error(result.errors.map(describeCsvError).join('\n'));
		expect(result).toMatchObject({ usersCreated: 5, membershipsCreated: 7, membershipsUpdated: 0, unchanged: 0 });
		expect(result.generatedPasswords.map((p) => [p.username, p.displayName])).toEqual([
			['wangjg', '王建国'],
			['zhangw', '张伟'],
			['liuxf', '刘小芳'],
			['chenm', '陈明']
		]);
		expect(await counts()).toEqual({ ...before, users: before.users + 5, memberships: before.memberships + 7 });

		const stored = await database.db.select().from(users);
		const byName = new Map(stored.map((u) => [u.username, u]));
		const wang = result.generatedPasswords.find((p) => p.username === 'wangjg');
		expect(await verifyPassword(byName.get('wangjg')!.passwordHash, wang!.password)).toBe(true);
		expect(await verifyPassword(byName.get('lilj')!.passwordHash, 'given-password-1')).toBe(true);
		expect(await verifyPassword(byName.get('existing.user')!.passwordHash, 'old-password-1')).toBe(true);
		expect(byName.get('existing.user')?.displayName).toBe('老用户');
		expect(byName.get('liuxf')?.unitId).not.toBeNull();

		const seats = await listMembers(database.db, bjCommittee.id);
		expect(seats.map((m) => [m.username, m.role, m.unitName])).toEqual([
			['wangjg', 'convener', null],
			['lilj', 'recorder', null],
			['zhangw', 'member', null],
			['liuxf', 'part_time', '青川区民政局'],
			['existing.user', 'observer', null]
		]);
		expect(await roleOf(database.db, byName.get('liuxf')!.id, streetCommittee.id)).toBe('part_time');
		const audited = await database.db.select({ action: auditLog.action }).from(auditLog).where(eq(auditLog.action, 'membership.added'));
		expect(audited).toHaveLength(7);
	});

	it('re-importing the same file changes nothing; a changed role updates the seat', async () => {
		const before = await counts();
		expect(await importMembers(database.db, fixture('members-zh.csv'), null)).toEqual({
			ok: true,
			usersCreated: 0,
			membershipsCreated: 0,
			membershipsUpdated: 0,
			unchanged: 7,
			generatedPasswords: []
		});
		const text = 'username,display_name,committee,role\nzhangw,,滨江社区大党委,recorder\nliuxf,,滨江社区大党委,member\n';
		const preview = await previewMembers(database.db, text);
		// Without a unit column, seats keep the unit they have.
		expect(preview.rows.map((r) => [r.username, r.previousRole, r.role, r.unitName, r.action])).toEqual([
			['zhangw', 'member', 'recorder', null, 'update'],
			['liuxf', 'part_time', 'member', '青川区民政局', 'update']
		]);
		expect(await importMembers(database.db, text, null)).toMatchObject({ ok: true, usersCreated: 0, membershipsCreated: 0, membershipsUpdated: 2 });
		expect(await counts()).toEqual(before);
		expect((await listMembers(database.db, bjCommittee.id)).find((m) => m.username === 'zhangw')?.role).toBe('recorder');
	});

	it('refuses to leave a committee without a convener, unless another is named', async () => {
		const demote = '用户名,姓名,委员会,角色\nwangjg,,滨江社区大党委,委员\n';
		const preview = await previewMembers(database.db, demote);
		expect(preview.errors).toEqual([{ line: 2, column: '角色', key: 'csv.lastConvener', params: { committee: '滨江社区大党委' } }]);
		expect(preview.rows).toEqual([]);
		const swap = '用户名,姓名,委员会,角色\nwangjg,,滨江社区大党委,委员\nlilj,,滨江社区大党委,书记\n';
		expect(await importMembers(database.db, swap, null)).toMatchObject({ ok: true, membershipsUpdated: 2 });
	});

	it('reports every bad row with its line, and writes nothing', async () => {
		const before = await counts();
		const bytes = fixture('members-bad.csv');
		const result = await importMembers(database.db, bytes, null);
		expect(result.ok).toBe(false);
		const errors = result.ok ? [] : result.errors;
		expect(brief(errors)).toEqual([
			[3, 'username', 'csv.badUsername'],
			[4, 'committee', 'csv.unknownCommittee'],
			[5, 'unit', 'csv.partTimeWithoutUnit'],
			[6, 'role', 'csv.unknownRole'],
			[7, 'unit', 'csv.unknownUnit'],
			[8, 'password', 'csv.passwordTooShort'],
			[9, 'committee', 'csv.duplicateMembership'],
			[10, 'username', 'csv.required'],
			[11, 'display_name', 'csv.required']
		]);
		expect(errors.find((e) => e.line === 4)?.params).toEqual({ value: '不存在的大党委' });
		expect(errors.find((e) => e.line === 9)?.params).toEqual({ username: 'good1', committee: '滨江社区大党委', firstLine: 2 });
		expect(await counts()).toEqual(before);
		const [good] = await database.db.select().from(users).where(eq(users.username, 'good1'));
		expect(good).toBeUndefined();
	});

	it('catches a person described differently on two rows', async () => {
		const text = '用户名,姓名,委员会,角色,初始密码\nnew1,新人,滨江社区大党委,委员,password-one\nnew1,另一个名字,临江街道大工委,委员,password-one\n';
		const { errors } = await previewMembers(database.db, text);
		expect(errors).toEqual([{ line: 3, column: '姓名', key: 'csv.conflictingUser', params: { username: 'new1', firstLine: 2 } }]);
	});

	it('reports all of a row’s problems at once', async () => {
		const { errors } = await previewMembers(database.db, '用户名,姓名,委员会,角色,单位\npt2,兼职,不存在的大工委,兼职委员,\n');
		expect(brief(errors)).toEqual([
			[2, '委员会', 'csv.unknownCommittee'],
			[2, '单位', 'csv.partTimeWithoutUnit']
		]);
	});
});

describe('describeCsvError', () => {
	it('gives plain Chinese for every kind of error', () => {
		expect(describeCsvError({ line: 4, column: '类型', key: 'csv.unknownKind', params: { value: '医馆' } })).toBe(
			'第 4 行“类型”列：未知的单位类型“医馆”（可填：机关、学校、医院、企业、其他）'
		);
		expect(describeCsvError({ line: 0, key: 'csv.fileTooLarge', params: { size: 2 * 1024 * 1024, max: 1024 * 1024 } })).toBe('文件过大（2 MiB），上限为 1 MiB');
		expect(describeCsvError({ line: 1, column: '名称', key: 'csv.missingColumn', params: { name: '名称' } })).toBe('第 1 行“名称”列：缺少必需的列“名称”');
	});
});
