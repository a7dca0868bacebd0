import { and, count, eq, sql } from 'drizzle-orm';
import type { CommitteeRole } from '../domain/roles';
import { minutesDocName } from '../docs/minutes';
import { recordAudit } from './audit';
import type { Db, DbOrTx } from './db';
import { WHOLE_MINUTES } from '../domain/commentAnchor';
import { auditLog, comments, commentThreads, meetings, memberships, minutesConfirmations, units, users } from './db/schema';
import { isUuid } from './meeting';
import { compareNames, DomainError, type MessageParams } from './organisation';

/*
 * 确认 / 有异议 on the draft minutes. While a meeting is in review, every member unit (through any
 * of the people holding a seat for it) and every standing member answers. Answers are kept per
 * review round so that a reopened meeting is confirmed afresh; an objection opens a comment thread
 * on the minutes so that it can be discussed where the text is.
 */

export const CONFIRMATION_STATUSES = ['confirmed', 'objected'] as const;
export type ConfirmationStatus = (typeof CONFIRMATION_STATUSES)[number];
export const OBJECTION_MAX = 2000;

/** Roles that confirm in their own name when they hold no unit seat. */
const STANDING_ROLES: readonly CommitteeRole[] = ['convener', 'recorder', 'member'];

export type ConfirmationErrorKey =
	| 'confirmation.notFound'
	| 'confirmation.notAllowed'
	| 'confirmation.wrongState'
	| 'confirmation.badStatus'
	| 'confirmation.reasonRequired'
	| 'confirmation.reasonTooLong';

export class ConfirmationError extends DomainError {
	constructor(key: ConfirmationErrorKey, params: MessageParams = {}) {
		super(key, params);
		this.name = 'ConfirmationError';
	}
}

export function isConfirmationStatus(value: string): value is ConfirmationStatus {
	return (CONFIRMATION_STATUSES as readonly string[]).includes(value);
}

export type PartyKind = 'unit' | 'member';

export interface Party {
	kind: PartyKind;
	id: string;
	name: string;
}

export interface PartyAnswer extends Party {
	status: ConfirmationStatus | 'none';
	reason: string;
	threadId: string | null;
	answeredByName: string | null;
	answeredAt: Date | null;
}

export interface ConfirmationView {
	round: number;
	parties: PartyAnswer[];
	summary: { total: number; confirmed: number; objected: number; pending: number };
	allConfirmed: boolean;
}

/**
 * The review round: 1, plus one for every reopen. Counted from the 'meeting.reopen' audit rows,
 * which transitionMeeting writes in the same transaction as the state change, so the count can
 * never disagree with the state (the audit log is append-only).
 */
export async function currentRound(db: DbOrTx, meetingId: string): Promise<number> {
	const [row] = await db
		.select({ n: count() })
		.from(auditLog)
		.where(and(eq(auditLog.subject, `meeting/${meetingId}`), eq(auditLog.action, 'meeting.reopen')));
	return 1 + (row?.n ?? 0);
}

/**
 * Who must answer. Units come from the seats of people who may speak for them (an observer's
 * unit is not a member unit for this purpose — nobody could answer for it); standing members
 * answer in their own name only when they hold no unit seat, since a person with a unit seat
 * answers for the unit.
 */
export async function partiesOf(db: DbOrTx, committeeId: string): Promise<Party[]> {
	const seats = await db
		.select({ userId: memberships.userId, role: memberships.role, unitId: memberships.unitId, unitName: units.name, displayName: users.displayName })
		.from(memberships)
		.innerJoin(users, eq(users.id, memberships.userId))
		.leftJoin(units, eq(units.id, memberships.unitId))
		.where(eq(memberships.committeeId, committeeId));
	const unitParties = new Map<string, Party>();
	const memberParties: Party[] = [];
	for (const s of seats) {
		if (s.role === 'observer') continue;
		if (s.unitId) unitParties.set(s.unitId, { kind: 'unit', id: s.unitId, name: s.unitName ?? '' });
		else if (STANDING_ROLES.includes(s.role)) memberParties.push({ kind: 'member', id: s.userId, name: s.displayName });
	}
	const byName = (a: Party, b: Party) => compareNames(a.name, b.name);
	return [...[...unitParties.values()].sort(byName), ...memberParties.sort(byName)];
}

/** The party a person answers for in a committee, or null (observers, people without a seat). */
export async function partyOfUser(db: DbOrTx, userId: string, committeeId: string): Promise<Party | null> {
	const [seat] = await db
		.select({ role: memberships.role, unitId: memberships.unitId, unitName: units.name, displayName: users.displayName })
		.from(memberships)
		.innerJoin(users, eq(users.id, memberships.userId))
		.leftJoin(units, eq(units.id, memberships.unitId))
		.where(and(eq(memberships.userId, userId), eq(memberships.committeeId, committeeId)));
	if (!seat || seat.role === 'observer') return null;
	if (seat.unitId) return { kind: 'unit', id: seat.unitId, name: seat.unitName ?? '' };
	if (STANDING_ROLES.includes(seat.role)) return { kind: 'member', id: userId, name: seat.displayName };
	return null;
}

async function meetingOf(db: DbOrTx, meetingId: string) {
	if (!isUuid(meetingId)) return null;
	const [m] = await db.select({ id: meetings.id, committeeId: meetings.committeeId, state: meetings.state }).from(meetings).where(eq(meetings.id, meetingId));
	return m ?? null;
}

/** Every party with its answer in the current round, and the counts. */
export async function confirmationStatus(db: DbOrTx, meetingId: string): Promise<ConfirmationView> {
	const meeting = await meetingOf(db, meetingId);
	if (!meeting) throw new ConfirmationError('confirmation.notFound');
	const round = await currentRound(db, meetingId);
	const parties = await partiesOf(db, meeting.committeeId);
	const answers = await db
		.select({
			partyKind: minutesConfirmations.partyKind,
			partyId: minutesConfirmations.partyId,
			status: minutesConfirmations.status,
			reason: minutesConfirmations.reason,
			threadId: minutesConfirmations.threadId,
			answeredByName: users.displayName,
			answeredAt: minutesConfirmations.answeredAt
		})
		.from(minutesConfirmations)
		.leftJoin(users, eq(users.id, minutesConfirmations.answeredBy))
		.where(and(eq(minutesConfirmations.meetingId, meetingId), eq(minutesConfirmations.round, round)));
	const byParty = new Map(answers.map((a) => [`${a.partyKind}:${a.partyId}`, a]));
	// Answers of parties that left the committee since are not shown: they no longer need to answer.
	const list: PartyAnswer[] = parties.map((p) => {
		const a = byParty.get(`${p.kind}:${p.id}`);
		return {
			...p,
			status: a && isConfirmationStatus(a.status) ? a.status : 'none',
			reason: a?.reason ?? '',
			threadId: a?.threadId ?? null,
			answeredByName: a?.answeredByName ?? null,
			answeredAt: a?.answeredAt ?? null
		};
	});
	const confirmed = list.filter((p) => p.status === 'confirmed').length;
	const objected = list.filter((p) => p.status === 'objected').length;
	return {
		round,
		parties: list,
		summary: { total: list.length, confirmed, objected, pending: list.length - confirmed - objected },
		allConfirmed: confirmed === list.length
	};
}

/**
 * 确认无误 or 有异议 for the party the person answers for. A later answer replaces the earlier one
 * (until finalization); an objection's reason becomes a comment — in the thread the party's
 * previous objection opened, if there is one, so one party's objections stay one discussion.
 */
export async function answer(
	db: Db,
	user: { id: string },
	meetingId: string,
	input: { status: string; reason?: string }
): Promise<{ round: number; party: Party; threadId: string | null }> {
	if (!isConfirmationStatus(input.status)) throw new ConfirmationError('confirmation.badStatus');
	const status = input.status;
	const reason = status === 'objected' ? (input.reason ?? '').trim() : '';
	if (status === 'objected' && !reason) throw new ConfirmationError('confirmation.reasonRequired');
	if (reason.length > OBJECTION_MAX) throw new ConfirmationError('confirmation.reasonTooLong', { max: OBJECTION_MAX });
	if (!isUuid(meetingId)) throw new ConfirmationError('confirmation.notFound');
	return db.transaction(async (tx) => {
		// A shared lock: answers may run side by side, but not while finalize (which locks the row
		// for update) is deciding whether everyone confirmed.
		await tx.execute(sql`select id from ${meetings} where ${meetings.id} = ${meetingId} for share`);
		const meeting = await meetingOf(tx, meetingId);
		if (!meeting) throw new ConfirmationError('confirmation.notFound');
		const party = await partyOfUser(tx, user.id, meeting.committeeId);
		if (!party) throw new ConfirmationError('confirmation.notAllowed');
		if (meeting.state !== 'review') throw new ConfirmationError('confirmation.wrongState');
		const round = await currentRound(tx, meetingId);
		const key = and(
			eq(minutesConfirmations.meetingId, meetingId),
			eq(minutesConfirmations.round, round),
			eq(minutesConfirmations.partyKind, party.kind),
			eq(minutesConfirmations.partyId, party.id)
		);
		const [previous] = await tx.select({ threadId: minutesConfirmations.threadId }).from(minutesConfirmations).where(key);
		let threadId: string | null = previous?.threadId ?? null;
		if (status === 'objected') {
			if (!threadId) {
				const [thread] = await tx
					.insert(commentThreads)
					.values({ committeeId: meeting.committeeId, docName: minutesDocName(meetingId), anchorKind: 'text', anchorId: WHOLE_MINUTES, quote: '', createdBy: user.id })
					.returning({ id: commentThreads.id });
				threadId = thread!.id;
			}
			await tx.insert(comments).values({ threadId, authorId: user.id, body: reason });
		}
		const values = { status, reason, threadId, answeredBy: user.id, answeredAt: new Date() };
		await tx
			.insert(minutesConfirmations)
			.values({ meetingId, round, partyKind: party.kind, partyId: party.id, ...values })
			.onConflictDoUpdate({
				target: [minutesConfirmations.meetingId, minutesConfirmations.round, minutesConfirmations.partyKind, minutesConfirmations.partyId],
				set: values
			});
		await recordAudit(tx, {
			actorId: user.id,
			action: `minutes.${status}`,
			subject: `meeting/${meetingId}`,
			details: { round, partyKind: party.kind, partyId: party.id, ...(reason ? { reason } : {}) }
		});
		return { round, party, threadId };
	});
}
