import { and, eq } from 'drizzle-orm';
import * as Y from 'yjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BULLETIN_FIELD } from '../../src/lib/docs/bulletin';
import type { PmNode } from '../../src/lib/domain/record';
import { bulletinFigures, bulletinScope, draftBulletin, freezeBulletin, refreshBulletin, reopenBulletin } from '../../src/lib/server/bulletin';
import { districts, memberships, projectItems, users } from '../../src/lib/server/db/schema';
import { resolveDocAccess } from '../../src/lib/server/docAccess';
import { editDocument, readDocument } from '../../src/lib/server/liveEdit';
import { plainText } from '../../src/lib/server/minutes';
import { getRecord, readableRecord, verifyRecord } from '../../src/lib/server/record';
import { seedDemo } from '../../src/lib/server/seed';
import { seedTracking } from '../../src/lib/server/seedTracking';
import { mayViewUnit, unitYear } from '../../src/lib/server/unitSummary';
import { yXmlFragmentToProsemirrorJSON } from '@tiptap/y-tiptap';
import { createTestDatabase, type TestDatabase } from '../helpers/db';

/*
 * Quarterly bulletins on the demo data, seeded as of 28 November 2026 (China). Each of the
 * three tracked committees has five items: one done (two units), one on track, one overdue
 * (due 8 November, 20 days late, no October report), one on hold, one never reported on (not
 * started, October missing). So a committee's Q4 bulletin says: 5 items, 1 done (20%), 1 in
 * progress, 1 not started, 1 overdue, 1 on hold, 2 reports missing; the district's, three times that.
 */

const NOW = new Date('2026-11-28T02:00:00Z');
const TODAY = '2026-11-28';
let database: TestDatabase;
let committeeId: string;
let districtId: string;
let convener: { id: string; isAdmin: boolean };
let member: { id: string; isAdmin: boolean };
let admin: { id: string; isAdmin: boolean };

const content = (doc: Y.Doc) => yXmlFragmentToProsemirrorJSON(doc.getXmlFragment(BULLETIN_FIELD)) as PmNode;
const textOf = async (name: string) => plainText(await readDocument(database.db, name, content));

beforeAll(async () => {
	database = await createTestDatabase();
	await seedDemo(database.db, NOW);
	await seedTracking(database.db, NOW);
	const [seat] = await database.db
		.select({ userId: users.id, committeeId: memberships.committeeId })
		.from(users)
		.innerJoin(memberships, and(eq(memberships.userId, users.id), eq(memberships.role, 'convener')))
		.where(eq(users.username, 'c02.convener'));
	committeeId = seat!.committeeId;
	convener = { id: seat!.userId, isAdmin: false };
	const [m] = await database.db.select({ userId: memberships.userId }).from(memberships).where(and(eq(memberships.committeeId, committeeId), eq(memberships.role, 'part_time'))).limit(1);
	member = { id: m!.userId, isAdmin: false };
	const [a] = await database.db.insert(users).values({ username: 'bulletin-admin', displayName: '区委组织部', passwordHash: 'x', isAdmin: true }).returning({ id: users.id });
	admin = { id: a!.id, isAdmin: true };
	districtId = (await database.db.select({ id: districts.id }).from(districts))[0]!.id;
}, 120_000);
afterAll(() => database?.destroy());

describe('quarterly bulletins', () => {
	it('computes a committee quarter as counted by hand', async () => {
		const f = await bulletinFigures(database.db, (await bulletinScope(database.db, committeeId))!, 2026, 4, TODAY);
		expect([f.total, f.done, f.inProgress, f.notStarted, f.overdue, f.onHold, f.missing]).toEqual([5, 1, 1, 1, 1, 1, 2]);
		expect(f.completion).toBeCloseTo(0.2);
		expect(f.overdueItems).toEqual([expect.objectContaining({ dueDate: '2026-11-08', days: 20 })]);
		// The done decision has two units: six unit rows' worth of items, two of them done.
		expect(f.perUnit.reduce((n, u) => n + u.total, 0)).toBe(6);
		expect(f.perUnit.reduce((n, u) => n + u.done, 0)).toBe(2);
		expect(f.perUnit.reduce((n, u) => n + u.missing, 0)).toBe(2);
		expect(f.missingReports.every((m) => m.month === '2026-10')).toBe(true);
	});

	let bulletinId: string;
	let docName: string;

	it('drafts the live document pre-filled with the figures as of the day, once per quarter, by the convener or recorder', async () => {
		await expect(draftBulletin(database.db, member, { scopeId: committeeId, year: 2026, quarter: 4 }, TODAY)).rejects.toMatchObject({ key: 'bulletin.error.notAllowed' });
		await expect(draftBulletin(database.db, convener, { scopeId: committeeId, year: 2027, quarter: 1 }, TODAY)).rejects.toMatchObject({ key: 'bulletin.error.badPeriod' });
		await expect(draftBulletin(database.db, convener, { scopeId: committeeId, year: 2026, quarter: 5 }, TODAY)).rejects.toMatchObject({ key: 'bulletin.error.badPeriod' });
		const row = await draftBulletin(database.db, convener, { scopeId: committeeId, year: 2026, quarter: 4 }, TODAY);
		bulletinId = row.id;
		docName = row.docName;
		expect(row).toMatchObject({ state: 'draft', figuresAsOf: TODAY, period: '2026-Q4' });
		expect(docName).toBe(`bulletin/${committeeId}/2026-Q4`);
		const text = await textOf(docName);
		expect(text).toContain('第四季度共建项目督查通报');
		expect(text).toContain('（数据截至2026年11月28日）');
		expect(text).toContain('共跟踪共建项目5个，已完成1个，完成率20%；推进中1个，未启动1个，逾期未完成1个，暂缓1个。月度进展应报未报2次。');
		expect(text).toContain('工作亮点');
		await expect(draftBulletin(database.db, convener, { scopeId: committeeId, year: 2026, quarter: 4 }, TODAY)).rejects.toMatchObject({ key: 'bulletin.error.exists' });
	});

	it('gives the convener write access, members comment access, outsiders none', async () => {
		const ref = { kind: 'bulletin' as const, scopeId: committeeId, year: 2026, quarter: 4 as const };
		expect(await resolveDocAccess(database.db, convener, ref)).toMatchObject({ found: true, access: 'write' });
		expect(await resolveDocAccess(database.db, member, ref)).toMatchObject({ found: true, access: 'comment' });
		expect(await resolveDocAccess(database.db, admin, { ...ref, quarter: 3 })).toEqual({ found: false });
	});

	it('refresh replaces only the generated parts: written text stays, edited figures are regenerated', async () => {
		// People write the highlights and overwrite a generated figure.
		await editDocument(database.db, docName, (doc) => {
			const fragment = doc.getXmlFragment(BULLETIN_FIELD);
			const children = fragment.toArray() as Y.XmlElement[];
			const highlights = children.findIndex((c) => c.toString().includes('工作亮点'));
			const paragraph = children[highlights + 1]!;
			(paragraph.get(0) as Y.XmlText | undefined)?.insert(0, '东湖小学开展垃圾分类进课堂，居民好评。') ?? paragraph.insert(0, [new Y.XmlText('东湖小学开展垃圾分类进课堂，居民好评。')]);
			const summary = children.find((c) => c.getAttribute('generated') === 'summary')!;
			const t = summary.get(0) as Y.XmlText;
			t.delete(0, t.length);
			t.insert(0, '被人改过的数字');
		});
		expect(await textOf(docName)).toContain('被人改过的数字');
		// The overdue item is finished meanwhile.
		const [overdue] = await database.db.select({ id: projectItems.id }).from(projectItems).where(and(eq(projectItems.committeeId, committeeId), eq(projectItems.dueDate, '2026-11-08')));
		await database.db.update(projectItems).set({ status: 'done', doneOn: '2026-11-29' }).where(eq(projectItems.id, overdue!.id));
		const refreshed = await refreshBulletin(database.db, convener, bulletinId, '2026-11-29');
		expect(refreshed.figuresAsOf).toBe('2026-11-29');
		const text = await textOf(docName);
		expect(text).toContain('东湖小学开展垃圾分类进课堂，居民好评。');
		expect(text).not.toContain('被人改过的数字');
		expect(text).toContain('已完成2个，完成率40%');
		expect(text).toContain('本季度无逾期项目。');
		expect(text).toContain('（数据截至2026年11月29日）');
		// Each generated part is there once.
		expect(text.match(/数据截至/g)).toHaveLength(1);
		await expect(refreshBulletin(database.db, member, bulletinId, '2026-11-29')).rejects.toMatchObject({ key: 'bulletin.error.notAllowed' });
	});

	it('freezes into the record with its own numbering series; a frozen bulletin is read-only and refuses a refresh', async () => {
		const ref = await freezeBulletin(database.db, convener, bulletinId);
		expect(ref.label).toBe('督查通报〔2026〕第1号');
		const record = (await getRecord(database.db, ref.id))!;
		expect(record.kind).toBe('bulletin');
		expect(record.body.attendance).toBeNull();
		expect(plainText(record.body.content)).toContain('东湖小学开展垃圾分类进课堂');
		expect(await verifyRecord(database.db, ref.id)).toMatchObject({ valid: true });
		expect(await readableRecord(database.db, member, ref.id)).not.toBeNull();
		await expect(refreshBulletin(database.db, convener, bulletinId)).rejects.toMatchObject({ key: 'bulletin.error.frozen' });
		await expect(freezeBulletin(database.db, convener, bulletinId)).rejects.toMatchObject({ key: 'bulletin.error.frozen' });
		expect(await resolveDocAccess(database.db, convener, { kind: 'bulletin', scopeId: committeeId, year: 2026, quarter: 4 })).toMatchObject({ access: 'read', state: 'finalized' });
		// The next bulletin of the committee is No. 2 of the bulletin series, whatever the minutes' numbers are.
		const q3 = await draftBulletin(database.db, convener, { scopeId: committeeId, year: 2026, quarter: 3 }, TODAY);
		expect((await freezeBulletin(database.db, convener, q3.id)).label).toBe('督查通报〔2026〕第2号');
	});

	it('reopens with a reason; freezing again is version 2 of the same number', async () => {
		await expect(reopenBulletin(database.db, convener, bulletinId, '  ')).rejects.toMatchObject({ key: 'bulletin.error.reasonRequired' });
		await reopenBulletin(database.db, convener, bulletinId, '补充工作亮点');
		const v2 = await freezeBulletin(database.db, convener, bulletinId);
		expect([v2.seq, v2.version]).toEqual([1, 2]);
	});

	it('a district bulletin is the administrators’: district figures, filed under the district', async () => {
		await expect(draftBulletin(database.db, convener, { scopeId: districtId, year: 2026, quarter: 4 }, TODAY)).rejects.toMatchObject({ key: 'bulletin.error.notAllowed' });
		const row = await draftBulletin(database.db, admin, { scopeId: districtId, year: 2026, quarter: 4 }, TODAY);
		const text = await textOf(row.docName);
		expect(text).toContain('各委员会推进情况');
		// One item was finished above: 15 items, 4 done.
		expect(text).toContain('共跟踪共建项目15个，已完成4个');
		expect(await resolveDocAccess(database.db, convener, { kind: 'bulletin', scopeId: districtId, year: 2026, quarter: 4 })).toMatchObject({ access: 'none' });
		expect(await resolveDocAccess(database.db, admin, { kind: 'bulletin', scopeId: districtId, year: 2026, quarter: 4 })).toMatchObject({ access: 'write' });
		const ref = await freezeBulletin(database.db, admin, row.id);
		expect(ref).toMatchObject({ scopeId: districtId, committeeId: null, label: '督查通报〔2026〕第1号' });
		expect(await readableRecord(database.db, convener, ref.id)).toBeNull();
		expect((await readableRecord(database.db, admin, ref.id))!.committeeName).toBe((await bulletinScope(database.db, districtId))!.name);
	});

	it('a unit’s year: its projects with reported and missing months, and the frozen bulletins that name it', async () => {
		const [seat] = await database.db
			.select({ unitId: memberships.unitId, userId: memberships.userId })
			.from(memberships)
			.where(and(eq(memberships.committeeId, committeeId), eq(memberships.role, 'part_time')))
			.limit(1);
		const unitId = seat!.unitId!;
		const year = (await unitYear(database.db, unitId, 2026, TODAY))!;
		expect(year.projects.length).toBeGreaterThan(0);
		expect(year.counts.total).toBe(year.projects.length);
		expect(year.projects.every((p) => p.reported.every((m) => m.startsWith('2026-')))).toBe(true);
		// The committee's Q4 bulletin (v2, current) and its Q3 one list every responsible unit; so does the district's.
		const district = (await bulletinScope(database.db, districtId))!.name;
		expect(year.bulletins.map((b) => `${b.scopeName} ${b.label}`).sort()).toEqual(
			[`${district} 督查通报〔2026〕第1号`, `${year.projects[0]!.committeeName} 督查通报〔2026〕第1号`, `${year.projects[0]!.committeeName} 督查通报〔2026〕第2号`].sort()
		);
		expect(await mayViewUnit(database.db, { id: seat!.userId, isAdmin: false }, unitId)).toBe(true);
		expect(await mayViewUnit(database.db, convener, unitId)).toBe(true);
		expect(await mayViewUnit(database.db, admin, unitId)).toBe(true);
		const [stranger] = await database.db.insert(users).values({ username: 'stranger', displayName: '路人', passwordHash: 'x' }).returning({ id: users.id });
		expect(await mayViewUnit(database.db, { id: stranger!.id, isAdmin: false }, unitId)).toBe(false);
		expect(await unitYear(database.db, '00000000-0000-4000-8000-000000000000', 2026, TODAY)).toBeNull();
	});
});
