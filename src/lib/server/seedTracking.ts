import { prosemirrorJSONToYXmlFragment } from '@tiptap/y-tiptap';
import { and, eq } from 'drizzle-orm';
import * as Y from 'yjs';
import { MINUTES_FIELD, minutesDocName, minutesSchema } from '../docs/minutes';
import { addMonths, chinaToday, DEFAULT_REPORT_DAY, lastClosedMonth } from '../domain/projectStatus';
import type { Db } from './db';
import { meetings, memberships, progressReports, projectItems, projectItemUnits, users } from './db/schema';
import { DocStore } from './docStore';
import { transitionMeeting } from './meetingLifecycle';
import type { PmJson } from './minutes';

/*
 * Demo supervision data (SEED=demo): in three committees other than the demo accounts' own
 * (whose lists the walkthrough fills by hand), an earlier meeting whose minutes were finalized
 * through the real lifecycle, so its decisions are tracked items with their minutes behind
 * them; then a few months of monthly reports and the states items reach: done, on track,
 * overdue, on hold, a report missing. Dates follow `now`, so the dashboards always have
 * something current to show.
 */

/** The demo's past meetings were never confirmed in the app: finalized by the convener's override. */
const SEED_OVERRIDE = '演示数据：历史会议纪要已线下确认';

/** The committees, by their conveners' demo usernames. */
const COMMITTEES = ['c02.convener', 'c03.convener', 's2.convener'] as const;

type Fate = 'done' | 'on_track' | 'overdue' | 'on_hold' | 'silent';

interface PlannedDecision {
	text: string;
	/** Days from `now` the item is due. */
	dueIn: number;
	fate: Fate;
}

const DECISIONS: PlannedDecision[] = [
	{ text: '同意开展“党员先锋岗”进社区活动，由共建单位每月派出党员志愿者参与社区服务。', dueIn: 30, fate: 'done' },
	{ text: '同意对辖区老旧小区楼道照明进行排查改造，年底前完成。', dueIn: 45, fate: 'on_track' },
	{ text: '同意协调共建单位开放停车场，夜间错时共享车位。', dueIn: -20, fate: 'overdue' },
	{ text: '同意筹建社区长者食堂，选址待街道统一规划后确定。', dueIn: 90, fate: 'on_hold' },
	{ text: '同意为辖区困难家庭学生开展暑期课业辅导。', dueIn: 60, fate: 'silent' }
];

const day = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

function minutesJson(decisions: { id: string; text: string; units: string[]; dueDate: string }[]): PmJson {
	const p = (text: string): PmJson => ({ type: 'paragraph', content: [{ type: 'text', text }] });
	return {
		type: 'doc',
		content: [
			{ type: 'heading', attrs: { level: 1 }, content: [{ type: 'text', text: '共建例会纪要' }] },
			p('会议听取了各共建单位关于年度共建项目的意见，经讨论，形成如下决议：'),
			...decisions.map((d) => ({ type: 'decision', attrs: { id: d.id, units: d.units.join(','), dueDate: d.dueDate, proposalId: '' }, content: [p(d.text)] }))
		]
	};
}

async function writeMinutes(db: Db, meetingId: string, json: PmJson): Promise<void> {
	const store = new DocStore(db);
	const doc = new Y.Doc();
	const updates: Uint8Array[] = [];
	doc.on('update', (u: Uint8Array) => updates.push(u));
	doc.transact(() => prosemirrorJSONToYXmlFragment(minutesSchema(), json, doc.getXmlFragment(MINUTES_FIELD)));
	for (const u of updates) await store.append(minutesDocName(meetingId), u);
	doc.destroy();
}

/** Seeds the demo supervision data; expects `seedDemo` to have just created the district. */
export async function seedTracking(db: Db, now = new Date()): Promise<{ items: number; reports: number }> {
	const today = chinaToday(now);
	// About two and a half months ago, but in this year: the dashboards open on the current year.
	const meetingDay = [day(today, -75), `${today.slice(0, 4)}-01-02`].sort()[1]!;
	let items = 0;
	let reports = 0;
	for (const username of COMMITTEES) {
		const [convener] = await db
			.select({ userId: users.id, committeeId: memberships.committeeId })
			.from(users)
			.innerJoin(memberships, and(eq(memberships.userId, users.id), eq(memberships.role, 'convener')))
			.where(eq(users.username, username))
			.limit(1);
		if (!convener) throw new Error(`seedTracking: no demo convener ${username}`);
		const seats = await db
			.select({ userId: memberships.userId, unitId: memberships.unitId })
			.from(memberships)
			.where(and(eq(memberships.committeeId, convener.committeeId), eq(memberships.role, 'part_time')));
		const unitSeats = seats.filter((s): s is { userId: string; unitId: string } => s.unitId !== null);
		if (unitSeats.length === 0) throw new Error(`seedTracking: committee of ${username} has no member units`);

		const [meeting] = await db
			.insert(meetings)
			.values({
				committeeId: convener.committeeId,
				title: `${Number(meetingDay.slice(5, 7))}月共建例会`,
				kind: 'regular',
				// 09:30 China time on the meeting day.
				startsAt: new Date(`${meetingDay}T01:30:00Z`),
				place: '党群服务中心会议室',
				createdBy: convener.userId
			})
			.returning({ id: meetings.id });
		const planned = DECISIONS.map((d, i) => ({
			id: crypto.randomUUID(),
			text: d.text,
			fate: d.fate,
			// Each decision goes to one member unit, the first also to a second: units share work.
			units: i === 0 && unitSeats.length > 1 ? [unitSeats[0]!.unitId, unitSeats[1]!.unitId] : [unitSeats[i % unitSeats.length]!.unitId],
			dueDate: day(today, d.dueIn)
		}));
		await writeMinutes(db, meeting!.id, minutesJson(planned));
		const actor = { id: convener.userId, isAdmin: false };
		for (const transition of ['start', 'review', 'finalize'] as const) await transitionMeeting(db, { meetingId: meeting!.id, transition, actor, override: SEED_OVERRIDE });

		const rows = await db.select().from(projectItems).where(eq(projectItems.sourceMeetingId, meeting!.id));
		// Decided at the meeting: months before it owe no report.
		await db.update(projectItems).set({ createdAt: new Date(`${meetingDay}T04:00:00Z`) }).where(eq(projectItems.sourceMeetingId, meeting!.id));
		const firstMonth = meetingDay.slice(0, 7);
		// Reports exist up to the last month whose window has closed (later ones are still due).
		const lastClosed = lastClosedMonth(today, DEFAULT_REPORT_DAY);
		for (const plan of planned) {
			const item = rows.find((r) => r.sourceBlockId === plan.id);
			if (!item) throw new Error('seedTracking: a decision did not become an item');
			items++;
			const itemUnits = await db.select({ unitId: projectItemUnits.unitId }).from(projectItemUnits).where(eq(projectItemUnits.projectItemId, item.id));
			const reporters = unitSeats.filter((s) => itemUnits.some((u) => u.unitId === s.unitId));
			// Monthly reports from the meeting's month up to the last closed one; the overdue item
			// skips that one and the silent one never reports, so theirs show as missing.
			const months: string[] = [];
			for (let m = firstMonth; m <= lastClosed; m = addMonths(m, 1)) months.push(m);
			const reported = plan.fate === 'silent' ? [] : plan.fate === 'overdue' ? months.slice(0, -1) : months;
			let progress = 0;
			for (const [k, month] of reported.entries()) {
				progress = plan.fate === 'done' ? Math.min(100, 40 * (k + 1)) : Math.min(90, 20 * (k + 1));
				for (const r of reporters) {
					await db.insert(progressReports).values({
						projectItemId: item.id,
						unitId: r.unitId,
						month,
						done: `${month} 月按计划推进：${plan.text.slice(2, 14)}……`,
						progress,
						problems: plan.fate === 'overdue' ? '部分共建单位场地开放时间尚未协调一致。' : '',
						helpNeeded: plan.fate === 'overdue' ? '请街道协调相关单位明确开放时段。' : '',
						submittedBy: r.userId,
						submittedAt: new Date(`${addMonths(month, 1)}-05T02:00:00Z`),
						updatedAt: new Date(`${addMonths(month, 1)}-05T02:00:00Z`)
					});
					reports++;
				}
			}
			const status = plan.fate === 'done' ? 'done' : plan.fate === 'on_hold' ? 'on_hold' : plan.fate === 'silent' ? 'not_started' : 'in_progress';
			await db
				.update(projectItems)
				.set({
					status,
					progress: plan.fate === 'done' ? 100 : progress,
					doneOn: plan.fate === 'done' ? day(today, -12) : null,
					holdReason: plan.fate === 'on_hold' ? '选址需等待街道统一规划，暂缓实施。' : ''
				})
				.where(eq(projectItems.id, item.id));
		}
	}
	return { items, reports };
}
