import { desc, inArray } from 'drizzle-orm';
import { displayStatus, type DisplayStatus } from '../domain/projectStatus';
import type { DbOrTx } from './db';
import { progressReports } from './db/schema';
import { projectItemsOfCommittee, type ProjectItemView } from './projectItem';

/*
 * Carry-over (督办): when a meeting is prepared, the committee's tracked items that need its
 * attention are offered for the agenda — overdue ones, ones due by the meeting day, and ones
 * whose latest monthly report asks for help (需协调事项). People choose; nothing is added by
 * itself. Once on the agenda, the minutes lay them out under 上次会议决议落实情况.
 */

export type CarryOverReason = 'overdue' | 'due' | 'help';

export interface CarryOverItem {
	itemId: string;
	title: string;
	dueDate: string | null;
	status: DisplayStatus;
	progress: number;
	units: string[];
	reasons: CarryOverReason[];
	/** The help asked for in the latest reports, one line per unit that asked. */
	helpNeeded: string[];
}

/**
 * Help asked for (需协调事项) in each unit's newest report on an item: a request made in an
 * older report and not repeated since is taken as dealt with.
 */
export async function helpRequests(db: DbOrTx, itemIds: string[]): Promise<Map<string, string[]>> {
	const out = new Map<string, string[]>();
	if (itemIds.length === 0) return out;
	const rows = await db
		.select({ itemId: progressReports.projectItemId, unitId: progressReports.unitId, helpNeeded: progressReports.helpNeeded })
		.from(progressReports)
		.where(inArray(progressReports.projectItemId, itemIds))
		.orderBy(desc(progressReports.month));
	const seen = new Set<string>();
	for (const r of rows) {
		const key = `${r.itemId}/${r.unitId}`;
		if (seen.has(key)) continue;
		seen.add(key);
		if (r.helpNeeded.trim()) out.set(r.itemId, [...(out.get(r.itemId) ?? []), r.helpNeeded]);
	}
	return out;
}

function reasonsFor(item: ProjectItemView, status: DisplayStatus, meetingDay: string, help: string[] | undefined): CarryOverReason[] {
	const reasons: CarryOverReason[] = [];
	if (status === 'overdue') reasons.push('overdue');
	else if (item.dueDate && item.dueDate <= meetingDay) reasons.push('due');
	if (help && help.length > 0) reasons.push('help');
	return reasons;
}

/**
 * What the meeting on `meetingDay` (China date) should look at, most pressing first. Items
 * already done, withdrawn or from the very meeting being prepared are left out, and so are
 * those already on its agenda (`onAgenda`).
 */
export async function carryOverSuggestions(db: DbOrTx, input: { committeeId: string; meetingId: string; meetingDay: string; today: string; onAgenda: ReadonlySet<string> }): Promise<CarryOverItem[]> {
	const items = (await projectItemsOfCommittee(db, input.committeeId)).filter((i) => i.status !== 'done' && i.sourceMeetingId !== input.meetingId);
	const help = await helpRequests(
		db,
		items.map((i) => i.id)
	);
	const rank: Record<CarryOverReason, number> = { overdue: 0, due: 1, help: 2 };
	return items
		.map((i) => {
			const status = displayStatus(i, input.today);
			return { item: i, status, reasons: reasonsFor(i, status, input.meetingDay, help.get(i.id)) };
		})
		.filter((x) => x.reasons.length > 0)
		.map(({ item, status, reasons }) => ({
			itemId: item.id,
			title: item.title,
			dueDate: item.dueDate,
			status,
			progress: item.progress,
			units: item.units.map((u) => u.name),
			reasons,
			helpNeeded: help.get(item.id) ?? []
		}))
		.filter((x) => !input.onAgenda.has(x.itemId))
		.sort((a, b) => rank[a.reasons[0]!] - rank[b.reasons[0]!] || (a.dueDate ?? '9999').localeCompare(b.dueDate ?? '9999') || a.title.localeCompare(b.title, 'zh-CN'));
}

/** The status words of the minutes, which are in Chinese whatever the reader's language. */
export const STATUS_IN_MINUTES: Record<DisplayStatus, string> = { not_started: '未启动', in_progress: '进行中', done: '已完成', on_hold: '搁置', overdue: '逾期' };
