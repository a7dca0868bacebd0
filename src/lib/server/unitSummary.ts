import { and, eq, inArray, sql } from 'drizzle-orm';
import { displayStatus, type DisplayStatus } from '../domain/projectStatus';
import { recordNumberLabel } from '../domain/record';
import type { SessionUser } from './auth/session';
import { dashboardItems, dashboardReports, reportDays, summariseDashboard } from './dashboard';
import type { DbOrTx } from './db';
import { committees, districts, evaluationRounds, memberships, records, recordSearch, units } from './db/schema';
import { evaluationResults } from './evaluation';
import { scopeNameSql, supersededSql } from './record';
import { isUuid } from './meeting';

/*
 * A member unit's year (单位年度共建情况): its projects and their monthly reports, where the
 * quarterly bulletins mention it, and (with the evaluation) its scores — what the year-end
 * party-building assessment (基层党建考核) asks for, on one page.
 */

export interface UnitYear {
	unit: { id: string; name: string };
	year: number;
	today: string;
	counts: { total: number; done: number; inProgress: number; overdue: number; onHold: number; notStarted: number; missing: number; completion: number };
	projects: {
		id: string;
		title: string;
		committeeName: string;
		status: DisplayStatus;
		dueDate: string | null;
		doneOn: string | null;
		/** Months this unit reported on. */
		reported: string[];
		/** Months whose report from this unit is missing. */
		missing: string[];
	}[];
	bulletins: { recordId: string; label: string; title: string; scopeName: string }[];
	/** Year-end evaluations that scored the unit's projects: its average and rank in each. */
	evaluations: { roundId: string; committeeId: string; committeeName: string; title: string; closed: boolean; average: number | null; rank: number | null; units: number; projects: { title: string; meanTotal: number | null; count: number }[] }[];
}

/** Administrators; the unit's own seats; conveners and recorders of a committee the unit sits on. */
export async function mayViewUnit(db: DbOrTx, user: Pick<SessionUser, 'id' | 'isAdmin'>, unitId: string): Promise<boolean> {
	if (user.isAdmin) return true;
	if (!isUuid(unitId)) return false;
	const seats = await db.select({ role: memberships.role, unitId: memberships.unitId, committeeId: memberships.committeeId }).from(memberships).where(eq(memberships.userId, user.id));
	if (seats.some((s) => s.unitId === unitId)) return true;
	const chairs = seats.filter((s) => s.role === 'convener' || s.role === 'recorder').map((s) => s.committeeId);
	if (chairs.length === 0) return false;
	const [seat] = await db
		.select({ id: memberships.committeeId })
		.from(memberships)
		.where(and(eq(memberships.unitId, unitId), inArray(memberships.committeeId, chairs)))
		.limit(1);
	return Boolean(seat);
}

export async function unitYear(db: DbOrTx, unitId: string, year: number, today: string): Promise<UnitYear | null> {
	if (!isUuid(unitId)) return null;
	const [unit] = await db.select({ id: units.id, name: units.name }).from(units).where(eq(units.id, unitId));
	if (!unit) return null;
	const items = (await dashboardItems(db, 'all')).filter((i) => i.year === year && i.units.some((u) => u.id === unitId));
	const allReports = await dashboardReports(db, items.map((i) => i.id));
	const days = await reportDays(db, [...new Set(items.map((i) => i.committeeId))]);
	const d = summariseDashboard(items, allReports, days, { year, level: '', unitId, status: '' }, today);
	const reports = allReports.filter((r) => r.unitId === unitId);
	const missing = d.missing.filter((m) => m.unitId === unitId);
	const row = d.perUnit.find((u) => u.unitId === unitId);
	// Frozen bulletins of the year that name the unit (in their tables or their text).
	const mentions = await db
		.select({ id: records.id, seq: records.seq, year: records.year, title: records.title, scopeName: scopeNameSql })
		.from(records)
		.innerJoin(recordSearch, eq(recordSearch.recordId, records.id))
		.leftJoin(committees, eq(committees.id, records.committeeId))
		.innerJoin(districts, eq(districts.id, records.districtId))
		.where(
			and(
				eq(records.kind, 'bulletin'),
				eq(records.year, year),
				sql`strpos(${recordSearch.text}, ${unit.name}) > 0`,
				sql`not ${supersededSql}`
			)
		);
	return {
		unit,
		year,
		today,
		counts: {
			total: d.total,
			done: d.byStatus.done,
			inProgress: d.byStatus.in_progress,
			overdue: d.byStatus.overdue,
			onHold: d.byStatus.on_hold,
			notStarted: d.byStatus.not_started,
			missing: missing.length,
			completion: row?.completion ?? 0
		},
		projects: items.map((i) => ({
			id: i.id,
			title: i.title,
			committeeName: i.committeeName,
			status: displayStatus({ status: i.status, dueDate: i.dueDate, doneOn: i.doneOn }, today),
			dueDate: i.dueDate,
			doneOn: i.doneOn,
			reported: reports.filter((r) => r.projectItemId === i.id).map((r) => r.month).sort(),
			missing: missing.filter((m) => m.itemId === i.id).map((m) => m.month).sort()
		})),
		bulletins: mentions.map((m) => ({ recordId: m.id, label: recordNumberLabel(m.year, m.seq, 'bulletin'), title: m.title, scopeName: m.scopeName })),
		evaluations: await unitEvaluations(db, unitId, year)
	};
}

async function unitEvaluations(db: DbOrTx, unitId: string, year: number): Promise<UnitYear['evaluations']> {
	const rounds = await db.select({ id: evaluationRounds.id }).from(evaluationRounds).where(eq(evaluationRounds.year, year));
	const out: UnitYear['evaluations'] = [];
	for (const { id } of rounds) {
		const r = await evaluationResults(db, id);
		const mine = r?.units.find((u) => u.unitId === unitId);
		if (!r || !mine) continue;
		out.push({
			roundId: r.round.id,
			committeeId: r.round.committeeId,
			committeeName: r.round.committeeName,
			title: r.round.title,
			closed: r.round.phase === 'closed',
			average: mine.average,
			rank: mine.rank,
			units: r.units.length,
			projects: r.projects.filter((p) => p.units.some((u) => u.id === unitId)).map((p) => ({ title: p.title, meanTotal: p.meanTotal, count: p.count }))
		});
	}
	return out;
}
