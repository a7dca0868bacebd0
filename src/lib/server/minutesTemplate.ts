import { prosemirrorJSONToYXmlFragment } from '@tiptap/y-tiptap';
import { and, asc, eq, gte, lt, sql } from 'drizzle-orm';
import * as Y from 'yjs';
import { agendaDocName, readAgenda } from '../docs/agenda';
import { helpRequests, STATUS_IN_MINUTES } from './carryOver';
import { getProjectItems } from './projectItem';
import { proposalRows } from './proposal';
import { MINUTES_FIELD, minutesDocName, minutesSchema } from '../docs/minutes';
import {
	DEFAULT_TITLE_PATTERNS,
	beijingTime,
	beijingYearBounds,
	buildMinutesSkeleton,
	checkTemplate,
	minutesTitle,
	type FollowUp,
	type TemplateErrors,
	type TemplateFieldError,
	type TemplateText
} from '../docs/minutesTemplate';
import { attendanceSummary } from './attendance';
import { recordAudit } from './audit';
import { getCommittee, listMembers } from './committee';
import type { Db, DbOrTx } from './db';
import { committeeKinds, meetings, minutesTemplates, type CommitteeKind } from './db/schema';
import { DocStore } from './docStore';
import { getMeeting, isUuid } from './meeting';
import type { PmJson } from './minutes';

/*
 * The minutes template of each committee kind (大党委, 大工委): the title pattern and the closing
 * text the administrator sets, and the skeleton they produce for a meeting. The layout itself
 * lives in src/lib/docs/minutesTemplate.ts, shared with the admin page's preview.
 */

export interface MinutesTemplate extends TemplateText {
	committeeKind: CommitteeKind;
	/** False once an administrator saved one; the built-in text until then. */
	stored: boolean;
	updatedAt: Date | null;
}

/** Refusal of a template, field by field ("form" for what belongs to no field). */
export class TemplateValidationError extends Error {
	constructor(readonly fields: TemplateErrors & { form?: TemplateFieldError }) {
		super(`invalid minutes template: ${Object.entries(fields).map(([k, v]) => `${k} ${v?.key}`).join(', ')}`);
		this.name = 'TemplateValidationError';
	}
}

export function isCommitteeKind(value: string): value is CommitteeKind {
	return (committeeKinds as readonly string[]).includes(value);
}

export function defaultTemplate(kind: CommitteeKind): MinutesTemplate {
	return { committeeKind: kind, titlePattern: DEFAULT_TITLE_PATTERNS[kind], closingText: '', stored: false, updatedAt: null };
}

export async function getTemplate(db: DbOrTx, kind: CommitteeKind): Promise<MinutesTemplate> {
	const [row] = await db.select().from(minutesTemplates).where(eq(minutesTemplates.committeeKind, kind)).limit(1);
	if (!row) return defaultTemplate(kind);
	return { committeeKind: kind, titlePattern: row.titlePattern, closingText: row.closingText, stored: true, updatedAt: row.updatedAt };
}

/** Saves a kind's template; `changed` is false (and nothing is audited) when it already read so. */
export async function saveTemplate(db: Db, kind: string, input: TemplateText, actorId: string | null): Promise<{ template: MinutesTemplate; changed: boolean }> {
	if (!isCommitteeKind(kind)) throw new TemplateValidationError({ form: { key: 'template.error.unknownKind' } });
	const checked = checkTemplate(input);
	if (!checked.ok) throw new TemplateValidationError(checked.errors);
	const value = checked.value;
	return db.transaction(async (tx) => {
		const [existing] = await tx.select().from(minutesTemplates).where(eq(minutesTemplates.committeeKind, kind)).for('update');
		const before = existing ? { titlePattern: existing.titlePattern, closingText: existing.closingText } : null;
		if (before && before.titlePattern === value.titlePattern && before.closingText === value.closingText) {
			return { template: await getTemplate(tx, kind), changed: false };
		}
		const now = new Date();
		await tx
			.insert(minutesTemplates)
			.values({ committeeKind: kind, ...value, updatedBy: actorId, updatedAt: now })
			.onConflictDoUpdate({ target: minutesTemplates.committeeKind, set: { ...value, updatedBy: actorId, updatedAt: now } });
		await recordAudit(tx, {
			actorId,
			action: 'minutes_template.saved',
			subject: `minutes_template/${kind}`,
			details: { from: before ?? { titlePattern: DEFAULT_TITLE_PATTERNS[kind], closingText: '' }, to: value }
		});
		return { template: await getTemplate(tx, kind), changed: true };
	});
}

/**
 * The meeting's place among its committee's meetings of the same kind in the same (Beijing)
 * year, by start time: "第{n}次工作例会" counts regular meetings, so a special meeting in
 * between does not skip a number. Ties (same start) go by creation. Null for an unknown meeting.
 */
export async function meetingOrdinal(db: DbOrTx, meetingId: string): Promise<number | null> {
	if (!isUuid(meetingId)) return null;
	const [meeting] = await db
		.select({ committeeId: meetings.committeeId, kind: meetings.kind, startsAt: meetings.startsAt })
		.from(meetings)
		.where(eq(meetings.id, meetingId))
		.limit(1);
	if (!meeting) return null;
	const year = beijingTime(meeting.startsAt.toISOString())?.year;
	if (year === undefined) return null;
	const { start, end } = beijingYearBounds(year);
	// Ordered by the database, not compared in JavaScript: created_at has microseconds a Date drops.
	const rows = await db
		.select({ id: meetings.id })
		.from(meetings)
		.where(and(eq(meetings.committeeId, meeting.committeeId), eq(meetings.kind, meeting.kind), gte(meetings.startsAt, start), lt(meetings.startsAt, end)))
		.orderBy(asc(meetings.startsAt), asc(meetings.createdAt), asc(meetings.id));
	const index = rows.findIndex((r) => r.id === meetingId);
	return index < 0 ? null : index + 1;
}

async function storedAgenda(db: DbOrTx, meetingId: string) {
	const scratch = new Y.Doc();
	try {
		await new DocStore(db).loadInto(agendaDocName(meetingId), scratch, null);
		return readAgenda(scratch);
	} finally {
		scratch.destroy();
	}
}

/** Carried-over items as the minutes describe them, by item id (unknown ids are skipped). */
async function followUpsOf(db: DbOrTx, ids: string[]): Promise<Map<string, FollowUp>> {
	const [items, help] = await Promise.all([getProjectItems(db, ids), helpRequests(db, ids)]);
	return new Map(
		items.map((i) => [
			i.id,
			{ title: i.title, units: i.units.map((u) => u.name), dueDate: i.dueDate ?? '', status: STATUS_IN_MINUTES[i.displayStatus], progress: i.progress, helpNeeded: help.get(i.id) ?? [] }
		])
	);
}

/**
 * The skeleton of a meeting's minutes from its record, its stored agenda and its attendance.
 * Give it the database rather than a transaction: its reads run in parallel.
 */
export async function skeletonForMeeting(db: DbOrTx, meetingId: string): Promise<PmJson> {
	const meeting = await getMeeting(db, meetingId);
	if (!meeting) throw new Error(`meeting ${meetingId} not found`);
	const committee = await getCommittee(db, meeting.committeeId);
	if (!committee) throw new Error(`committee ${meeting.committeeId} of meeting ${meetingId} not found`);
	const [template, ordinal, members, attendance, agenda] = await Promise.all([
		getTemplate(db, committee.kind),
		meetingOrdinal(db, meetingId),
		listMembers(db, meeting.committeeId),
		attendanceSummary(db, meetingId),
		storedAgenda(db, meetingId)
	]);
	const proposals = await proposalRows(db, meeting.committeeId, agenda.map((i) => i.proposalId).filter(Boolean));
	const followUps = await followUpsOf(db, agenda.map((i) => i.projectItemId).filter(Boolean));
	const startsAt = meeting.startsAt.toISOString();
	// Members come ordered by role then name, so the first convener is the same on every call.
	const nameOf = (role: 'convener' | 'recorder') => members.find((m) => m.role === role)?.displayName ?? '';
	return buildMinutesSkeleton({
		title: minutesTitle(template.titlePattern, { committeeName: meeting.committeeName, kind: meeting.kind, startsAt, ordinal: ordinal ?? 1 }),
		startsAt,
		place: meeting.place,
		onlineLink: meeting.onlineLink,
		host: nameOf('convener'),
		recorder: nameOf('recorder'),
		attendance,
		agenda: agenda.map((i) => {
			// A proposal withdrawn since it was put on the agenda gets no ready decision: the
			// finalization would refuse a decision linked to it anyway.
			const p = i.proposalId ? proposals.find((x) => x.id === i.proposalId && x.status !== 'withdrawn') : undefined;
			return {
				title: i.title,
				presenter: i.presenter,
				durationMinutes: i.durationMinutes,
				notes: i.notes,
				proposal: p ? { id: p.id, title: p.title, unitIds: p.unitIds, dueDate: p.dueDate } : undefined,
				followUp: i.projectItemId ? followUps.get(i.projectItemId) : undefined
			};
		}),
		closingText: template.closingText
	});
}

/**
 * True when nothing was ever written into the minutes: no item at all, not even a deleted one.
 * Minutes someone emptied by hand are theirs and stay empty.
 */
export function isPristine(fragment: Y.XmlFragment): boolean {
	return fragment._start === null;
}

export interface LayOutResult {
	/** Whether this call wrote the skeleton (false: the stored minutes were already written to). */
	laidOut: boolean;
	/** The stored document after the call, as one update, for the live copy to catch up with; null when nothing was read. */
	state: Uint8Array | null;
}

/**
 * Writes the skeleton into the stored minutes of a meeting unless they were ever written to,
 * at most once however many server instances open the document at the same moment: the check
 * and the append run under one transaction-scoped advisory lock on the document, against what
 * the database holds (not what one instance's memory holds).
 */
export async function layOutStoredMinutes(db: Db, meetingId: string): Promise<LayOutResult> {
	const name = minutesDocName(meetingId);
	// The agenda is still being prepared (carried-over items added, topics moved) until the
	// meeting starts; laid out earlier, the minutes would miss what was added later. Starting
	// the meeting reconnects everyone, and the first writer back gets the skeleton then.
	const meeting = await getMeeting(db, meetingId);
	if (!meeting || meeting.state === 'scheduled') return { laidOut: false, state: null };
	// Built before the transaction: it reads several tables in parallel, which one transaction's
	// connection cannot do. If another instance wins the lock, this copy is simply not used.
	const json = await skeletonForMeeting(db, meetingId);
	// Validated before anything is stored: a node the schema refuses would be dropped silently.
	minutesSchema().nodeFromJSON(json).check();
	return db.transaction(async (tx) => {
		await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`minutes-template:${name}`}))`);
		const store = new DocStore(tx);
		const scratch = new Y.Doc();
		try {
			await store.loadInto(name, scratch, null);
			const fragment = scratch.getXmlFragment(MINUTES_FIELD);
			if (!isPristine(fragment)) return { laidOut: false, state: Y.encodeStateAsUpdate(scratch) };
			const updates: Uint8Array[] = [];
			scratch.on('update', (u: Uint8Array) => updates.push(u));
			scratch.transact(() => prosemirrorJSONToYXmlFragment(minutesSchema(), json, fragment));
			for (const u of updates) await store.append(name, u);
			return { laidOut: true, state: Y.encodeStateAsUpdate(scratch) };
		} finally {
			scratch.destroy();
		}
	});
}
