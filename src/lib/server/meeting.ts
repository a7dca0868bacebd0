import { and, asc, count, desc, eq, gte, inArray } from 'drizzle-orm';
import type { Db, DbOrTx } from './db';
import { committees, meetingKinds, meetings, type MeetingKind, type MeetingState } from './db/schema';
import { recordAudit } from './audit';

export interface MeetingInput {
	title: string;
	kind: string;
	startsAt: string;
	place?: string;
	onlineLink?: string;
}

export interface Meeting {
	id: string;
	committeeId: string;
	title: string;
	kind: MeetingKind;
	state: MeetingState;
	startsAt: Date;
	place: string;
	onlineLink: string;
	createdAt: Date;
}

/** Field → message key, for forms and the API alike. */
export type MeetingErrors = Partial<Record<'title' | 'kind' | 'startsAt' | 'place' | 'onlineLink', string>>;

export class MeetingValidationError extends Error {
	constructor(readonly fields: MeetingErrors) {
		super(`invalid meeting: ${Object.entries(fields).map(([k, v]) => `${k} ${v}`).join(', ')}`);
		this.name = 'MeetingValidationError';
	}
}

const TITLE_MAX = 200;
const PLACE_MAX = 200;

export function validateMeeting(input: MeetingInput): { ok: true; value: Omit<Meeting, 'id' | 'committeeId' | 'state' | 'createdAt'> } | { ok: false; errors: MeetingErrors } {
	const errors: MeetingErrors = {};
	const title = (input.title ?? '').trim();
	if (!title) errors.title = 'meeting.error.titleRequired';
	else if (title.length > TITLE_MAX) errors.title = 'meeting.error.titleTooLong';
	const kind = input.kind as MeetingKind;
	if (!(meetingKinds as readonly string[]).includes(kind)) errors.kind = 'meeting.error.kindInvalid';
	const startsAt = parseDateTime(input.startsAt);
	if (!startsAt) errors.startsAt = 'meeting.error.startsAtInvalid';
	const place = (input.place ?? '').trim();
	if (place.length > PLACE_MAX) errors.place = 'meeting.error.placeTooLong';
	const onlineLink = (input.onlineLink ?? '').trim();
	if (onlineLink && !/^https?:\/\/\S+$/i.test(onlineLink)) errors.onlineLink = 'meeting.error.linkInvalid';
	if (Object.keys(errors).length > 0 || !startsAt) return { ok: false, errors };
	return { ok: true, value: { title, kind, startsAt, place, onlineLink } };
}

/**
 * Accepts ISO 8601 with an offset (the API) or a datetime-local value (the form), which is
 * read as China Standard Time: committees meet in China whatever the server's zone is.
 */
export function parseDateTime(value: string | undefined | null): Date | null {
	if (!value || typeof value !== 'string') return null;
	const local = value.match(/^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/);
	const date = local ? new Date(`${value.length === 16 ? `${value}:00` : value}+08:00`) : new Date(value);
	if (Number.isNaN(date.getTime())) return null;
	if (!local && !/[zZ]|[+-]\d{2}:?\d{2}$/.test(value)) return null;
	const year = date.getUTCFullYear();
	if (year < 2000 || year > 2100) return null;
	return date;
}

export async function createMeeting(db: Db, committeeId: string, input: MeetingInput, actorId: string): Promise<Meeting> {
	const checked = validateMeeting(input);
	if (!checked.ok) throw new MeetingValidationError(checked.errors);
	return db.transaction(async (tx) => {
		const [row] = await tx
			.insert(meetings)
			.values({ committeeId, ...checked.value, createdBy: actorId })
			.returning();
		if (!row) throw new Error('insert returned no row');
		await recordAudit(tx, { actorId, action: 'meeting.created', subject: `meeting/${row.id}`, details: { title: row.title } });
		return toMeeting(row);
	});
}

function toMeeting(row: typeof meetings.$inferSelect): Meeting {
	return {
		id: row.id,
		committeeId: row.committeeId,
		title: row.title,
		kind: row.kind,
		state: row.state,
		startsAt: row.startsAt,
		place: row.place,
		onlineLink: row.onlineLink,
		createdAt: row.createdAt
	};
}

export async function getMeeting(db: DbOrTx, id: string): Promise<(Meeting & { committeeName: string }) | null> {
	if (!isUuid(id)) return null;
	const [row] = await db
		.select({ meeting: meetings, committeeName: committees.name })
		.from(meetings)
		.innerJoin(committees, eq(committees.id, meetings.committeeId))
		.where(eq(meetings.id, id))
		.limit(1);
	return row ? { ...toMeeting(row.meeting), committeeName: row.committeeName } : null;
}

export const MEETINGS_PAGE_SIZE = 20;

/** Newest first, paginated. */
export async function listMeetings(db: DbOrTx, committeeId: string, page = 1, pageSize = MEETINGS_PAGE_SIZE): Promise<{ items: Meeting[]; total: number }> {
	const safePage = Math.max(1, Math.floor(page));
	const rows = await db
		.select()
		.from(meetings)
		.where(eq(meetings.committeeId, committeeId))
		.orderBy(desc(meetings.startsAt), desc(meetings.createdAt))
		.limit(pageSize)
		.offset((safePage - 1) * pageSize);
	const [total] = await db.select({ n: count() }).from(meetings).where(and(eq(meetings.committeeId, committeeId)));
	return { items: rows.map(toMeeting), total: Number(total?.n ?? 0) };
}

export function isUuid(value: string): boolean {
	return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

/** The next meetings of the given committees, soonest first. */
export async function upcomingMeetings(db: DbOrTx, committeeIds: string[], now = new Date(), limit = 10): Promise<(Meeting & { committeeName: string })[]> {
	if (committeeIds.length === 0) return [];
	const rows = await db
		.select({ meeting: meetings, committeeName: committees.name })
		.from(meetings)
		.innerJoin(committees, eq(committees.id, meetings.committeeId))
		.where(and(inArray(meetings.committeeId, committeeIds), gte(meetings.startsAt, new Date(now.getTime() - 12 * 60 * 60 * 1000))))
		.orderBy(asc(meetings.startsAt))
		.limit(limit);
	return rows.map((r) => ({ ...toMeeting(r.meeting), committeeName: r.committeeName }));
}
