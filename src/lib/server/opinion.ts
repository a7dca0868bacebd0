import { and, asc, eq } from 'drizzle-orm';
import { agendaDocName, readAgenda } from '../docs/agenda';
import type { Db, DbOrTx } from './db';
import { meetings, memberships, units, users, writtenOpinions } from './db/schema';
import { readDocument } from './liveEdit';
import { isUuid } from './meeting';
import { DomainError, type MessageParams } from './organisation';

/*
 * 书面意见: a written opinion on an agenda item, typically from a member who could not attend.
 * Any member of the committee may give one (observers only follow the meeting), in their own
 * name or — with a unit seat — in their unit's name. Opinions are part of the record, so they
 * freeze with the minutes when the meeting is finalized.
 */

export const OPINION_MAX = 2000;

export type OpinionErrorKey =
	| 'opinion.notFound'
	| 'opinion.notAllowed'
	| 'opinion.finalized'
	| 'opinion.bodyRequired'
	| 'opinion.bodyTooLong'
	| 'opinion.unknownItem'
	| 'opinion.noUnit';

export class OpinionError extends DomainError {
	constructor(key: OpinionErrorKey, params: MessageParams = {}) {
		super(key, params);
		this.name = 'OpinionError';
	}
}

export interface OpinionView {
	id: string;
	agendaItemId: string;
	authorId: string | null;
	authorName: string | null;
	unitId: string | null;
	unitName: string | null;
	body: string;
	createdAt: Date;
	updatedAt: Date;
}

function cleanBody(raw: string): string {
	const body = raw.trim();
	if (!body) throw new OpinionError('opinion.bodyRequired');
	if (body.length > OPINION_MAX) throw new OpinionError('opinion.bodyTooLong', { max: OPINION_MAX });
	return body;
}

/** The meeting and the writer's seat; refuses observers, outsiders and finalized meetings. */
async function writableMeeting(db: DbOrTx, userId: string, meetingId: string) {
	if (!isUuid(meetingId)) throw new OpinionError('opinion.notFound');
	const [meeting] = await db.select({ id: meetings.id, committeeId: meetings.committeeId, state: meetings.state }).from(meetings).where(eq(meetings.id, meetingId));
	if (!meeting) throw new OpinionError('opinion.notFound');
	const [seat] = await db
		.select({ role: memberships.role, unitId: memberships.unitId })
		.from(memberships)
		.where(and(eq(memberships.userId, userId), eq(memberships.committeeId, meeting.committeeId)));
	if (!seat || seat.role === 'observer') throw new OpinionError('opinion.notAllowed');
	if (meeting.state === 'finalized') throw new OpinionError('opinion.finalized');
	return { meeting, seat };
}

export async function addOpinion(
	db: Db,
	user: { id: string },
	meetingId: string,
	input: { agendaItemId: string; body: string; inUnitName?: boolean }
): Promise<string> {
	const { seat } = await writableMeeting(db, user.id, meetingId);
	const body = cleanBody(input.body);
	if (input.inUnitName && !seat.unitId) throw new OpinionError('opinion.noUnit');
	// The agenda lives in its Yjs document; an opinion on an item that is not there would hang in the air.
	const itemIds = await readDocument(db, agendaDocName(meetingId), (doc) => readAgenda(doc).map((i) => i.id));
	if (!itemIds.includes(input.agendaItemId)) throw new OpinionError('opinion.unknownItem');
	const [row] = await db
		.insert(writtenOpinions)
		.values({ meetingId, agendaItemId: input.agendaItemId, authorId: user.id, unitId: input.inUnitName ? seat.unitId : null, body })
		.returning({ id: writtenOpinions.id });
	return row!.id;
}

async function ownOpinion(db: DbOrTx, userId: string, opinionId: string) {
	if (!isUuid(opinionId)) throw new OpinionError('opinion.notFound');
	const [row] = await db.select({ meetingId: writtenOpinions.meetingId, authorId: writtenOpinions.authorId }).from(writtenOpinions).where(eq(writtenOpinions.id, opinionId));
	if (!row) throw new OpinionError('opinion.notFound');
	if (row.authorId !== userId) throw new OpinionError('opinion.notAllowed');
	await writableMeeting(db, userId, row.meetingId);
	return row;
}

/** The meeting an opinion was given on, or null for an unknown id. No permission check. */
export async function meetingOfOpinion(db: DbOrTx, opinionId: string): Promise<string | null> {
	if (!isUuid(opinionId)) return null;
	const [row] = await db.select({ meetingId: writtenOpinions.meetingId }).from(writtenOpinions).where(eq(writtenOpinions.id, opinionId));
	return row?.meetingId ?? null;
}

/** Only the author edits an opinion; the name it was given in stays. */
export async function editOpinion(db: Db, user: { id: string }, opinionId: string, input: { body: string }): Promise<void> {
	const body = cleanBody(input.body);
	await ownOpinion(db, user.id, opinionId);
	await db.update(writtenOpinions).set({ body, updatedAt: new Date() }).where(eq(writtenOpinions.id, opinionId));
}

export async function deleteOpinion(db: Db, user: { id: string }, opinionId: string): Promise<void> {
	await ownOpinion(db, user.id, opinionId);
	await db.delete(writtenOpinions).where(eq(writtenOpinions.id, opinionId));
}

/** A meeting's opinions grouped by agenda item id, oldest first (also for the minutes export). */
export async function opinionsOfMeeting(db: DbOrTx, meetingId: string): Promise<Record<string, OpinionView[]>> {
	if (!isUuid(meetingId)) return {};
	const rows = await db
		.select({
			id: writtenOpinions.id,
			agendaItemId: writtenOpinions.agendaItemId,
			authorId: writtenOpinions.authorId,
			authorName: users.displayName,
			unitId: writtenOpinions.unitId,
			unitName: units.name,
			body: writtenOpinions.body,
			createdAt: writtenOpinions.createdAt,
			updatedAt: writtenOpinions.updatedAt
		})
		.from(writtenOpinions)
		.leftJoin(users, eq(users.id, writtenOpinions.authorId))
		.leftJoin(units, eq(units.id, writtenOpinions.unitId))
		.where(eq(writtenOpinions.meetingId, meetingId))
		.orderBy(asc(writtenOpinions.createdAt), asc(writtenOpinions.id));
	const grouped: Record<string, OpinionView[]> = {};
	for (const r of rows) (grouped[r.agendaItemId] ??= []).push(r);
	return grouped;
}
