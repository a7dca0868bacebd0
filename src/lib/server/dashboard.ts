import { and, eq, inArray, isNull } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import {
	addMonths,
	chinaToday,
	daysOverdue,
	DEFAULT_REPORT_DAY,
	DISPLAY_STATUSES,
	displayStatus,
	reportMissing,
	type DisplayStatus,
	type ProjectStatus
} from '../domain/projectStatus';
import type { DbOrTx } from './db';
import { committeeSettings, committees, communities, meetings, progressReports, projectItems, projectItemUnits, proposals, streets, units, type ProjectLevel } from './db/schema';

/*
 * The supervision dashboards (按月督查): one committee's tracked items for the convener, or
 * every committee's for the district. Everything is computed from the tables on request — the
 * figures are what the item pages say, at the moment of reading — by one pure function
 * (`summariseDashboard`) so the aggregates can be checked against hand-computed figures.
 */

export interface DashboardFilter {
	year: number;
	level: ProjectLevel | '';
	unitId: string;
	status: DisplayStatus | '';
}

/** An item as the dashboards need it. */
export interface DashboardItem {
	id: string;
	title: string;
	committeeId: string;
	committeeName: string;
	committeeKind: 'community' | 'street';
	/** The subdistrict: the committee's own, or its community's. */
	streetName: string;
	level: ProjectLevel;
	dueDate: string | null;
	status: ProjectStatus;
	doneOn: string | null;
	/** China date the item was created (from the decision's finalization). */
	createdOn: string;
	/** The committee year it belongs to: its meeting's, else its proposal's, else its creation's. */
	year: number;
	units: { id: string; name: string }[];
}

export interface DashboardReport {
	projectItemId: string;
	unitId: string;
	month: string;
}

export interface UnitRow {
	unitId: string;
	unitName: string;
	total: number;
	done: number;
	inProgress: number;
	overdue: number;
	onHold: number;
	missing: number;
	/** Done of all, 0–1. */
	completion: number;
}

export interface CommitteeRow {
	committeeId: string;
	name: string;
	kind: 'community' | 'street';
	streetName: string;
	total: number;
	done: number;
	overdue: number;
	missing: number;
	completion: number;
}

export interface OverdueRow {
	id: string;
	title: string;
	committeeName: string;
	dueDate: string;
	days: number;
	units: string[];
}

export interface MissingRow {
	itemId: string;
	title: string;
	committeeName: string;
	unitId: string;
	unitName: string;
	month: string;
	deadline: string;
}

export interface Dashboard {
	today: string;
	total: number;
	byStatus: Record<DisplayStatus, number>;
	/** Done of all, 0–1. */
	completion: number;
	overdue: OverdueRow[];
	missing: MissingRow[];
	perUnit: UnitRow[];
	perCommittee: CommitteeRow[];
	/** Items marked done in each month of the year (the timeline of done items). */
	doneByMonth: { month: string; count: number }[];
	/** Units responsible for any item of the year, for the filter. */
	unitChoices: { id: string; name: string }[];
}

const rate = (done: number, total: number) => (total === 0 ? 0 : done / total);
const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name, 'zh-CN');

/**
 * The dashboard of a set of items on `today` (China date). `reportDays` gives each committee's
 * report day (missing-report flags depend on it). Filters narrow the items first; the unit
 * filter also narrows the per-unit table to that unit.
 */
export function summariseDashboard(all: readonly DashboardItem[], reports: readonly DashboardReport[], reportDays: ReadonlyMap<string, number>, filter: DashboardFilter, today: string): Dashboard {
	const ofYear = all.filter((i) => i.year === filter.year);
	const unitChoices = [...new Map(ofYear.flatMap((i) => i.units).map((u) => [u.id, u])).values()].sort(byName);
	const items = ofYear
		.filter((i) => !filter.level || i.level === filter.level)
		.filter((i) => !filter.unitId || i.units.some((u) => u.id === filter.unitId))
		.filter((i) => !filter.status || displayStatus(i, today) === filter.status);
	const status = new Map(items.map((i) => [i.id, displayStatus(i, today)]));

	const byStatus = Object.fromEntries(DISPLAY_STATUSES.map((s) => [s, 0])) as Record<DisplayStatus, number>;
	for (const s of status.values()) byStatus[s]++;

	// Missing reports are flagged per committee: each has its own report day.
	const missing: MissingRow[] = [];
	const byCommittee = new Map<string, DashboardItem[]>();
	for (const i of items) byCommittee.set(i.committeeId, [...(byCommittee.get(i.committeeId) ?? []), i]);
	for (const [committeeId, list] of byCommittee) {
		const reportable = list.map((i) => ({ id: i.id, status: i.status, createdOn: i.createdOn, withdrawn: false, unitIds: i.units.map((u) => u.id) }));
		for (const m of reportMissing(reportable, reports, today, reportDays.get(committeeId) ?? DEFAULT_REPORT_DAY)) {
			if (filter.unitId && m.unitId !== filter.unitId) continue;
			const item = list.find((i) => i.id === m.itemId)!;
			missing.push({ itemId: m.itemId, title: item.title, committeeName: item.committeeName, unitId: m.unitId, unitName: item.units.find((u) => u.id === m.unitId)?.name ?? '', month: m.month, deadline: m.deadline });
		}
	}
	missing.sort((a, b) => a.committeeName.localeCompare(b.committeeName, 'zh-CN') || a.title.localeCompare(b.title, 'zh-CN') || a.unitName.localeCompare(b.unitName, 'zh-CN'));
	const missingByUnit = new Map<string, number>();
	const missingByCommittee = new Map<string, number>();
	for (const m of missing) {
		const item = items.find((i) => i.id === m.itemId)!;
		missingByUnit.set(m.unitId, (missingByUnit.get(m.unitId) ?? 0) + 1);
		missingByCommittee.set(item.committeeId, (missingByCommittee.get(item.committeeId) ?? 0) + 1);
	}

	const overdue = items
		.filter((i) => status.get(i.id) === 'overdue')
		.map((i) => ({ id: i.id, title: i.title, committeeName: i.committeeName, dueDate: i.dueDate ?? '', days: daysOverdue(i, today), units: i.units.map((u) => u.name) }))
		.sort((a, b) => b.days - a.days || a.title.localeCompare(b.title, 'zh-CN'));

	// An item with two responsible units counts for each: units serve several items and committees.
	const units = new Map<string, UnitRow>();
	for (const i of items) {
		for (const u of i.units) {
			if (filter.unitId && u.id !== filter.unitId) continue;
			const row = units.get(u.id) ?? { unitId: u.id, unitName: u.name, total: 0, done: 0, inProgress: 0, overdue: 0, onHold: 0, missing: missingByUnit.get(u.id) ?? 0, completion: 0 };
			const s = status.get(i.id)!;
			row.total++;
			if (s === 'done') row.done++;
			if (s === 'in_progress') row.inProgress++;
			if (s === 'overdue') row.overdue++;
			if (s === 'on_hold') row.onHold++;
			units.set(u.id, row);
		}
	}
	const perUnit = [...units.values()].map((r) => ({ ...r, completion: rate(r.done, r.total) })).sort((a, b) => b.total - a.total || a.unitName.localeCompare(b.unitName, 'zh-CN'));

	const committeesMap = new Map<string, CommitteeRow>();
	for (const i of items) {
		const row = committeesMap.get(i.committeeId) ?? {
			committeeId: i.committeeId,
			name: i.committeeName,
			kind: i.committeeKind,
			streetName: i.streetName,
			total: 0,
			done: 0,
			overdue: 0,
			missing: missingByCommittee.get(i.committeeId) ?? 0,
			completion: 0
		};
		const s = status.get(i.id)!;
		row.total++;
		if (s === 'done') row.done++;
		if (s === 'overdue') row.overdue++;
		committeesMap.set(i.committeeId, row);
	}
	const perCommittee = [...committeesMap.values()]
		.map((r) => ({ ...r, completion: rate(r.done, r.total) }))
		.sort((a, b) => a.streetName.localeCompare(b.streetName, 'zh-CN') || (a.kind === b.kind ? 0 : a.kind === 'street' ? -1 : 1) || a.name.localeCompare(b.name, 'zh-CN'));

	const months = Array.from({ length: 12 }, (_, k) => addMonths(`${filter.year}-01`, k));
	const doneByMonth = months.map((month) => ({ month, count: items.filter((i) => status.get(i.id) === 'done' && i.doneOn?.startsWith(month)).length }));

	return {
		today,
		total: items.length,
		byStatus,
		completion: rate(byStatus.done, items.length),
		overdue,
		missing,
		perUnit,
		perCommittee,
		doneByMonth,
		unitChoices
	};
}

// ---------------------------------------------------------------- reading the tables

const chinaDate = (d: Date) => chinaToday(d);
const chinaYear = (d: Date) => Number(chinaDate(d).slice(0, 4));

/** Every tracked (not withdrawn) item of the given committees, or of all, as the dashboards read them. */
export async function dashboardItems(db: DbOrTx, committeeIds: readonly string[] | 'all'): Promise<DashboardItem[]> {
	if (committeeIds !== 'all' && committeeIds.length === 0) return [];
	const communityStreet = alias(streets, 'community_street');
	const rows = await db
		.select({
			item: projectItems,
			committeeName: committees.name,
			committeeKind: committees.kind,
			ownStreet: streets.name,
			communityStreet: communityStreet.name,
			meetingStartsAt: meetings.startsAt,
			proposalYear: proposals.year
		})
		.from(projectItems)
		.innerJoin(committees, eq(committees.id, projectItems.committeeId))
		.leftJoin(streets, eq(streets.id, committees.streetId))
		.leftJoin(communities, eq(communities.id, committees.communityId))
		.leftJoin(communityStreet, eq(communityStreet.id, communities.streetId))
		.leftJoin(meetings, eq(meetings.id, projectItems.sourceMeetingId))
		.leftJoin(proposals, eq(proposals.id, projectItems.proposalId))
		.where(and(isNull(projectItems.withdrawnAt), committeeIds === 'all' ? undefined : inArray(projectItems.committeeId, [...committeeIds])));
	const ids = rows.map((r) => r.item.id);
	const unitRows =
		ids.length === 0
			? []
			: await db
					.select({ itemId: projectItemUnits.projectItemId, id: units.id, name: units.name })
					.from(projectItemUnits)
					.innerJoin(units, eq(units.id, projectItemUnits.unitId))
					.where(inArray(projectItemUnits.projectItemId, ids));
	const unitsOf = new Map<string, { id: string; name: string }[]>();
	for (const u of unitRows) unitsOf.set(u.itemId, [...(unitsOf.get(u.itemId) ?? []), { id: u.id, name: u.name }]);
	return rows.map((r) => ({
		id: r.item.id,
		title: r.item.title,
		committeeId: r.item.committeeId,
		committeeName: r.committeeName,
		committeeKind: r.committeeKind === 'street' ? 'street' : 'community',
		streetName: r.ownStreet ?? r.communityStreet ?? '',
		level: r.item.level,
		dueDate: r.item.dueDate,
		status: r.item.status,
		doneOn: r.item.doneOn,
		createdOn: chinaDate(r.item.createdAt),
		year: r.meetingStartsAt ? chinaYear(r.meetingStartsAt) : (r.proposalYear ?? chinaYear(r.item.createdAt)),
		units: (unitsOf.get(r.item.id) ?? []).sort(byName)
	}));
}

/** The monthly reports filed on the items (which unit reported on which month). */
export async function dashboardReports(db: DbOrTx, itemIds: readonly string[]): Promise<DashboardReport[]> {
	if (itemIds.length === 0) return [];
	return db
		.select({ projectItemId: progressReports.projectItemId, unitId: progressReports.unitId, month: progressReports.month })
		.from(progressReports)
		.where(inArray(progressReports.projectItemId, [...itemIds]));
}

export async function reportDays(db: DbOrTx, committeeIds: readonly string[]): Promise<Map<string, number>> {
	if (committeeIds.length === 0) return new Map();
	const rows = await db.select({ id: committeeSettings.committeeId, day: committeeSettings.reportDay }).from(committeeSettings).where(inArray(committeeSettings.committeeId, [...committeeIds]));
	return new Map(rows.map((r) => [r.id, r.day]));
}

/** The dashboard of some committees (or all) for a filter, on `today`. */
export async function loadDashboard(db: DbOrTx, committeeIds: readonly string[] | 'all', filter: DashboardFilter, today: string = chinaToday()): Promise<Dashboard & { years: number[] }> {
	const items = await dashboardItems(db, committeeIds);
	const reports = await dashboardReports(
		db,
		items.filter((i) => i.year === filter.year).map((i) => i.id)
	);
	const days = await reportDays(db, [...new Set(items.map((i) => i.committeeId))]);
	return { ...summariseDashboard(items, reports, days, filter, today), years: yearChoices(items, Number(today.slice(0, 4))) };
}

/** Years with items, plus the current one, newest first: the year filter's choices. */
export function yearChoices(items: readonly DashboardItem[], current: number): number[] {
	return [...new Set([current, ...items.map((i) => i.year)])].sort((a, b) => b - a);
}
