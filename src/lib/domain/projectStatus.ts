import type { CommitteeRole } from './roles';

/*
 * Status and reporting-window rules of tracked project items, shared by the browser (chips,
 * forms, dashboards) and the server. Pure: no database, no clock unless one is passed in.
 *
 * Dates are China calendar dates as text (YYYY-MM-DD) and months YYYY-MM, the way the tables
 * store them. China has kept UTC+8 without daylight saving since 1991, so a fixed offset is
 * exact and needs no time-zone database (which some phone browsers ship incomplete).
 */

export const PROJECT_STATUSES = ['not_started', 'in_progress', 'done', 'on_hold'] as const;
/** Stored statuses; "overdue" is derived from the due date, never stored. */
export type ProjectStatus = (typeof PROJECT_STATUSES)[number];
/** What a person sees: the stored status, or 逾期 when the due date has passed and it is not done or on hold. */
export type DisplayStatus = ProjectStatus | 'overdue';
export const DISPLAY_STATUSES: readonly DisplayStatus[] = ['not_started', 'in_progress', 'overdue', 'on_hold', 'done'];

export function isProjectStatus(value: string): value is ProjectStatus {
	return (PROJECT_STATUSES as readonly string[]).includes(value);
}

const CHINA_OFFSET_MS = 8 * 3600_000;

/** Today's date in China (YYYY-MM-DD), whatever the server's or browser's zone. */
export function chinaToday(now: Date = new Date()): string {
	return new Date(now.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 10);
}

/** The current month in China (YYYY-MM). */
export function chinaMonth(now: Date = new Date()): string {
	return chinaToday(now).slice(0, 7);
}

/** A China date, given either as one (YYYY-MM-DD) or as an instant. */
export type Today = string | Date;
const dateOf = (today: Today): string => (typeof today === 'string' ? today : chinaToday(today));

/** A real calendar date written YYYY-MM-DD (2026-02-30 is not). */
export function isCalendarDate(value: string): boolean {
	const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
	if (!m) return false;
	const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
	return mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo) && y >= 2000 && y <= 2100;
}

/** A month written YYYY-MM. */
export function isMonth(value: string): boolean {
	const m = /^(\d{4})-(\d{2})$/.exec(value);
	return m !== null && Number(m[2]) >= 1 && Number(m[2]) <= 12 && Number(m[1]) >= 2000 && Number(m[1]) <= 2100;
}

export function daysInMonth(year: number, month: number): number {
	return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** The month after (or, with a negative step, before) `month`, across year ends. */
export function addMonths(month: string, step: number): string {
	const [y, m] = month.split('-').map(Number) as [number, number];
	const index = y * 12 + (m - 1) + step;
	return `${pad(Math.floor(index / 12), 4)}-${pad((index % 12) + 1)}`;
}

// ---------------------------------------------------------------- status

/** The fields status derivation needs; a ProjectItemView or a table row both fit. */
export interface StatusFacts {
	status: ProjectStatus;
	dueDate: string | null;
	/** China date the item was marked done, when it is done. */
	doneOn?: string | null;
}

/**
 * The status to show on `today` (a China date, or an instant converted to China time):
 * an item not done and not on hold is overdue from the day after its due date.
 */
export function displayStatus(item: StatusFacts, today: Today = new Date()): DisplayStatus {
	if (item.status !== 'done' && item.status !== 'on_hold' && item.dueDate && item.dueDate < dateOf(today)) return 'overdue';
	return item.status;
}

/** Done after its due date. Done stays done; this is shown beside it (e.g. "已完成（逾期完成）"). */
export function isDoneLate(item: StatusFacts): boolean {
	return item.status === 'done' && Boolean(item.dueDate && item.doneOn && item.doneOn > item.dueDate);
}

/** Whole days past the due date on `today` while overdue; 0 otherwise. */
export function daysOverdue(item: StatusFacts, today: Today = new Date()): number {
	if (displayStatus(item, today) !== 'overdue' || !item.dueDate) return 0;
	return Math.round((Date.parse(dateOf(today)) - Date.parse(item.dueDate)) / 86_400_000);
}

// ---------------------------------------------------------------- reporting windows

/**
 * Reports on a month (按月督查) can be filed from the month's first day and are due by
 * `reportDay` of the following month (the committee's setting, 1–28; larger values are
 * clamped to the month's last day so "31" means "the last day" in February).
 */
export interface ReportWindow {
	/** The month reported on, YYYY-MM. */
	month: string;
	/** First day a report on the month can be filed (the month's first day). */
	opensOn: string;
	/** Last day of the month reported on. */
	monthEnd: string;
	/** Last day a report is on time (inclusive): `reportDay` of the next month, clamped. */
	deadline: string;
}

export const DEFAULT_REPORT_DAY = 10;

export function reportWindow(month: string, reportDay: number): ReportWindow {
	if (!isMonth(month)) throw new RangeError(`not a month: ${month}`);
	if (!Number.isInteger(reportDay) || reportDay < 1) throw new RangeError(`not a report day: ${reportDay}`);
	const [y, m] = month.split('-').map(Number) as [number, number];
	const next = addMonths(month, 1);
	const [ny, nm] = next.split('-').map(Number) as [number, number];
	return {
		month,
		opensOn: `${month}-01`,
		monthEnd: `${month}-${pad(daysInMonth(y, m))}`,
		deadline: `${next}-${pad(Math.min(reportDay, daysInMonth(ny, nm)))}`
	};
}

/** After the deadline day has ended in China, the window is closed. */
export function windowClosed(month: string, reportDay: number, today: Today = new Date()): boolean {
	return dateOf(today) > reportWindow(month, reportDay).deadline;
}

/**
 * The month whose report is due next on `today`: the previous month until its deadline
 * has passed, then the current month. (On 5 December with day 10: November, due 10 December;
 * on 11 December: December, due 10 January.)
 */
export function dueMonth(today: Today, reportDay: number): string {
	const date = dateOf(today);
	const previous = addMonths(date.slice(0, 7), -1);
	return windowClosed(previous, reportDay, date) ? date.slice(0, 7) : previous;
}

/** The latest month whose window has closed on `today`: the one a missing report is flagged for. */
export function lastClosedMonth(today: Today, reportDay: number): string {
	return addMonths(dueMonth(today, reportDay), -1);
}

/** A report may not be filed on a month that has not begun. */
export function isFutureMonth(month: string, today: Today = new Date()): boolean {
	return month > dateOf(today).slice(0, 7);
}

export type ReportState = 'filed' | 'due' | 'missing';

/** One unit's report on one month: filed, still due (window open), or missing (window closed). */
export function reportState(month: string, filed: boolean, reportDay: number, today: Today = new Date()): ReportState {
	if (filed) return 'filed';
	return windowClosed(month, reportDay, today) ? 'missing' : 'due';
}

/** An item as the missing-report rule needs it. */
export interface ReportableItem {
	id: string;
	status: ProjectStatus;
	/** China date the item was created (the decision's finalization); months before it need no report. */
	createdOn: string;
	withdrawn: boolean;
	unitIds: readonly string[];
}

export interface FiledReport {
	projectItemId: string;
	unitId: string;
	month: string;
}

export interface MissingReport {
	itemId: string;
	unitId: string;
	month: string;
	deadline: string;
}

/** Items that still need monthly reports: not done, not on hold, not withdrawn. */
export function expectsReports(item: Pick<ReportableItem, 'status' | 'withdrawn'>): boolean {
	return !item.withdrawn && (item.status === 'not_started' || item.status === 'in_progress');
}

/**
 * Flags "report missing" (未报送): for every item still expecting reports, every responsible
 * unit without a report on the latest month whose window has closed. Only that month is
 * flagged — older gaps are history, visible in the item's reports — and only when the item
 * existed in that month (an item decided on 20 December owes no November report, but does owe
 * one on December).
 */
export function reportMissing(items: readonly ReportableItem[], reports: readonly FiledReport[], today: Today, reportDay: number): MissingReport[] {
	const month = lastClosedMonth(today, reportDay);
	const { deadline } = reportWindow(month, reportDay);
	const filed = new Set(reports.filter((r) => r.month === month).map((r) => `${r.projectItemId}/${r.unitId}`));
	const missing: MissingReport[] = [];
	for (const item of items) {
		if (!expectsReports(item) || item.createdOn.slice(0, 7) > month) continue;
		for (const unitId of item.unitIds) if (!filed.has(`${item.id}/${unitId}`)) missing.push({ itemId: item.id, unitId, month, deadline });
	}
	return missing;
}

/** Status, due date and responsible units are changed by the convener and recorder (and administrators). */
export function canManageProjectItems(role: CommitteeRole | null, isAdmin: boolean): boolean {
	return isAdmin || role === 'convener' || role === 'recorder';
}
