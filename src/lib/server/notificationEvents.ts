import { and, count, eq, inArray, isNull, ne } from 'drizzle-orm';
import type { DbOrTx } from './db';
import { auditLog, meetings, memberships, progressReports, projectItems, projectItemUnits, units } from './db/schema';
import { chinaToday, dueMonth, expectsReports, reportWindow, type Today } from '../domain/projectStatus';
import { notify } from './notification';
import { reportDayOf } from './progressReport';

/*
 * The events that put something in people's inboxes, apart from comments (mentions and
 * replies are notified by the comment module). Each runs inside the transaction of the change
 * it reports where there is one, so a rolled-back change notifies nobody.
 */

/** Everyone with a seat in the committee except observers (who follow, but owe nothing). */
async function seatHolders(db: DbOrTx, committeeId: string, unitId?: string): Promise<string[]> {
	const rows = await db
		.select({ userId: memberships.userId })
		.from(memberships)
		.where(and(eq(memberships.committeeId, committeeId), ne(memberships.role, 'observer'), unitId ? eq(memberships.unitId, unitId) : undefined));
	return rows.map((r) => r.userId);
}

/**
 * The meeting's minutes entered review (纪要审阅): every member is asked to read and confirm.
 * Called after the transition's audit row is written; the key counts the meeting's entries into
 * review, so a reopened meeting asks again while a repeated call for the same round does not.
 */
export async function notifyReview(tx: DbOrTx, meetingId: string): Promise<void> {
	const [meeting] = await tx.select({ title: meetings.title, committeeId: meetings.committeeId }).from(meetings).where(eq(meetings.id, meetingId));
	if (!meeting) return;
	const [{ rounds } = { rounds: 0 }] = await tx
		.select({ rounds: count() })
		.from(auditLog)
		.where(and(eq(auditLog.subject, `meeting/${meetingId}`), inArray(auditLog.action, ['meeting.review', 'meeting.reopen'])));
	await notify(tx, {
		userIds: await seatHolders(tx, meeting.committeeId),
		kind: 'review',
		link: `/meetings/${meetingId}`,
		params: { meeting: meeting.title },
		dedupeKey: `review:${meetingId}:${Number(rounds)}`
	});
}

/** A new project item: the seat holders of each responsible unit learn their unit has work. */
export async function notifyDecisionAssigned(tx: DbOrTx, item: { id: string; committeeId: string; title: string; unitIds: readonly string[] }): Promise<void> {
	if (item.unitIds.length === 0) return;
	const names = await tx.select({ id: units.id, name: units.name }).from(units).where(inArray(units.id, [...item.unitIds]));
	for (const unit of names) {
		await notify(tx, {
			userIds: await seatHolders(tx, item.committeeId, unit.id),
			kind: 'decision',
			link: `/projects/${item.id}`,
			params: { item: item.title, unit: unit.name },
			dedupeKey: `decision:${item.id}:${unit.id}`
		});
	}
}

/** How many days reminders start before a report deadline. */
export const REPORT_REMINDER_DAYS = 5;

const dayNumber = (date: string) => Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / 86_400_000;

/**
 * Reminds the responsible units' seat holders of a monthly report (按月督查) not yet filed
 * when its deadline is at most `REPORT_REMINDER_DAYS` days away. Safe to run as often as
 * wanted: the key (item, unit, month) stores each reminder once. Returns how many
 * (item, unit) reminders were due, stored before or not.
 */
export async function notifyReportsDue(db: DbOrTx, today: Today = new Date()): Promise<number> {
	const date = typeof today === 'string' ? today : chinaToday(today);
	const pairs = await db
		.select({
			itemId: projectItems.id,
			title: projectItems.title,
			status: projectItems.status,
			createdAt: projectItems.createdAt,
			committeeId: projectItems.committeeId,
			unitId: units.id,
			unitName: units.name
		})
		.from(projectItems)
		.innerJoin(projectItemUnits, eq(projectItemUnits.projectItemId, projectItems.id))
		.innerJoin(units, eq(units.id, projectItemUnits.unitId))
		.where(and(isNull(projectItems.withdrawnAt), inArray(projectItems.status, ['not_started', 'in_progress'])));
	const days = new Map<string, number>();
	let due = 0;
	for (const p of pairs) {
		if (!expectsReports({ status: p.status, withdrawn: false })) continue;
		if (!days.has(p.committeeId)) days.set(p.committeeId, await reportDayOf(db, p.committeeId));
		const day = days.get(p.committeeId)!;
		// As on "my items": an item decided this month owes nothing on the month before.
		const month = [dueMonth(date, day), chinaToday(p.createdAt).slice(0, 7)].sort()[1]!;
		const { deadline } = reportWindow(month, day);
		const left = dayNumber(deadline) - dayNumber(date);
		if (left < 0 || left > REPORT_REMINDER_DAYS) continue;
		const [filed] = await db
			.select({ id: progressReports.id })
			.from(progressReports)
			.where(and(eq(progressReports.projectItemId, p.itemId), eq(progressReports.unitId, p.unitId), eq(progressReports.month, month)))
			.limit(1);
		if (filed) continue;
		due++;
		await notify(db, {
			userIds: await seatHolders(db, p.committeeId, p.unitId),
			kind: 'report_due',
			link: `/projects/${p.itemId}`,
			params: { item: p.title, unit: p.unitName, month, deadline },
			dedupeKey: `report_due:${p.itemId}:${p.unitId}:${month}`
		});
	}
	return due;
}
