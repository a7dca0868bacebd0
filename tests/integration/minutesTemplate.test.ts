import { and, eq } from 'drizzle-orm';
import { yXmlFragmentToProsemirrorJSON } from '@tiptap/y-tiptap';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addAgendaItem, agendaDocName } from '../../src/lib/docs/agenda';
import { MINUTES_FIELD, minutesDocName, minutesSchema } from '../../src/lib/docs/minutes';
import { DEFAULT_TITLE_PATTERNS } from '../../src/lib/docs/minutesTemplate';
import { setAttendance } from '../../src/lib/server/attendance';
import { auditLog, committees, meetings } from '../../src/lib/server/db/schema';
import { DocStore } from '../../src/lib/server/docStore';
import { plainText, readStoredMinutes, type PmJson } from '../../src/lib/server/minutes';
import {
	TemplateValidationError,
	getTemplate,
	layOutStoredMinutes,
	meetingOrdinal,
	saveTemplate,
	skeletonForMeeting
} from '../../src/lib/server/minutesTemplate';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { createCommitteeFixture, type CommitteeFixture } from '../helpers/fixtures';
import { writeMinutes, docOf, p } from '../helpers/minutes';

let database: TestDatabase;

beforeAll(async () => {
	database = await createTestDatabase();
});
afterAll(async () => {
	await database?.destroy();
});

async function refusal(action: () => Promise<unknown>): Promise<TemplateValidationError['fields']> {
	try {
		await action();
	} catch (err) {
		if (err instanceof TemplateValidationError) return err.fields;
		throw err;
	}
	throw new Error('expected a TemplateValidationError');
}

async function addMeeting(f: CommitteeFixture, startsAt: string, kind: 'regular' | 'special' = 'regular', extra: { place?: string; onlineLink?: string } = {}): Promise<string> {
	const [row] = await database.db
		.insert(meetings)
		.values({ committeeId: f.committeeId, title: `会议 ${startsAt}`, kind, startsAt: new Date(startsAt), ...extra })
		.returning({ id: meetings.id });
	return row!.id;
}

/** Stores an agenda as the collaboration server would: one update appended to the log. */
async function storeAgenda(meetingId: string, items: Parameters<typeof addAgendaItem>[1][]): Promise<void> {
	const doc = new Y.Doc();
	for (const item of items) addAgendaItem(doc, item);
	const store = new DocStore(database.db);
	await store.append(agendaDocName(meetingId), Y.encodeStateAsUpdate(doc));
	doc.destroy();
}

const texts = (json: PmJson): string[] => (json.content ?? []).map(plainText);

describe('templates', () => {
	it('falls back to the built-in pattern per committee kind', async () => {
		// Nothing stored yet in a fresh database.
		expect(await getTemplate(database.db, 'community')).toMatchObject({ titlePattern: DEFAULT_TITLE_PATTERNS.community, closingText: '', stored: false });
		expect((await getTemplate(database.db, 'street')).titlePattern).toBe('{committee}{year}年第{n}次工作会议纪要');
	});

	it('saves a template, audits it once, and reports an unchanged save', async () => {
		const f = await createCommitteeFixture(database.db);
		const actor = f.people.admin.id;
		const first = await saveTemplate(database.db, 'street', { titlePattern: ' {committee}{year}年第{n}次{kind}纪要 ', closingText: '抄送：各驻区单位\r\n' }, actor);
		expect(first.changed).toBe(true);
		expect(first.template).toMatchObject({ committeeKind: 'street', titlePattern: '{committee}{year}年第{n}次{kind}纪要', closingText: '抄送：各驻区单位', stored: true });
		const again = await saveTemplate(database.db, 'street', { titlePattern: '{committee}{year}年第{n}次{kind}纪要', closingText: '抄送：各驻区单位' }, actor);
		expect(again.changed).toBe(false);
		const audits = await database.db.select().from(auditLog).where(and(eq(auditLog.action, 'minutes_template.saved'), eq(auditLog.subject, 'minutes_template/street')));
		expect(audits).toHaveLength(1);
		expect(audits[0]!.actorId).toBe(actor);
		expect(audits[0]!.details).toEqual({
			from: { titlePattern: DEFAULT_TITLE_PATTERNS.street, closingText: '' },
			to: { titlePattern: '{committee}{year}年第{n}次{kind}纪要', closingText: '抄送：各驻区单位' }
		});
		// The community template is separate and still the default.
		expect((await getTemplate(database.db, 'community')).stored).toBe(false);
	});

	it('refuses invalid templates field by field and stores nothing', async () => {
		expect(await refusal(() => saveTemplate(database.db, 'community', { titlePattern: '', closingText: '' }, null))).toEqual({
			titlePattern: { key: 'template.error.titleRequired' }
		});
		expect(await refusal(() => saveTemplate(database.db, 'community', { titlePattern: '纪'.repeat(201), closingText: 'x'.repeat(2001) }, null))).toEqual({
			titlePattern: { key: 'template.error.titleTooLong', params: { max: 200 } },
			closingText: { key: 'template.error.closingTooLong', params: { max: 2000 } }
		});
		expect((await refusal(() => saveTemplate(database.db, 'community', { titlePattern: '{committee}{month}', closingText: '' }, null))).titlePattern).toEqual({
			key: 'template.error.unknownPlaceholder',
			params: { name: '{month}' }
		});
		expect(await refusal(() => saveTemplate(database.db, 'district', { titlePattern: '{committee}', closingText: '' }, null))).toEqual({
			form: { key: 'template.error.unknownKind' }
		});
		expect((await getTemplate(database.db, 'community')).stored).toBe(false);
	});
});

describe('meeting ordinal', () => {
	it("counts the committee's meetings of the same kind in the same Beijing year, by start time", async () => {
		const f = await createCommitteeFixture(database.db);
		const other = await createCommitteeFixture(database.db);
		// The fixture's own meeting starts 2026-11-30.
		const jan1 = await addMeeting(f, '2025-12-31T17:00:00Z'); // 2026-01-01 01:00 in Beijing
		const dec2025 = await addMeeting(f, '2025-12-31T15:00:00Z'); // 2025-12-31 23:00 in Beijing
		const march = await addMeeting(f, '2026-03-10T06:00:00Z');
		const special = await addMeeting(f, '2026-02-01T06:00:00Z', 'special');
		const may = await addMeeting(f, '2026-05-10T06:00:00Z');
		// Scheduled later but held earlier: the order is by start time, not by creation.
		const feb = await addMeeting(f, '2026-02-10T06:00:00Z');
		await addMeeting(other, '2026-01-05T06:00:00Z');
		expect(await meetingOrdinal(database.db, dec2025)).toBe(1);
		expect(await meetingOrdinal(database.db, jan1)).toBe(1);
		expect(await meetingOrdinal(database.db, feb)).toBe(2);
		expect(await meetingOrdinal(database.db, march)).toBe(3);
		expect(await meetingOrdinal(database.db, may)).toBe(4);
		expect(await meetingOrdinal(database.db, f.meetingId)).toBe(5);
		expect(await meetingOrdinal(database.db, special)).toBe(1);
		expect(await meetingOrdinal(database.db, other.meetingId)).toBe(2);
		expect(await meetingOrdinal(database.db, '00000000-0000-4000-8000-000000000000')).toBeNull();
		expect(await meetingOrdinal(database.db, 'not-a-uuid')).toBeNull();
	});

	it('orders meetings that start at the same moment by creation, the same way every time', async () => {
		const f = await createCommitteeFixture(database.db);
		const a = await addMeeting(f, '2026-06-01T06:00:00Z');
		const b = await addMeeting(f, '2026-06-01T06:00:00Z');
		// Created one after the other: PGlite's clock can give two quick inserts the same instant,
		// which would leave only the random id to order them.
		const [first] = await database.db.select({ createdAt: meetings.createdAt }).from(meetings).where(eq(meetings.id, a));
		await database.db.update(meetings).set({ createdAt: new Date(first!.createdAt.getTime() + 1000) }).where(eq(meetings.id, b));
		const ordinals = [await meetingOrdinal(database.db, a), await meetingOrdinal(database.db, b)];
		expect(ordinals).toEqual([1, 2]);
	});
});

describe('skeleton for a meeting', () => {
	it('gathers the title, record, host, recorder, attendance and stored agenda', async () => {
		const f = await createCommitteeFixture(database.db);
		const [committee] = await database.db.select({ name: committees.name }).from(committees).where(eq(committees.id, f.committeeId));
		await addMeeting(f, '2026-02-10T06:00:00Z');
		const meetingId = await addMeeting(f, '2026-12-10T06:30:00Z', 'regular', { place: '党群服务中心会议室', onlineLink: 'https://meet.example.cn/a' });
		await storeAgenda(meetingId, [
			{ title: '传达上级会议精神', presenter: '张书记', durationMinutes: 15 },
			{ title: '研究“三张清单”', notes: '需求清单十二项\n资源清单八项', durationMinutes: 30 }
		]);
		await setAttendance(database.db, { meetingId, userId: f.people.convener.id, status: 'present', actorId: null });
		await setAttendance(database.db, { meetingId, userId: f.people.member.id, status: 'absent', reason: '出差', actorId: null });

		const json = await skeletonForMeeting(database.db, meetingId);
		minutesSchema().nodeFromJSON(json).check();
		// The fixture meeting (2026-11-30) is earlier in the year: this one is the third.
		expect(texts(json)).toEqual([
			`${committee!.name}2026年第3次工作例会纪要`,
			'时间：2026年12月10日 14:30',
			'地点：党群服务中心会议室',
			'线上会议：https://meet.example.cn/a',
			`主持人：convener ${f.people.convener.username.slice('convener'.length)}`,
			`记录人：recorder ${f.people.recorder.username.slice('recorder'.length)}`,
			expect.stringMatching(/^出席：convener .+（现场）$/),
			expect.stringMatching(/^请假：member .+（出差）$/),
			// 列席 observers are not counted among the members expected (应到).
			'应到 4 人，实到 1 人，未达到法定人数',
			'会议议题',
			'一、传达上级会议精神',
			'汇报人：张书记',
			'',
			'二、研究“三张清单”',
			'需求清单十二项资源清单八项',
			''
		]);
	});

	it('uses the stored template and the special-meeting title', async () => {
		const f = await createCommitteeFixture(database.db);
		const [committee] = await database.db.select({ name: committees.name }).from(committees).where(eq(committees.id, f.committeeId));
		await saveTemplate(database.db, 'community', { titlePattern: '{committee}第{n}次会议纪要（{date}）', closingText: '报送：街道大工委\n抄送：各驻区单位' }, null);
		try {
			const regular = await skeletonForMeeting(database.db, f.meetingId);
			expect(texts(regular)[0]).toBe(`${committee!.name}第1次会议纪要（2026年11月30日）`);
			expect(texts(regular).slice(-2)).toEqual(['报送：街道大工委', '抄送：各驻区单位']);
			// An empty agenda still gets one section to write in.
			expect(texts(regular).slice(-5, -2)).toEqual(['会议议题', '一、（议题）', '']);
			const specialId = await addMeeting(f, '2026-04-01T02:00:00Z', 'special');
			expect(texts(await skeletonForMeeting(database.db, specialId))[0]).toBe(`${committee!.name}专题会议纪要`);
		} finally {
			await saveTemplate(database.db, 'community', { titlePattern: DEFAULT_TITLE_PATTERNS.community, closingText: '' }, null);
		}
	});

	it('refuses an unknown meeting', async () => {
		await expect(skeletonForMeeting(database.db, '00000000-0000-4000-8000-000000000000')).rejects.toThrow(/not found/);
	});
});

describe('laying out the stored minutes', () => {
	it('writes the skeleton once into the update log, and never over minutes someone wrote', async () => {
		const f = await createCommitteeFixture(database.db);
		// Not before the meeting starts: the agenda may still change.
		expect(await layOutStoredMinutes(database.db, f.meetingId)).toEqual({ laidOut: false, state: null });
		await database.db.update(meetings).set({ state: 'in_progress' }).where(eq(meetings.id, f.meetingId));
		const store = new DocStore(database.db);
		const name = minutesDocName(f.meetingId);
		// Two instances opening the same fresh minutes at the same moment.
		const [a, b] = await Promise.all([layOutStoredMinutes(database.db, f.meetingId), layOutStoredMinutes(database.db, f.meetingId)]);
		expect([a.laidOut, b.laidOut].sort()).toEqual([false, true]);
		expect(await store.logRowCount(name)).toBe(1);
		const stored = await readStoredMinutes(database.db, f.meetingId);
		expect(texts(stored)[0]).toMatch(/2026年第1次工作例会纪要$/);
		// Both answers carry the stored state, so either instance's live copy catches up.
		for (const result of [a, b]) {
			const doc = new Y.Doc();
			Y.applyUpdate(doc, result.state!);
			expect(yXmlFragmentToProsemirrorJSON(doc.getXmlFragment(MINUTES_FIELD))).toEqual(stored);
			doc.destroy();
		}

		// Emptied by hand: still theirs.
		const emptied = await createCommitteeFixture(database.db);
		await database.db.update(meetings).set({ state: 'in_progress' }).where(eq(meetings.id, emptied.meetingId));
		await writeMinutes(database.db, emptied.meetingId, docOf(p('')));
		const doc = new Y.Doc();
		await store.loadInto(minutesDocName(emptied.meetingId), doc, null);
		doc.getXmlFragment(MINUTES_FIELD).delete(0, doc.getXmlFragment(MINUTES_FIELD).length);
		await store.append(minutesDocName(emptied.meetingId), Y.encodeStateAsUpdate(doc));
		const rows = await store.logRowCount(minutesDocName(emptied.meetingId));
		expect((await layOutStoredMinutes(database.db, emptied.meetingId)).laidOut).toBe(false);
		expect(await store.logRowCount(minutesDocName(emptied.meetingId))).toBe(rows);
		expect(await readStoredMinutes(database.db, emptied.meetingId)).toEqual({ type: 'doc', content: [] });
		doc.destroy();
	});
});
