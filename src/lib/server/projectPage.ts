import { asc, eq, inArray } from 'drizzle-orm';
import type { DbOrTx } from './db';
import { needs, projectItemSources, resources, units } from './db/schema';
import type { CommitteeRole } from '../domain/roles';
import { addMonths, chinaToday, dueMonth, expectsReports, lastClosedMonth, reportMissing, reportWindow } from '../domain/projectStatus';
import { membershipOf, memberUnits } from './committee';
import { mayManageProjectItem, type Actor, type ProjectItemView } from './projectItem';
import { reportDayOf, type ProgressReportView } from './progressReport';
import type { ClaimView } from './projectClaim';

/*
 * What the item page needs besides the item itself: where it came from on the board, who may
 * do what on it, and the months a report may be filed on. Permissions are decided again by
 * projectItem.ts / progressReport.ts / projectClaim.ts on every action; these only choose which
 * forms to show, so a page never offers what the server will refuse for sure.
 */

export interface ItemSources {
	needs: { id: string; title: string; year: number }[];
	resources: { id: string; title: string; year: number; unitName: string | null }[];
}

/** The needs and resources an item came from (a board proposal's), with their current titles. */
export async function itemSources(db: DbOrTx, itemId: string): Promise<ItemSources> {
	const rows = await db.select({ kind: projectItemSources.kind, cardId: projectItemSources.cardId }).from(projectItemSources).where(eq(projectItemSources.projectItemId, itemId));
	const needIds = rows.filter((r) => r.kind === 'need').map((r) => r.cardId);
	const resourceIds = rows.filter((r) => r.kind === 'resource').map((r) => r.cardId);
	const [needRows, resourceRows] = await Promise.all([
		needIds.length === 0
			? []
			: db.select({ id: needs.id, title: needs.title, year: needs.year }).from(needs).where(inArray(needs.id, needIds)).orderBy(asc(needs.position)),
		resourceIds.length === 0
			? []
			: db
					.select({ id: resources.id, title: resources.title, year: resources.year, unitName: units.name })
					.from(resources)
					.leftJoin(units, eq(units.id, resources.unitId))
					.where(inArray(resources.id, resourceIds))
					.orderBy(asc(resources.position))
	]);
	return { needs: needRows, resources: resourceRows };
}

export interface ItemPermissions {
	role: CommitteeRole | null;
	/** Status, due date, units; filing on any responsible unit's behalf. */
	canManage: boolean;
	/** Confirming and rejecting claims is the convener's (and an administrator's). */
	canDecideClaims: boolean;
	/** The unit the person represents in the item's committee (not as an observer). */
	ownUnit: { id: string; name: string } | null;
	/** Units the person may file a monthly report for. */
	reportUnits: { id: string; name: string }[];
	/** The unit the person may claim the item for, when a claim makes sense now. */
	claimUnit: { id: string; name: string } | null;
	/** The committee's member units, for reassigning (managers only; empty otherwise). */
	memberUnits: { id: string; name: string }[];
}

export async function itemPermissions(db: DbOrTx, user: Actor, item: ProjectItemView, claims: readonly ClaimView[]): Promise<ItemPermissions> {
	const [seat, canManage] = await Promise.all([membershipOf(db, user.id, item.committeeId), mayManageProjectItem(db, user, item.committeeId)]);
	const role = seat?.role ?? null;
	let ownUnit: { id: string; name: string } | null = null;
	if (seat && seat.role !== 'observer' && seat.unitId) {
		const [row] = await db.select({ id: units.id, name: units.name }).from(units).where(eq(units.id, seat.unitId));
		ownUnit = row ?? null;
	}
	const open = !item.withdrawn;
	const responsible = item.units.map((u) => ({ id: u.id, name: u.name }));
	const reportUnits = !open ? [] : canManage ? responsible : responsible.filter((u) => u.id === ownUnit?.id);
	const claimable =
		open &&
		item.status !== 'done' &&
		ownUnit !== null &&
		!item.units.some((u) => u.id === ownUnit!.id) &&
		!claims.some((c) => c.unitId === ownUnit!.id && c.status === 'pending');
	return {
		role,
		canManage: canManage && open,
		canDecideClaims: open && (user.isAdmin || role === 'convener'),
		ownUnit,
		reportUnits,
		claimUnit: claimable ? ownUnit : null,
		memberUnits: canManage && open ? await memberUnits(db, item.committeeId) : []
	};
}

export interface ReportCalendar {
	reportDay: number;
	/** The month a report is due on now (never before the item existed). */
	dueMonth: string;
	dueDeadline: string;
	/** Months one may choose in the form, newest first: from the item's first month to this one (at most a year). */
	months: string[];
	/** The last month whose window has closed, for the "report missing" flags; null when the item is younger. */
	lastClosed: { month: string; deadline: string } | null;
	/** Responsible units without a report on `lastClosed.month` while the item expects reports. */
	missingUnitIds: string[];
}

export async function reportCalendar(db: DbOrTx, item: ProjectItemView, reports: readonly ProgressReportView[], today: string = chinaToday()): Promise<ReportCalendar> {
	const reportDay = await reportDayOf(db, item.committeeId);
	const createdMonth = chinaToday(item.createdAt).slice(0, 7);
	const current = today.slice(0, 7);
	// As myItems does: an item decided early in a month owes nothing on the month before.
	const due = [dueMonth(today, reportDay), createdMonth].sort()[1]!;
	const months: string[] = [];
	for (let m = current; m >= createdMonth && months.length < 12; m = addMonths(m, -1)) months.push(m);
	const closed = lastClosedMonth(today, reportDay);
	const missing = reportMissing(
		[{ id: item.id, status: item.status, createdOn: chinaToday(item.createdAt), withdrawn: item.withdrawn, unitIds: item.units.map((u) => u.id) }],
		reports.map((r) => ({ projectItemId: r.projectItemId, unitId: r.unitId, month: r.month })),
		today,
		reportDay
	);
	return {
		reportDay,
		dueMonth: due,
		dueDeadline: reportWindow(due, reportDay).deadline,
		months,
		lastClosed: closed >= createdMonth && expectsReports(item) ? { month: closed, deadline: reportWindow(closed, reportDay).deadline } : null,
		missingUnitIds: missing.map((m) => m.unitId)
	};
}
