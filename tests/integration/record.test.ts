import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordBody } from '../../src/lib/domain/record';
import { searchArchive } from '../../src/lib/server/archive';
import { meetings, records, recordSearch } from '../../src/lib/server/db/schema';
import { transitionMeeting } from '../../src/lib/server/meetingLifecycle';
import { getRecord, readableRecord, recordsOfMeeting, verifyRecord } from '../../src/lib/server/record';
import { setAttendanceBulk } from '../../src/lib/server/attendance';
import { createTestDatabase, usingPostgres, type TestDatabase } from '../helpers/db';
import { createCommitteeFixture, type CommitteeFixture } from '../helpers/fixtures';
import { decision, docOf, h, p, writeMinutes } from '../helpers/minutes';

let database: TestDatabase;
let a: CommitteeFixture;
let b: CommitteeFixture;

beforeAll(async () => {
	database = await createTestDatabase();
	a = await createCommitteeFixture(database.db);
	b = await createCommitteeFixture(database.db);
});
afterAll(() => database?.destroy());

/** The database's own refusal, whatever wrapper the driver put around it. */
async function refusal(promise: Promise<unknown>): Promise<string> {
	try {
		await promise;
	} catch (err) {
		const e = err as { message?: string; cause?: { message?: string } };
		return `${e.message ?? ''} ${e.cause?.message ?? ''}`;
	}
	return 'accepted';
}

let meetingCounter = 0;
async function meetingIn(fx: CommitteeFixture, content: ReturnType<typeof docOf>, startsAt = '2026-05-10T02:00:00Z'): Promise<string> {
	const [m] = await database.db
		.insert(meetings)
		.values({ committeeId: fx.committeeId, title: `第${++meetingCounter}次例会`, kind: 'regular', startsAt: new Date(startsAt), state: 'review' })
		.returning({ id: meetings.id });
	await writeMinutes(database.db, m!.id, content);
	return m!.id;
}

const finalize = (fx: CommitteeFixture, meetingId: string) =>
	transitionMeeting(database.db, { meetingId, transition: 'finalize', actor: { id: fx.people.convener.id, isAdmin: false }, override: '测试：跳过确认' });

describe('the record', () => {
	it('finalizing freezes the minutes, attendance, decisions and confirmations into a numbered record', async () => {
		await setAttendanceBulk(database.db, a.meetingId, [
			{ userId: a.people.convener.id, status: 'present' },
			{ userId: a.people.part_time.id, status: 'remote' },
			{ userId: a.people.member.id, status: 'absent', reason: '外出培训' },
			{ userId: a.people.observer.id, status: 'present' }
		], a.people.recorder.id);
		await database.db.update(meetings).set({ state: 'review' }).where(eq(meetings.id, a.meetingId));
		await writeMinutes(
			database.db,
			a.meetingId,
			docOf(h(1, '十一月例会纪要'), p('会议研究了垃圾分类工作。'), decision('11111111-0000-4000-8000-000000000001', '由测试医院牵头开展义诊', [a.unitId], '2026-12-31'))
		);
		const result = await finalize(a, a.meetingId);
		const ref = result.finalization!.record;
		expect(ref).toMatchObject({ year: 2026, seq: 1, version: 1, label: '〔2026〕第1号' });
		const stored = (await getRecord(database.db, ref.id))!;
		const body: RecordBody = stored.body;
		expect(body.meeting.title).toBe('十一月例会');
		expect(body.attendance!.present.map((x) => [x.name, x.remote])).toEqual(expect.arrayContaining([[expect.stringContaining('convener'), false], [expect.stringContaining('part_time'), true]]));
		expect(body.attendance!.excused).toEqual([expect.objectContaining({ reason: '外出培训', delegatedTo: null })]);
		expect(body.attendance!.observers).toHaveLength(1);
		expect(body.decisions).toEqual([expect.objectContaining({ text: '由测试医院牵头开展义诊', units: [expect.stringContaining('测试医院')], dueDate: '2026-12-31' })]);
		expect(body.confirmations.length).toBeGreaterThan(0);
		expect(body.override).toBe('测试：跳过确认');
		expect(await verifyRecord(database.db, ref.id)).toMatchObject({ valid: true });
	});

	it('numbers stay gapless and unique per committee and year when meetings finalize at the same moment', async () => {
		const inA = await Promise.all(Array.from({ length: 6 }, (_, i) => meetingIn(a, docOf(p(`A 会议 ${i}`)))));
		const inB = await Promise.all(Array.from({ length: 4 }, (_, i) => meetingIn(b, docOf(p(`B 会议 ${i}`)))));
		const results = await Promise.all([...inA.map((m) => finalize(a, m)), ...inB.map((m) => finalize(b, m))]);
		const seqA = results.slice(0, 6).map((r) => r.finalization!.record.seq).sort((x, y) => x - y);
		const seqB = results.slice(6).map((r) => r.finalization!.record.seq).sort((x, y) => x - y);
		// Committee A already has 〔2026〕第1号 from the first test.
		expect(seqA).toEqual([2, 3, 4, 5, 6, 7]);
		expect(seqB).toEqual([1, 2, 3, 4]);
	});

	it('each year has its own series', async () => {
		const m = await meetingIn(a, docOf(p('明年第一次会议')), '2026-12-31T16:30:00Z'); // 2027-01-01 00:30 in China
		const ref = (await finalize(a, m)).finalization!.record;
		expect([ref.year, ref.seq]).toEqual([2027, 1]);
	});

	it('a failed finalization gives its number back', async () => {
		const bad = await meetingIn(b, docOf(decision('22222222-0000-4000-8000-000000000001', '没有日期的决议', [b.unitId], '')));
		await expect(finalize(b, bad)).rejects.toMatchObject({ key: 'lifecycle.decisionsInvalid' });
		const good = await meetingIn(b, docOf(p('下一次')));
		expect((await finalize(b, good)).finalization!.record.seq).toBe(5);
	});

	it('the database refuses to change or delete a record', async () => {
		const [row] = await database.db.select({ id: records.id }).from(records).limit(1);
		expect(await refusal(database.db.update(records).set({ title: '改过的标题' }).where(eq(records.id, row!.id)))).toMatch(/append-only: UPDATE on records/);
		expect(await refusal(database.db.delete(records).where(eq(records.id, row!.id)))).toMatch(/append-only: DELETE on records/);
		expect(await refusal(database.db.execute(sql`truncate records cascade`))).toMatch(/append-only: TRUNCATE/);
		expect(await refusal(database.db.update(recordSearch).set({ text: 'x' }).where(eq(recordSearch.recordId, row!.id)))).toMatch(/append-only: UPDATE on record_search/);
		expect((await getRecord(database.db, row!.id))!.title).not.toBe('改过的标题');
	});

	it('verify is true for a frozen record and false after its content is changed behind the trigger', async () => {
		const m = await meetingIn(a, docOf(p('原始内容：同意拨付经费五万元。')));
		const ref = (await finalize(a, m)).finalization!.record;
		expect(await verifyRecord(database.db, ref.id)).toMatchObject({ valid: true });
		// What a superuser could do: switch the trigger off and edit the stored JSON.
		await database.db.transaction(async (tx) => {
			await tx.execute(sql`set local session_replication_role = replica`);
			await tx.execute(sql`update records set body = jsonb_set(body, '{content,content,0,content,0,text}', '"原始内容：同意拨付经费五十万元。"') where id = ${ref.id}`);
		});
		expect((await getRecord(database.db, ref.id))!.body.content.content![0]!.content![0]!.text).toContain('五十万元');
		expect(await verifyRecord(database.db, ref.id)).toMatchObject({ valid: false });
	});

	it('a reopened and re-finalized meeting gets v2 of the same number; v1 stays, superseded', async () => {
		const m = await meetingIn(b, docOf(p('第一版纪要')));
		const v1 = (await finalize(b, m)).finalization!.record;
		await transitionMeeting(database.db, { meetingId: m, transition: 'reopen', actor: { id: b.people.convener.id, isAdmin: false }, reason: '补充发言' });
		await writeMinutes(database.db, m, docOf(p('第二版纪要，补充了发言')));
		const v2 = (await finalize(b, m)).finalization!.record;
		expect([v2.year, v2.seq, v2.version]).toEqual([v1.year, v1.seq, 2]);
		const versions = await recordsOfMeeting(database.db, m);
		expect(versions.map((r) => [r.version, r.superseded])).toEqual([
			[2, false],
			[1, true]
		]);
		expect(JSON.stringify(versions[1]!.body.content)).toContain('第一版纪要');
		expect(await verifyRecord(database.db, v1.id)).toMatchObject({ valid: true });
		// The archive lists the current version unless asked for all.
		const current = await searchArchive(database.db, { scopeIds: [b.committeeId], q: '纪要' });
		expect(current.items.map((i) => i.version)).toEqual([2]);
		const all = await searchArchive(database.db, { scopeIds: [b.committeeId], q: '纪要', allVersions: true });
		expect(all.items.map((i) => i.version).sort()).toEqual([1, 2]);
	});

	it('only members of the committee and administrators may read a record', async () => {
		const [row] = await database.db.select({ id: records.id }).from(records).where(eq(records.committeeId, a.committeeId)).limit(1);
		for (const role of ['convener', 'recorder', 'member', 'part_time', 'observer', 'admin'] as const) {
			expect(await readableRecord(database.db, { id: a.people[role].id, isAdmin: role === 'admin' }, row!.id)).not.toBeNull();
		}
		expect(await readableRecord(database.db, { id: a.people.outsider.id, isAdmin: false }, row!.id)).toBeNull();
		expect(await readableRecord(database.db, { id: b.people.convener.id, isAdmin: false }, row!.id)).toBeNull();
	});
});

describe(`Chinese full-text search (${usingPostgres() ? 'PostgreSQL' : 'PGlite'})`, () => {
	let hit: string;
	let twice: string;
	beforeAll(async () => {
		hit = (await finalize(a, await meetingIn(a, docOf(h(2, '一、环境整治'), p('会议部署了垃圾分类进小区工作，要求各单位配合。'))))).finalization!.record.id;
		twice = (await finalize(a, await meetingIn(a, docOf(p('垃圾分类是重点。'), p('再次强调垃圾分类和垃圾清运。'))))).finalization!.record.id;
		// Holds every bigram of 垃圾分类 but never the phrase.
		await finalize(a, await meetingIn(a, docOf(p('清理垃圾，分类存放；圾分开来。'))));
	});

	it('finds the minutes containing a phrase, ranked, with the hit marked in a snippet', async () => {
		const result = await searchArchive(database.db, { scopeIds: [a.committeeId], q: '垃圾分类' });
		const ids = result.items.map((i) => i.id);
		expect(ids).toContain(hit);
		expect(ids).toContain(twice);
		expect(ids.indexOf(twice)).toBeLessThan(ids.indexOf(hit));
		// …and the first test's minutes, which also mention it; not the one with the bigrams apart.
		expect(result.total).toBe(3);
		const entry = result.items.find((i) => i.id === hit)!;
		expect(entry.snippet!.filter((s) => s.hit).map((s) => s.text)).toEqual(['垃圾分类']);
		expect(entry.snippet!.map((s) => s.text).join('')).toContain('会议部署了垃圾分类进小区工作');
	});

	it('several phrases must all occur; single characters and Latin words work; nothing matches nothing', async () => {
		expect((await searchArchive(database.db, { scopeIds: [a.committeeId], q: '垃圾分类 清运' })).items.map((i) => i.id)).toEqual([twice]);
		expect((await searchArchive(database.db, { scopeIds: [a.committeeId], q: '運' })).total).toBe(0);
		expect((await searchArchive(database.db, { scopeIds: [a.committeeId], q: '运' })).items.map((i) => i.id)).toEqual([twice]);
		expect((await searchArchive(database.db, { scopeIds: [a.committeeId], q: 'A 会议' })).total).toBe(6);
		expect((await searchArchive(database.db, { scopeIds: [a.committeeId], q: '养老服务' })).total).toBe(0);
		// Other committees' records are never searched.
		expect((await searchArchive(database.db, { scopeIds: [b.committeeId], q: '垃圾分类' })).total).toBe(0);
		// Query syntax is data, not syntax.
		expect((await searchArchive(database.db, { scopeIds: [a.committeeId], q: "'&|!:* <-> \\" })).total).toBe(0);
	});

	it('finalizes very long minutes: the search terms are capped, never refused by the database', async () => {
		const huge = Array.from({ length: 300_000 }, (_, i) => String.fromCodePoint(0x4e00 + ((i * 7919) % 20000))).join('');
		const m = await meetingIn(a, docOf(p(`开头的独特短语：社区议事厅。${huge}`)));
		const ref = (await finalize(a, m)).finalization!.record;
		expect((await searchArchive(database.db, { scopeIds: [a.committeeId], q: '社区议事厅' })).items.map((i) => i.id)).toEqual([ref.id]);
	});

	it('filters by year and street, and pages', async () => {
		expect((await searchArchive(database.db, { scopeIds: [a.committeeId], year: 2027 })).items).toHaveLength(1);
		const all = await searchArchive(database.db, { scopeIds: [a.committeeId, b.committeeId] });
		expect(all.total).toBeGreaterThan(0);
		expect(all.items.every((i) => !i.superseded)).toBe(true);
	});
});
