import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import { agendaDocName, readAgenda } from '../docs/agenda';
import { chinaYear, recordNumberLabel, RECORD_FORMAT, type PmNode, type RecordBody, type RecordKind } from '../domain/record';
import { tsvectorLiteral } from '../domain/searchTerms';
import type { SessionUser } from './auth/session';
import { attendanceView } from './attendance';
import { getCommittee } from './committee';
import type { ConfirmationView } from './confirmation';
import type { DbOrTx } from './db';
import { committees, districts, meetings, recordCounters, records, recordSearch, units, users } from './db/schema';
import type { ExtractedDecision } from './decision';
import { readDocument } from './liveEdit';
import { isUuid } from './meeting';
import { canonicalJson, plainText, sha256Hex } from './minutes';
import { opinionsOfMeeting } from './opinion';
import { visibleCommittee } from './visibility';

/*
 * Freezing minutes into the record (归档) and reading records back. A record is written once,
 * inside the finalizing transaction; the table refuses updates, so everything here only inserts
 * and reads.
 */

export interface RecordRef {
	id: string;
	/** The committee, or the district for district-wide records. */
	scopeId: string;
	committeeId: string | null;
	meetingId: string | null;
	year: number;
	seq: number;
	version: number;
	sha256: string;
	/** 〔2026〕第3号 */
	label: string;
}

// PostgreSQL's jsonb refuses U+0000 in strings; a hostile peer could have typed one.
function withoutNul<T>(value: T): T {
	if (typeof value === 'string') return value.replace(/\u0000/g, '') as T;
	if (Array.isArray(value)) return value.map(withoutNul) as T;
	if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutNul(v)])) as T;
	return value;
}

export function recordHash(body: unknown): string {
	return sha256Hex(canonicalJson(body));
}

/** The words a record is found by: title, minutes, decisions and opinions. */
export function recordSearchText(body: RecordBody): string {
	return [
		body.committee.name,
		body.meeting.title,
		plainText(body.content),
		...body.decisions.map((d) => d.text),
		...body.opinions.map((o) => `${o.agendaItem} ${o.author} ${o.body}`)
	].join('\n');
}

export type RecordSeries = 'minutes' | 'bulletin' | 'evaluation';

/**
 * The number of a new record: the next in the scope's series for the year, or — when the same
 * meeting or subject was frozen before — the same number as a new version.
 */
export async function nextRecordNumber(
	tx: DbOrTx,
	input: { scopeId: string; kind: RecordSeries; year: number; meetingId?: string; subjectId?: string }
): Promise<{ year: number; seq: number; version: number }> {
	const same = input.meetingId ? eq(records.meetingId, input.meetingId) : input.subjectId ? eq(records.subjectId, input.subjectId) : null;
	if (same) {
		const [previous] = await tx
			.select({ year: records.year, seq: records.seq, version: records.version })
			.from(records)
			.where(and(same, eq(records.kind, input.kind)))
			.orderBy(desc(records.version))
			.limit(1);
		if (previous) return { year: previous.year, seq: previous.seq, version: previous.version + 1 };
	}
	// The counter row's lock holds a second freezing in the same scope until this transaction
	// ends: numbers are unique and, since a rollback returns the number, gapless. Other scopes
	// have other rows and do not wait.
	const [row] = await tx
		.insert(recordCounters)
		.values({ scopeId: input.scopeId, kind: input.kind, year: input.year, last: 1 })
		.onConflictDoUpdate({ target: [recordCounters.scopeId, recordCounters.kind, recordCounters.year], set: { last: sql`${recordCounters.last} + 1` } })
		.returning({ last: recordCounters.last });
	return { year: input.year, seq: row!.last, version: 1 };
}

export interface FreezeInput {
	meetingId: string;
	content: PmNode;
	decisions: ExtractedDecision[];
	confirmations: ConfirmationView;
	override: string | null;
	actorId: string;
	finalizedAt?: Date;
}

/** Writes the record of a finalization; call inside the finalizing transaction. */
export async function freezeMinutesRecord(tx: DbOrTx, input: FreezeInput): Promise<RecordRef> {
	const [meeting] = await tx
		.select({
			id: meetings.id,
			title: meetings.title,
			kind: meetings.kind,
			startsAt: meetings.startsAt,
			place: meetings.place,
			committeeId: committees.id,
			committeeName: committees.name,
			committeeKind: committees.kind
		})
		.from(meetings)
		.innerJoin(committees, eq(committees.id, meetings.committeeId))
		.where(eq(meetings.id, input.meetingId));
	if (!meeting) throw new Error(`freezeMinutesRecord: no meeting ${input.meetingId}`);

	const [{ entries, summary }, opinions, agenda, [actor]] = await Promise.all([
		attendanceView(tx, input.meetingId),
		opinionsOfMeeting(tx, input.meetingId),
		readDocument(tx, agendaDocName(input.meetingId), readAgenda),
		tx.select({ name: users.displayName }).from(users).where(eq(users.id, input.actorId))
	]);
	const unitIds = [...new Set(input.decisions.flatMap((d) => d.unitIds))];
	const unitNames = new Map(
		unitIds.length ? (await tx.select({ id: units.id, name: units.name }).from(units).where(inArray(units.id, unitIds))).map((u) => [u.id, u.name] as const) : []
	);
	const agendaTitles = new Map(agenda.map((item) => [item.id, item.title] as const));
	const attends = (s: string | null) => s === 'present' || s === 'remote';
	const finalizedAt = input.finalizedAt ?? new Date();
	const year = chinaYear(meeting.startsAt);
	const number = await nextRecordNumber(tx, { scopeId: meeting.committeeId, kind: 'minutes', year, meetingId: meeting.id });
	const committee = await getCommittee(tx, meeting.committeeId);
	if (!committee) throw new Error(`freezeMinutesRecord: no committee ${meeting.committeeId}`);

	const body: RecordBody = withoutNul({
		format: RECORD_FORMAT,
		kind: 'minutes',
		...number,
		committee: { id: meeting.committeeId, name: meeting.committeeName, kind: meeting.committeeKind },
		meeting: { id: meeting.id, title: meeting.title, kind: meeting.kind, startsAt: meeting.startsAt.toISOString(), place: meeting.place },
		attendance: {
			present: entries.filter((e) => e.role !== 'observer' && attends(e.status)).map((e) => ({ name: e.displayName, unit: e.unitName, remote: e.status === 'remote' })),
			excused: entries
				.filter((e) => e.role !== 'observer' && (e.status === 'absent' || e.status === 'delegated'))
				.map((e) => ({ name: e.displayName, unit: e.unitName, reason: e.reason, delegatedTo: e.status === 'delegated' ? (e.delegateName ?? '') : null })),
			observers: entries.filter((e) => e.role === 'observer' && attends(e.status)).map((e) => ({ name: e.displayName, unit: e.unitName })),
			expected: summary.members,
			attending: summary.attending
		},
		content: input.content,
		decisions: input.decisions.map((d) => ({
			blockId: d.blockId,
			position: d.position,
			text: d.text,
			units: d.unitIds.map((id) => unitNames.get(id) ?? id),
			dueDate: d.dueDate || null
		})),
		opinions: Object.entries(opinions)
			.flatMap(([agendaItemId, list]) =>
				list.map((o) => ({
					agendaItem: agendaTitles.get(agendaItemId) ?? '',
					author: o.authorName ?? '',
					unit: o.unitName,
					body: o.body,
					writtenAt: o.createdAt.toISOString()
				}))
			)
			.sort((a, b) => (a.writtenAt < b.writtenAt ? -1 : a.writtenAt > b.writtenAt ? 1 : 0)),
		confirmations: input.confirmations.parties.map((p) => ({
			party: p.name,
			kind: p.kind,
			status: p.status,
			reason: p.reason,
			answeredBy: p.answeredByName,
			answeredAt: p.answeredAt ? p.answeredAt.toISOString() : null
		})),
		override: input.override,
		finalizedBy: actor?.name ?? '',
		finalizedAt: finalizedAt.toISOString()
	});
	return writeRecord(tx, { scopeId: meeting.committeeId, districtId: committee.districtId, committeeId: meeting.committeeId, meetingId: meeting.id, subjectId: null, title: meeting.title, body });
}

/**
 * Inserts a frozen record and its search terms: the one place a `records` row is written.
 * The body must already carry its number (nextRecordNumber, in the same transaction).
 */
export async function writeRecord(
	tx: DbOrTx,
	input: { scopeId: string; districtId: string; committeeId: string | null; meetingId: string | null; subjectId: string | null; title: string; body: RecordBody }
): Promise<RecordRef> {
	const { body } = input;
	const sha256 = recordHash(body);
	const [row] = await tx
		.insert(records)
		.values({
			scopeId: input.scopeId,
			districtId: input.districtId,
			committeeId: input.committeeId,
			meetingId: input.meetingId,
			subjectId: input.subjectId,
			kind: body.kind,
			year: body.year,
			seq: body.seq,
			version: body.version,
			body: body as unknown as Record<string, unknown>,
			sha256,
			title: input.title,
			finalizedAt: new Date(body.finalizedAt)
		})
		.returning({ id: records.id });
	const text = recordSearchText(body);
	await tx.insert(recordSearch).values({ recordId: row!.id, text, terms: sql`${tsvectorLiteral(text)}::tsvector` });
	return {
		id: row!.id,
		scopeId: input.scopeId,
		committeeId: input.committeeId,
		meetingId: input.meetingId,
		year: body.year,
		seq: body.seq,
		version: body.version,
		sha256,
		label: recordNumberLabel(body.year, body.seq, body.kind)
	};
}

export interface StoredRecord extends RecordRef {
	kind: RecordKind;
	body: RecordBody;
	title: string;
	finalizedAt: Date;
	/** A later version of the same number exists. */
	superseded: boolean;
	/** The committee's name, or the district's for district-wide records. */
	committeeName: string;
}

/** A later version of the same number exists (computed, never stored: records do not change). */
export const supersededSql = sql<boolean>`exists (select 1 from ${records} r2 where r2.scope_id = ${records.scopeId} and r2.kind = ${records.kind} and r2.year = ${records.year} and r2.seq = ${records.seq} and r2.version > ${records.version})`.mapWith(Boolean);

/** The name a record is filed under: its committee's, or its district's. */
export const scopeNameSql = sql<string>`coalesce(${committees.name}, ${districts.name})`;

const recordColumns = {
	id: records.id,
	kind: records.kind,
	scopeId: records.scopeId,
	committeeId: records.committeeId,
	meetingId: records.meetingId,
	year: records.year,
	seq: records.seq,
	version: records.version,
	sha256: records.sha256,
	body: records.body,
	title: records.title,
	finalizedAt: records.finalizedAt,
	committeeName: scopeNameSql,
	superseded: supersededSql
};

interface RecordRow extends Omit<RecordRef, 'label'> {
	kind: string;
	body: Record<string, unknown>;
	title: string;
	finalizedAt: Date;
	committeeName: string;
	superseded: boolean;
}

function toStored(row: RecordRow): StoredRecord {
	return {
		id: row.id,
		scopeId: row.scopeId,
		committeeId: row.committeeId,
		meetingId: row.meetingId,
		year: row.year,
		seq: row.seq,
		version: row.version,
		sha256: row.sha256,
		kind: row.kind as RecordKind,
		label: recordNumberLabel(row.year, row.seq, row.kind as RecordKind),
		body: row.body as unknown as RecordBody,
		title: row.title,
		finalizedAt: row.finalizedAt,
		superseded: row.superseded,
		committeeName: row.committeeName
	};
}

/** A record by id, without any access check (exporters, verify after the caller checked). */
export async function getRecord(db: DbOrTx, id: string): Promise<StoredRecord | null> {
	if (!isUuid(id)) return null;
	const [row] = await db.select(recordColumns).from(records).leftJoin(committees, eq(committees.id, records.committeeId)).innerJoin(districts, eq(districts.id, records.districtId)).where(eq(records.id, id));
	return row ? toStored(row) : null;
}

/**
 * A record if the person may read it: a committee's as its finalized minutes (any seat in the
 * committee, or an administrator); a district-wide one, administrators.
 */
export async function readableRecord(db: DbOrTx, user: Pick<SessionUser, 'id' | 'isAdmin'>, id: string): Promise<StoredRecord | null> {
	const record = await getRecord(db, id);
	if (!record) return null;
	if (!record.committeeId) return user.isAdmin ? record : null;
	return (await visibleCommittee(db, user, record.committeeId)) ? record : null;
}

/** Every version of a meeting's record, newest first. */
export async function recordsOfMeeting(db: DbOrTx, meetingId: string): Promise<StoredRecord[]> {
	if (!isUuid(meetingId)) return [];
	const rows = await db
		.select(recordColumns)
		.from(records)
		.leftJoin(committees, eq(committees.id, records.committeeId))
		.innerJoin(districts, eq(districts.id, records.districtId))
		.where(eq(records.meetingId, meetingId))
		.orderBy(desc(records.version));
	return rows.map((r) => toStored(r));
}

/** Recomputes the hash from the stored body: false when anything in it changed since it was frozen. */
export async function verifyRecord(db: DbOrTx, id: string): Promise<{ valid: boolean; sha256: string; computed: string } | null> {
	if (!isUuid(id)) return null;
	const [row] = await db.select({ body: records.body, sha256: records.sha256 }).from(records).where(eq(records.id, id));
	if (!row) return null;
	const computed = recordHash(row.body);
	return { valid: computed === row.sha256, sha256: row.sha256, computed };
}
