import { and, eq, inArray } from 'drizzle-orm';
import { ATTENDANCE_STATUSES, quorumMet, type AttendanceEntry, type AttendanceStatus, type AttendanceSummary } from '../domain/attendance';
import type { CommitteeRole } from '../domain/roles';
import { recordAudit } from './audit';
import { listMembers } from './committee';
import type { DbOrTx } from './db';
import { attendance, committees, committeeSettings, meetings, memberships, users, type MeetingState } from './db/schema';
import { isUuid } from './meeting';
import { DomainError, compareNames, type MessageParams } from './organisation';

/*
 * Who attended a meeting, and how. The record (this table) owns it, not a live document: the
 * recorder edits it on the meeting page, the minutes print it in their header, and it freezes
 * with the meeting when the minutes are finalized.
 */

export const REASON_MAX = 200;
export const DEFAULT_QUORUM_PERCENT = 50;
/*
 * Quorum means strictly more than the share attends (quorumMet), so 100 % could never be reached;
 * the table would accept it, the rule stops at 99.
 */
export const QUORUM_MIN = 1;
export const QUORUM_MAX = 99;

export type AttendanceErrorKey =
	| 'attendance.meetingNotFound'
	| 'attendance.committeeNotFound'
	| 'attendance.frozen'
	| 'attendance.notMember'
	| 'attendance.unknownStatus'
	| 'attendance.reasonRequired'
	| 'attendance.reasonTooLong'
	| 'attendance.delegateRequired'
	| 'attendance.delegateSelf'
	| 'attendance.delegateNotMember'
	| 'attendance.duplicateEntry'
	| 'attendance.quorumInvalid';

export class AttendanceError extends DomainError {
	constructor(key: AttendanceErrorKey, params: MessageParams = {}) {
		super(key, params);
		this.name = 'AttendanceError';
	}
}

/** One member's attendance as it arrives from a form or the API: not yet trusted. */
export interface AttendanceInput {
	userId: string;
	status: string;
	/** Kept only when absent (请假); ignored otherwise. */
	reason?: string | null;
	/** Kept only when delegated (委托); ignored otherwise. */
	delegateId?: string | null;
}

export interface SetAttendanceInput extends AttendanceInput {
	meetingId: string;
	actorId: string | null;
}

interface CleanEntry {
	userId: string;
	status: AttendanceStatus;
	reason: string;
	delegateId: string | null;
}

interface MeetingRef {
	id: string;
	committeeId: string;
	state: MeetingState;
}

export function isAttendanceStatus(value: string): value is AttendanceStatus {
	return (ATTENDANCE_STATUSES as readonly string[]).includes(value);
}

/** Setting the committee's quorum changes how every meeting is judged: the convener's call. */
export function canSetQuorum(role: CommitteeRole | null, isAdmin: boolean): boolean {
	return isAdmin || role === 'convener';
}

/**
 * The checks that need no database. Fields that do not belong to the status are dropped rather
 * than refused, so a form that still carries a reason after switching to "present" just works.
 */
function cleanEntry(input: AttendanceInput): CleanEntry {
	const status = typeof input.status === 'string' ? input.status : '';
	if (!isAttendanceStatus(status)) throw new AttendanceError('attendance.unknownStatus', { value: status });
	// A reason is one line in the minutes' header, whatever was pasted into the field.
	const reason = status === 'absent' ? (input.reason ?? '').normalize('NFC').replace(/\s+/gu, ' ').trim() : '';
	if (status === 'absent') {
		if (reason === '') throw new AttendanceError('attendance.reasonRequired');
		if ([...reason].length > REASON_MAX) throw new AttendanceError('attendance.reasonTooLong', { max: REASON_MAX });
	}
	let delegateId: string | null = null;
	if (status === 'delegated') {
		delegateId = (input.delegateId ?? '').trim() || null;
		if (delegateId === null) throw new AttendanceError('attendance.delegateRequired');
		if (delegateId === input.userId) throw new AttendanceError('attendance.delegateSelf');
	}
	return { userId: input.userId, status, reason, delegateId };
}

async function findMeeting(db: DbOrTx, meetingId: string, lock: boolean): Promise<MeetingRef> {
	if (!isUuid(meetingId)) throw new AttendanceError('attendance.meetingNotFound');
	const query = db.select({ id: meetings.id, committeeId: meetings.committeeId, state: meetings.state }).from(meetings).where(eq(meetings.id, meetingId));
	// A share lock makes finalization (an update of this row) wait for us, and us for it, so
	// no attendance change can slip in after the minutes were frozen.
	const [row] = lock ? await query.for('share') : await query.limit(1);
	if (!row) throw new AttendanceError('attendance.meetingNotFound');
	return row;
}

async function memberIds(db: DbOrTx, committeeId: string): Promise<Set<string>> {
	const rows = await db.select({ userId: memberships.userId }).from(memberships).where(eq(memberships.committeeId, committeeId));
	return new Set(rows.map((r) => r.userId));
}

function sameRecord(a: { status: string; reason: string; delegateId: string | null }, b: CleanEntry): boolean {
	return a.status === b.status && a.reason === b.reason && a.delegateId === b.delegateId;
}

/**
 * Validates every entry against the committee, then writes and audits them. Must run inside a
 * transaction: the first refusal throws, and the caller's rollback undoes the earlier writes.
 * With `onlyUnrecorded`, rows someone recorded meanwhile are left as they are.
 */
async function applyEntries(tx: DbOrTx, meeting: MeetingRef, inputs: AttendanceInput[], actorId: string | null, onlyUnrecorded = false): Promise<number> {
	if (meeting.state === 'finalized') throw new AttendanceError('attendance.frozen');
	const entries = inputs.map(cleanEntry);
	const members = await memberIds(tx, meeting.committeeId);
	const seen = new Set<string>();
	for (const entry of entries) {
		if (!isUuid(entry.userId) || !members.has(entry.userId)) throw new AttendanceError('attendance.notMember');
		if (seen.has(entry.userId)) throw new AttendanceError('attendance.duplicateEntry');
		seen.add(entry.userId);
		if (entry.delegateId !== null && !members.has(entry.delegateId)) throw new AttendanceError('attendance.delegateNotMember');
	}
	if (entries.length === 0) return 0;
	const previousRows = await tx
		.select({ userId: attendance.userId, status: attendance.status, reason: attendance.reason, delegateId: attendance.delegateId })
		.from(attendance)
		.where(and(eq(attendance.meetingId, meeting.id), inArray(attendance.userId, entries.map((e) => e.userId))));
	const previous = new Map(previousRows.map((r) => [r.userId, r]));
	let changed = 0;
	// Rows are written in one fixed order so that two concurrent bulk writes wait for each other
	// instead of each holding a row the other needs (a deadlock on PostgreSQL).
	const ordered = [...entries].sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));
	for (const entry of ordered) {
		const before = previous.get(entry.userId);
		if (before && (onlyUnrecorded || sameRecord(before, entry))) continue;
		const values = { status: entry.status, reason: entry.reason, delegateId: entry.delegateId, updatedBy: actorId, updatedAt: new Date() };
		const insert = tx.insert(attendance).values({ meetingId: meeting.id, userId: entry.userId, ...values });
		const written = onlyUnrecorded
			? await insert.onConflictDoNothing().returning({ userId: attendance.userId })
			: await insert.onConflictDoUpdate({ target: [attendance.meetingId, attendance.userId], set: values }).returning({ userId: attendance.userId });
		if (written.length === 0) continue;
		changed++;
		await recordAudit(tx, {
			actorId,
			action: 'attendance.set',
			subject: `meeting/${meeting.id}`,
			details: {
				userId: entry.userId,
				status: entry.status,
				reason: entry.reason,
				delegateId: entry.delegateId,
				previous: before ? { status: before.status, reason: before.reason, delegateId: before.delegateId } : null
			}
		});
	}
	return changed;
}

/** Records one member's attendance. Returns false when it was already recorded exactly so. */
export async function setAttendance(db: DbOrTx, input: SetAttendanceInput): Promise<boolean> {
	return db.transaction(async (tx) => {
		const meeting = await findMeeting(tx, input.meetingId, true);
		return (await applyEntries(tx, meeting, [input], input.actorId)) > 0;
	});
}

/** Records several members at once, all or nothing. Returns how many records changed. */
export async function setAttendanceBulk(db: DbOrTx, meetingId: string, entries: AttendanceInput[], actorId: string | null): Promise<number> {
	return db.transaction(async (tx) => {
		const meeting = await findMeeting(tx, meetingId, true);
		return applyEntries(tx, meeting, entries, actorId);
	});
}

/**
 * "全部标记为出席": everyone not recorded yet becomes present. Who is unrecorded is decided
 * inside the transaction, so a member the recorder marked absent a moment ago stays absent.
 */
export async function markUnrecordedPresent(db: DbOrTx, meetingId: string, actorId: string | null): Promise<number> {
	return db.transaction(async (tx) => {
		const meeting = await findMeeting(tx, meetingId, true);
		if (meeting.state === 'finalized') throw new AttendanceError('attendance.frozen');
		const recorded = await tx.select({ userId: attendance.userId }).from(attendance).where(eq(attendance.meetingId, meeting.id));
		const done = new Set(recorded.map((r) => r.userId));
		const missing = [...(await memberIds(tx, meeting.committeeId))].filter((id) => !done.has(id));
		return applyEntries(
			tx,
			meeting,
			missing.map((userId) => ({ userId, status: 'present' })),
			actorId,
			true
		);
	});
}

async function entriesFor(db: DbOrTx, meeting: MeetingRef): Promise<AttendanceEntry[]> {
	const [members, rows] = await Promise.all([
		listMembers(db, meeting.committeeId),
		db
			.select({
				userId: attendance.userId,
				status: attendance.status,
				reason: attendance.reason,
				delegateId: attendance.delegateId,
				delegateName: users.displayName
			})
			.from(attendance)
			.leftJoin(users, eq(users.id, attendance.delegateId))
			.where(eq(attendance.meetingId, meeting.id))
	]);
	const byUser = new Map(rows.map((r) => [r.userId, r]));
	// Current members only (in listMembers' order: role, then name); a record of someone who has
	// since left the committee stays in the table but is no longer shown.
	return members.map((m) => {
		const row = byUser.get(m.userId);
		return {
			userId: m.userId,
			displayName: m.displayName,
			role: m.role,
			unitId: m.unitId,
			unitName: m.unitName,
			status: row?.status ?? null,
			reason: row?.reason ?? '',
			delegateId: row?.delegateId ?? null,
			delegateName: row?.delegateName ?? null
		};
	});
}

/** Every current member of the meeting's committee, ordered by role then name, with their record or null. */
export async function listAttendance(db: DbOrTx, meetingId: string): Promise<AttendanceEntry[]> {
	return entriesFor(db, await findMeeting(db, meetingId, false));
}

const attends = (status: AttendanceStatus | null): boolean => status === 'present' || status === 'remote';

/** The summary of a list of entries; pure, so the page and the minutes header agree with the tests. */
export function summarizeAttendance(entries: AttendanceEntry[], quorumPercent: number): AttendanceSummary {
	const summary: AttendanceSummary = {
		members: 0,
		present: [],
		remote: [],
		absent: [],
		delegated: [],
		notRecorded: [],
		units: [],
		attending: 0,
		quorumPercent,
		quorumMet: false
	};
	for (const e of entries) {
		if (e.status === 'present') summary.present.push(e.displayName);
		else if (e.status === 'remote') summary.remote.push(e.displayName);
		else if (e.status === 'absent') summary.absent.push({ name: e.displayName, reason: e.reason });
		else if (e.status === 'delegated') summary.delegated.push({ name: e.displayName, to: e.delegateName ?? '' });
		else summary.notRecorded.push(e.displayName);
	}
	// A unit counts as represented when anyone seated for it attended in person or online.
	const units = new Map<string, { unitId: string; unitName: string; represented: boolean }>();
	for (const e of entries) {
		if (e.role === 'part_time' && e.unitId && !units.has(e.unitId)) units.set(e.unitId, { unitId: e.unitId, unitName: e.unitName ?? '', represented: false });
	}
	for (const e of entries) {
		const unit = e.unitId ? units.get(e.unitId) : undefined;
		if (unit && attends(e.status)) unit.represented = true;
	}
	summary.units = [...units.values()].sort((a, b) => compareNames(a.unitName, b.unitName));
	// 列席 observers attend without a vote: they are listed but count toward neither 应到 nor 实到.
	const voting = entries.filter((e) => e.role !== 'observer');
	summary.members = voting.length;
	summary.attending = voting.filter((e) => attends(e.status)).length;
	summary.quorumMet = quorumMet(summary.attending, summary.members, quorumPercent);
	return summary;
}

/** Entries and summary from one read of the meeting: what the meeting page and the API show. */
export async function attendanceView(db: DbOrTx, meetingId: string): Promise<{ entries: AttendanceEntry[]; summary: AttendanceSummary }> {
	const meeting = await findMeeting(db, meetingId, false);
	const [entries, percent] = await Promise.all([entriesFor(db, meeting), getQuorumPercent(db, meeting.committeeId)]);
	return { entries, summary: summarizeAttendance(entries, percent) };
}

export async function attendanceSummary(db: DbOrTx, meetingId: string): Promise<AttendanceSummary> {
	return (await attendanceView(db, meetingId)).summary;
}

// ---------------------------------------------------------------- quorum

/** The committee's quorum share in percent; 50 (more than half) until someone sets it. */
export async function getQuorumPercent(db: DbOrTx, committeeId: string): Promise<number> {
	if (!isUuid(committeeId)) return DEFAULT_QUORUM_PERCENT;
	const [row] = await db.select({ percent: committeeSettings.quorumPercent }).from(committeeSettings).where(eq(committeeSettings.committeeId, committeeId)).limit(1);
	return row?.percent ?? DEFAULT_QUORUM_PERCENT;
}

/** Returns false when the quorum already had that value. */
export async function setQuorumPercent(db: DbOrTx, committeeId: string, percent: number, actorId: string | null): Promise<boolean> {
	if (!Number.isInteger(percent) || percent < QUORUM_MIN || percent > QUORUM_MAX) throw new AttendanceError('attendance.quorumInvalid', { min: QUORUM_MIN, max: QUORUM_MAX });
	if (!isUuid(committeeId)) throw new AttendanceError('attendance.committeeNotFound');
	return db.transaction(async (tx) => {
		const [committee] = await tx.select({ id: committees.id }).from(committees).where(eq(committees.id, committeeId)).limit(1);
		if (!committee) throw new AttendanceError('attendance.committeeNotFound');
		const [existing] = await tx.select({ percent: committeeSettings.quorumPercent }).from(committeeSettings).where(eq(committeeSettings.committeeId, committeeId)).for('update');
		// Compared with the stored row, not the default: a first explicit 50 is still a decision worth auditing.
		if (existing && existing.percent === percent) return false;
		const before = existing?.percent ?? DEFAULT_QUORUM_PERCENT;
		await tx
			.insert(committeeSettings)
			.values({ committeeId, quorumPercent: percent, updatedAt: new Date() })
			.onConflictDoUpdate({ target: committeeSettings.committeeId, set: { quorumPercent: percent, updatedAt: new Date() } });
		await recordAudit(tx, { actorId, action: 'committee.quorum_set', subject: `committee/${committeeId}`, details: { from: before, to: percent } });
		return true;
	});
}
