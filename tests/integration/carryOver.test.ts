import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addAgendaItem, agendaDocName } from '../../src/lib/docs/agenda';
import { carryOverAgendaItem } from '../../src/lib/docs/carryOver';
import { carryOverSuggestions } from '../../src/lib/server/carryOver';
import { meetings, progressReports, projectItems, projectItemUnits } from '../../src/lib/server/db/schema';
import { editDocument } from '../../src/lib/server/liveEdit';
import { plainText } from '../../src/lib/server/minutes';
import { skeletonForMeeting } from '../../src/lib/server/minutesTemplate';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { createCommitteeFixture, type CommitteeFixture } from '../helpers/fixtures';

let database: TestDatabase;
let fx: CommitteeFixture;
const TODAY = '2026-11-28';
const MEETING_DAY = '2026-12-05';
const ids: Record<string, string> = {};

beforeAll(async () => {
	database = await createTestDatabase();
	fx = await createCommitteeFixture(database.db);
	const item = async (key: string, title: string, dueDate: string | null, status: 'not_started' | 'in_progress' | 'done' | 'on_hold' = 'in_progress') => {
		const [row] = await database.db
			.insert(projectItems)
			.values({ committeeId: fx.committeeId, title, level: 'community', dueDate, status, holdReason: status === 'on_hold' ? '暂缓' : '', doneOn: status === 'done' ? '2026-11-01' : null })
			.returning();
		await database.db.insert(projectItemUnits).values({ projectItemId: row!.id, unitId: fx.unitId });
		ids[key] = row!.id;
	};
	await item('overdue', '错时停车', '2026-11-08');
	await item('due', '楼道照明', '2026-12-01');
	await item('help', '长者食堂', '2027-06-30');
	await item('quiet', '课业辅导', '2027-06-30');
	await item('done', '党员先锋岗', '2026-11-01', 'done');
	await item('doneLate', '已完成但逾期', '2026-10-01', 'done');
	// Help was asked in September but not in October: only the newest month's request counts.
	await database.db.insert(progressReports).values([
		{ projectItemId: ids.help!, unitId: fx.unitId, month: '2026-10', done: '已选址', progress: 40, helpNeeded: '请街道协调场地租金' },
		{ projectItemId: ids.quiet!, unitId: fx.unitId, month: '2026-09', done: '启动', progress: 10, helpNeeded: '需要志愿者' },
		{ projectItemId: ids.quiet!, unitId: fx.unitId, month: '2026-10', done: '进行中', progress: 20, helpNeeded: '' }
	]);
});
afterAll(() => database?.destroy());

describe('carry-over to the next meeting', () => {
	it('suggests overdue items, items due by the meeting and items whose latest report asks for help, most pressing first', async () => {
		const list = await carryOverSuggestions(database.db, { committeeId: fx.committeeId, meetingId: fx.meetingId, meetingDay: MEETING_DAY, today: TODAY, onAgenda: new Set() });
		expect(list.map((s) => [s.title, s.reasons, s.helpNeeded])).toEqual([
			['错时停车', ['overdue'], []],
			['楼道照明', ['due'], []],
			['长者食堂', ['help'], ['请街道协调场地租金']]
		]);
		expect(list[0]).toMatchObject({ itemId: ids.overdue, status: 'overdue', dueDate: '2026-11-08' });
		// Already on the agenda: not offered again.
		const again = await carryOverSuggestions(database.db, { committeeId: fx.committeeId, meetingId: fx.meetingId, meetingDay: MEETING_DAY, today: TODAY, onAgenda: new Set([ids.overdue!]) });
		expect(again.map((s) => s.title)).toEqual(['楼道照明', '长者食堂']);
	});

	it('once on the agenda, the minutes lay them out under 上次会议决议落实情况', async () => {
		const list = await carryOverSuggestions(database.db, { committeeId: fx.committeeId, meetingId: fx.meetingId, meetingDay: MEETING_DAY, today: TODAY, onAgenda: new Set() });
		await database.db.update(meetings).set({ startsAt: new Date(`${MEETING_DAY}T01:30:00Z`) });
		await editDocument(database.db, agendaDocName(fx.meetingId), (doc) => {
			addAgendaItem(doc, { title: '社区食堂选址' });
			for (const s of [list[0]!, list[2]!]) addAgendaItem(doc, carryOverAgendaItem(s));
		});
		const skeleton = await skeletonForMeeting(database.db, fx.meetingId);
		const text = (skeleton.content ?? []).map((n) => `${n.type === 'heading' ? 'h' : 'p'}:${(n.content ?? []).map(plainText).join('')}`);
		const start = text.indexOf('h:上次会议决议落实情况');
		expect(start).toBeGreaterThan(0);
		expect(text.slice(start, start + 6)).toEqual([
			'h:上次会议决议落实情况',
			expect.stringMatching(/^p:1\. 错时停车（责任单位：.+；完成时限：2026-11-08；目前：逾期，进度 0%）$/),
			'p:',
			expect.stringMatching(/^p:2\. 长者食堂（.+目前：进行中，进度 0%）$/),
			'p:需协调：请街道协调场地租金',
			'p:'
		]);
		expect(text).toContain('h:会议议题');
		expect(text.filter((l) => l.startsWith('h:一、'))).toEqual(['h:一、社区食堂选址']);
	});
});
