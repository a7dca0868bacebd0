import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decisions, meetings, minutesFinalizations, projectItems } from '../../src/lib/server/db/schema';
import { LifecycleError, transitionMeeting } from '../../src/lib/server/meetingLifecycle';
import { fencedAmong } from '../../src/lib/server/docFence';
import { agendaDocName } from '../../src/lib/docs/agenda';
import { minutesDocName } from '../../src/lib/docs/minutes';
import { canonicalJson, readStoredMinutes, sha256Hex } from '../../src/lib/server/minutes';
import { getProjectItem, projectItemsOfMeeting } from '../../src/lib/server/projectItem';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { createCommitteeFixture, type CommitteeFixture } from '../helpers/fixtures';
import { decision, docOf, h, p, writeMinutes } from '../helpers/minutes';

let database: TestDatabase;
let fx: CommitteeFixture;
const D1 = 'd1a2b3c4-0000-4000-8000-000000000001';
const D2 = 'd1a2b3c4-0000-4000-8000-000000000002';
const D3 = 'd1a2b3c4-0000-4000-8000-000000000003';

beforeAll(async () => {
	database = await createTestDatabase();
	fx = await createCommitteeFixture(database.db);
});
afterAll(() => database?.destroy());

const convener = () => ({ id: fx.people.convener.id, isAdmin: false });
const state = async () => (await database.db.select({ s: meetings.state }).from(meetings).where(eq(meetings.id, fx.meetingId)))[0]!.s;

describe('meeting lifecycle and finalization', () => {
	it('refuses transitions out of order and from people without the role', async () => {
		await expect(transitionMeeting(database.db, { meetingId: fx.meetingId, transition: 'finalize', actor: convener(), override: '测试：跳过确认' })).rejects.toMatchObject({ key: 'lifecycle.wrongState' });
		await expect(
			transitionMeeting(database.db, { meetingId: fx.meetingId, transition: 'start', actor: { id: fx.people.member.id, isAdmin: false } })
		).rejects.toMatchObject({ key: 'lifecycle.notAllowed' });
		expect(await state()).toBe('scheduled');
		await transitionMeeting(database.db, { meetingId: fx.meetingId, transition: 'start', actor: { id: fx.people.recorder.id, isAdmin: false } });
		await transitionMeeting(database.db, { meetingId: fx.meetingId, transition: 'review', actor: { id: fx.people.recorder.id, isAdmin: false } });
		// Only the convener finalizes.
		await expect(
			transitionMeeting(database.db, { meetingId: fx.meetingId, transition: 'finalize', actor: { id: fx.people.recorder.id, isAdmin: false } })
		).rejects.toMatchObject({ key: 'lifecycle.notAllowed' });
	});

	it('a decision with an unknown unit or a bad date blocks finalization, naming the block, and writes nothing', async () => {
		await writeMinutes(
			database.db,
			fx.meetingId,
			docOf(
				h(1, '十一月例会纪要'),
				decision(D1, '由测试医院牵头开展义诊进社区活动', [fx.unitId], '2026-12-31'),
				decision(D2, '修缮三号楼楼道照明', ['00000000-0000-4000-8000-00000000dead'], '2026-02-30')
			)
		);
		let caught: unknown;
		try {
			await transitionMeeting(database.db, { meetingId: fx.meetingId, transition: 'finalize', actor: convener(), override: '测试：跳过确认' });
		} catch (err) {
			caught = err;
		}
		expect(caught).toBeInstanceOf(LifecycleError);
		const e = caught as LifecycleError;
		expect(e.key).toBe('lifecycle.decisionsInvalid');
		expect(e.problems.map((x) => [x.position, x.key])).toEqual([
			[2, 'decision.badDueDate'],
			[2, 'decision.unknownUnit']
		]);
		expect(e.problems[0]!.excerpt).toBe('修缮三号楼楼道照明');
		expect(await state()).toBe('review');
		expect(await database.db.select().from(minutesFinalizations).where(eq(minutesFinalizations.meetingId, fx.meetingId))).toHaveLength(0);
		expect(await database.db.select().from(projectItems).where(eq(projectItems.sourceMeetingId, fx.meetingId))).toHaveLength(0);
		expect(await database.db.select().from(decisions).where(eq(decisions.meetingId, fx.meetingId))).toHaveLength(0);
	});

	it('finalizes: decisions become rows and project items; content stored with its hash', async () => {
		await writeMinutes(
			database.db,
			fx.meetingId,
			docOf(
				h(1, '十一月例会纪要'),
				p('会议由书记主持。'),
				decision(D1, '由测试医院牵头开展义诊进社区活动', [fx.unitId], '2026-12-31'),
				decision(D2, '修缮三号楼楼道照明', [fx.unitId], '2027-01-15')
			)
		);
		const result = await transitionMeeting(database.db, { meetingId: fx.meetingId, transition: 'finalize', actor: convener(), override: '测试：跳过确认' });
		expect(result.state).toBe('finalized');
		expect(result.finalization).toMatchObject({ version: 1, decisions: 2, created: 2, updated: 0, withdrawn: 0 });
		// Fenced with the state, even without a collaboration server in this process.
		expect(await fencedAmong(database.db, [minutesDocName(fx.meetingId), agendaDocName(fx.meetingId)])).toEqual(new Set([minutesDocName(fx.meetingId), agendaDocName(fx.meetingId)]));
		const [final] = await database.db.select().from(minutesFinalizations).where(eq(minutesFinalizations.meetingId, fx.meetingId));
		expect(final!.sha256).toBe(sha256Hex(canonicalJson(await readStoredMinutes(database.db, fx.meetingId))));
		const rows = await database.db.select().from(decisions).where(eq(decisions.meetingId, fx.meetingId));
		expect(rows.map((r) => [r.blockId, r.position, r.dueDate]).sort()).toEqual([
			[D1, 1, '2026-12-31'],
			[D2, 2, '2027-01-15']
		]);
		const items = await projectItemsOfMeeting(database.db, fx.meetingId);
		expect(items).toHaveLength(2);
		const first = items.find((i) => i.sourceBlockId === D1)!;
		expect(first).toMatchObject({ title: '由测试医院牵头开展义诊进社区活动', status: 'not_started', level: 'community', dueDate: '2026-12-31', withdrawn: false });
		expect(first.units.map((u) => u.id)).toEqual([fx.unitId]);
		expect(await state()).toBe('finalized');
	});

	it('reopen needs a reason; re-finalizing updates, adds and withdraws the right items without duplicates', async () => {
		await expect(transitionMeeting(database.db, { meetingId: fx.meetingId, transition: 'reopen', actor: convener(), reason: '  ' })).rejects.toMatchObject({
			key: 'lifecycle.reasonRequired'
		});
		await transitionMeeting(database.db, { meetingId: fx.meetingId, transition: 'reopen', actor: convener(), reason: '补充一项决议' });
		expect(await state()).toBe('review');
		expect((await fencedAmong(database.db, [minutesDocName(fx.meetingId), agendaDocName(fx.meetingId)])).size).toBe(0);
		const before = await projectItemsOfMeeting(database.db, fx.meetingId);
		const d1Item = before.find((i) => i.sourceBlockId === D1)!;
		await writeMinutes(
			database.db,
			fx.meetingId,
			docOf(
				h(1, '十一月例会纪要'),
				decision(D1, '由测试医院牵头开展义诊进社区活动，每月一次', [fx.unitId], '2027-03-31'),
				decision(D3, '组织驻区单位志愿者参与冬季巡逻', [fx.unitId], '2027-02-28')
			)
		);
		const result = await transitionMeeting(database.db, { meetingId: fx.meetingId, transition: 'finalize', actor: convener(), override: '测试：跳过确认' });
		expect(result.finalization).toMatchObject({ version: 2, decisions: 2, created: 1, updated: 1, withdrawn: 1 });
		const after = await projectItemsOfMeeting(database.db, fx.meetingId);
		expect(after.map((i) => i.sourceBlockId).sort()).toEqual([D1, D3]);
		// Same item, updated in place.
		const d1After = after.find((i) => i.sourceBlockId === D1)!;
		expect(d1After.id).toBe(d1Item.id);
		expect(d1After.dueDate).toBe('2027-03-31');
		// The removed decision's item is withdrawn, not deleted.
		const all = await projectItemsOfMeeting(database.db, fx.meetingId, true);
		expect(all).toHaveLength(3);
		expect(all.find((i) => i.sourceBlockId === D2)!.withdrawn).toBe(true);
		expect((await getProjectItem(database.db, d1Item.id))?.decisionText).toContain('每月一次');
		// Both versions of the finalized minutes are kept.
		expect(await database.db.select().from(minutesFinalizations).where(eq(minutesFinalizations.meetingId, fx.meetingId))).toHaveLength(2);
	});
});
