import { prosemirrorJSONToYXmlFragment, yXmlFragmentToProsemirrorJSON } from '@tiptap/y-tiptap';
import { and, asc, desc, eq, gt, inArray, isNotNull, sql } from 'drizzle-orm';
import * as Y from 'yjs';
import type { CommitteeRole } from '../domain/roles';
import { agendaDocName, agendaItems, readAgenda } from '../docs/agenda';
import { readNeeds, readResources } from '../docs/board';
import { MINUTES_FIELD, minutesDocName, minutesSchema } from '../docs/minutes';
import { parseDocName } from '../docs/names';
import { diffBlocks, diffItems, type VersionDiff } from '../docs/versionDiff';
import { recordAudit } from './audit';
import { roleOf } from './committee';
import type { DbOrTx } from './db';
import { docSeen, docUpdates, docVersions, meetings, users } from './db/schema';
import { DocStore } from './docStore';
import { editDocument } from './liveEdit';
import type { PmJson } from './minutes';

/*
 * Versions of live documents: full-state snapshots (Yjs V2 updates) taken when a meeting
 * changes state, every N minutes of activity, on request, and around a restore. Every
 * comparison happens on scratch documents built from stored states, so the live documents
 * keep garbage collection on. History is only ever appended to: a restore is a new edit.
 *
 * Authors of a version are the people whose updates arrived since the previous one. They come
 * from two places, because compaction deletes log rows (and their user_id) every few seconds of
 * quiet: the log rows still present, and the authors this process noted as their updates
 * arrived (see noteAuthor). With several instances an author whose rows were compacted on
 * another instance before the capture is missed — authors are a good guide, not a record.
 */

export const VERSION_REASONS = ['state', 'auto', 'manual', 'restore'] as const;
export type VersionReason = (typeof VERSION_REASONS)[number];
/** Labels the server writes itself; the pages translate them. Others are shown as written. */
export const LABEL_SEEN = 'seen';
export const LABEL_BEFORE_RESTORE = 'before-restore';
export const LABEL_MAX = 100;

// --- authors noted in memory -------------------------------------------------------------

const AUTHORS_KEY = Symbol.for('gongjian.versionAuthors');
function pendingAuthors(): Map<string, Set<string>> {
	const g = globalThis as unknown as Record<symbol, Map<string, Set<string>> | undefined>;
	return (g[AUTHORS_KEY] ??= new Map());
}

/** Remembers that `userId` changed `docName` since its last version (called per stored update). */
export function noteAuthor(docName: string, userId: string): void {
	let set = pendingAuthors().get(docName);
	if (!set) pendingAuthors().set(docName, (set = new Set()));
	set.add(userId);
}

// --- capture -------------------------------------------------------------------------------

export interface CaptureOptions {
	reason: VersionReason;
	label?: string;
	createdBy?: string | null;
}

export interface CaptureResult {
	id: number;
	/** false when the document had not changed since the latest version (its id is returned). */
	created: boolean;
}

export function docFromV2(state: Uint8Array): Y.Doc {
	const doc = new Y.Doc();
	Y.applyUpdateV2(doc, state);
	return doc;
}

/**
 * Stores the document's current stored state as a new version, unless it equals the latest
 * version (same state vector and same deletions). Serialised per document by an advisory lock.
 */
export async function captureVersion(db: DbOrTx, docName: string, options: CaptureOptions): Promise<CaptureResult> {
	const noted = [...(pendingAuthors().get(docName) ?? [])];
	const result = await db.transaction(async (tx) => {
		await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`version:${docName}`}))`);
		const [previous] = await tx
			.select({ id: docVersions.id, state: docVersions.state, createdAt: docVersions.createdAt })
			.from(docVersions)
			.where(eq(docVersions.docName, docName))
			.orderBy(desc(docVersions.id))
			.limit(1);
		const scratch = new Y.Doc();
		try {
			await new DocStore(tx).loadInto(docName, scratch, null);
			if (previous) {
				const before = docFromV2(previous.state);
				try {
					if (Y.equalSnapshots(Y.snapshot(before), Y.snapshot(scratch))) return { id: previous.id, created: false };
				} finally {
					before.destroy();
				}
			}
			const logged = await tx
				.selectDistinct({ userId: docUpdates.userId })
				.from(docUpdates)
				.where(and(eq(docUpdates.docName, docName), isNotNull(docUpdates.userId), previous ? gt(docUpdates.createdAt, previous.createdAt) : undefined));
			const authorIds = [...new Set([...logged.map((r) => r.userId!), ...noted])];
			// Noted ids may name a person deleted since; keep only people who exist.
			const existing = authorIds.length ? (await tx.select({ id: users.id }).from(users).where(inArray(users.id, authorIds))).map((u) => u.id) : [];
			const [row] = await tx
				.insert(docVersions)
				.values({
					docName,
					reason: options.reason,
					label: (options.label ?? '').slice(0, LABEL_MAX),
					state: Y.encodeStateAsUpdateV2(scratch),
					authorIds: existing.sort(),
					createdBy: options.createdBy ?? null
				})
				.returning({ id: docVersions.id });
			return { id: row!.id, created: true };
		} finally {
			scratch.destroy();
		}
	});
	if (result.created) {
		// Only the ids read before the capture: someone noted meanwhile belongs to the next version.
		const set = pendingAuthors().get(docName);
		for (const id of noted) set?.delete(id);
		if (set?.size === 0) pendingAuthors().delete(docName);
	}
	return result;
}

/** The meeting changed state: one version of its agenda and minutes each, labelled with the new state. */
export async function captureStateVersions(db: DbOrTx, meetingId: string, state: string, actorId: string): Promise<void> {
	for (const name of [minutesDocName(meetingId), agendaDocName(meetingId)]) {
		await captureVersion(db, name, { reason: 'state', label: state, createdBy: actorId });
	}
}

/** Time of the latest version of a document, or null (for the every-N-minutes capture). */
export async function latestVersionAt(db: DbOrTx, docName: string): Promise<Date | null> {
	const [row] = await db.select({ at: docVersions.createdAt }).from(docVersions).where(eq(docVersions.docName, docName)).orderBy(desc(docVersions.id)).limit(1);
	return row?.at ?? null;
}

// --- reading a version -------------------------------------------------------------------

export type DocKind = 'minutes' | 'agenda' | 'board';

export function versionKind(docName: string): DocKind | null {
	const ref = parseDocName(docName);
	return ref && (ref.kind === 'minutes' || ref.kind === 'agenda' || ref.kind === 'board') ? ref.kind : null;
}

const LEAF_BLOCKS = new Set(['paragraph', 'heading', 'codeBlock']);

function inlineText(node: PmJson): string {
	if (node.type === 'text') return node.text ?? '';
	if (node.type === 'hardBreak') return '\n';
	return (node.content ?? []).map(inlineText).join('');
}

/** The minutes as a list of text blocks (paragraphs, headings, list and table cells' paragraphs). */
export function minutesBlocks(json: PmJson): string[] {
	const out: string[] = [];
	const walk = (node: PmJson) => {
		if (LEAF_BLOCKS.has(node.type)) out.push(inlineText(node));
		else if (node.type === 'horizontalRule') out.push('—');
		else for (const child of node.content ?? []) walk(child);
	};
	walk(json);
	return out;
}

function minutesJson(doc: Y.Doc): PmJson {
	return yXmlFragmentToProsemirrorJSON(doc.getXmlFragment(MINUTES_FIELD)) as PmJson;
}

export type VersionContent =
	| { kind: 'minutes'; blocks: string[] }
	| { kind: 'agenda'; items: { id: string; title: string; presenter: string; notes: string; durationMinutes: number }[] }
	| { kind: 'board'; items: { id: string; title: string; group: 'needs' | 'resources'; description: string }[] };

/** What a stored state (V2) contains, in the terms pages show. */
export function readState(kind: DocKind, state: Uint8Array): VersionContent {
	const doc = docFromV2(state);
	try {
		return readDoc(kind, doc);
	} finally {
		doc.destroy();
	}
}

function readDoc(kind: DocKind, doc: Y.Doc): VersionContent {
	switch (kind) {
		case 'minutes':
			return { kind, blocks: minutesBlocks(minutesJson(doc)) };
		case 'agenda':
			return { kind, items: readAgenda(doc).map(({ id, title, presenter, notes, durationMinutes }) => ({ id, title, presenter, notes, durationMinutes })) };
		case 'board':
			return {
				kind,
				items: [
					...readNeeds(doc).map((n) => ({ id: n.id, title: n.title, group: 'needs' as const, description: n.description, ...rest(n) })),
					...readResources(doc).map((r) => ({ id: r.id, title: r.title, group: 'resources' as const, description: r.description, ...rest(r) }))
				]
			};
	}
}

// Card fields compared besides title and description (order is layout, not content).
function rest<T extends { order: number }>(card: T): Omit<T, 'order' | 'id' | 'title' | 'description'> {
	const { order: _order, id: _id, title: _title, description: _description, ...others } = card as T & { id: string; title: string; description: string };
	return others;
}

export type { VersionDiff };

/** Differences between two contents of the same document. */
export function diffContents(from: VersionContent, to: VersionContent): VersionDiff {
	if (from.kind === 'minutes' && to.kind === 'minutes') return { kind: 'minutes', text: diffBlocks(from.blocks, to.blocks) };
	if (from.kind === 'agenda' && to.kind === 'agenda') return { kind: 'agenda', items: diffItems(from.items, to.items) };
	if (from.kind === 'board' && to.kind === 'board') return { kind: 'board', items: diffItems(from.items, to.items) };
	throw new Error(`cannot compare a ${from.kind} with a ${to.kind}`);
}

/** Differences between two stored states (V2) of one document. */
export function diffVersions(kind: DocKind, fromState: Uint8Array, toState: Uint8Array): VersionDiff {
	return diffContents(readState(kind, fromState), readState(kind, toState));
}

export const changeCount = (diff: VersionDiff): number => (diff.kind === 'minutes' ? diff.text.changes : diff.items.length);

/** The current stored state of a document as a V2 update. */
export async function currentState(db: DbOrTx, docName: string): Promise<Uint8Array> {
	const doc = new Y.Doc();
	try {
		await new DocStore(db).loadInto(docName, doc, null);
		return Y.encodeStateAsUpdateV2(doc);
	} finally {
		doc.destroy();
	}
}

// --- listing ---------------------------------------------------------------------------------

export interface VersionSummary {
	id: number;
	reason: VersionReason;
	label: string;
	createdAt: Date;
	createdBy: string | null;
	authors: string[];
}

async function names(db: DbOrTx, ids: string[]): Promise<Map<string, string>> {
	if (ids.length === 0) return new Map();
	const rows = await db.select({ id: users.id, name: users.displayName }).from(users).where(inArray(users.id, ids));
	return new Map(rows.map((r) => [r.id, r.name]));
}

/** Newest first, with the authors' and creator's display names. */
export async function listVersions(db: DbOrTx, docName: string): Promise<VersionSummary[]> {
	const rows = await db
		.select({ id: docVersions.id, reason: docVersions.reason, label: docVersions.label, createdAt: docVersions.createdAt, createdBy: docVersions.createdBy, authorIds: docVersions.authorIds })
		.from(docVersions)
		.where(eq(docVersions.docName, docName))
		.orderBy(desc(docVersions.id));
	const who = await names(db, [...new Set(rows.flatMap((r) => [...r.authorIds, ...(r.createdBy ? [r.createdBy] : [])]))]);
	return rows.map((r) => ({
		id: r.id,
		reason: r.reason as VersionReason,
		label: r.label,
		createdAt: r.createdAt,
		createdBy: r.createdBy ? (who.get(r.createdBy) ?? null) : null,
		authors: r.authorIds.map((id) => who.get(id)).filter((n): n is string => Boolean(n))
	}));
}

export async function versionState(db: DbOrTx, docName: string, id: number): Promise<Uint8Array | null> {
	const [row] = await db.select({ state: docVersions.state }).from(docVersions).where(and(eq(docVersions.docName, docName), eq(docVersions.id, id)));
	return row?.state ?? null;
}

/** Display names of everyone who authored versions after `afterId` up to and including `uptoId` (null: the newest). */
export async function authorsBetween(db: DbOrTx, docName: string, afterId: number, uptoId: number | null): Promise<string[]> {
	const rows = await db
		.select({ id: docVersions.id, authorIds: docVersions.authorIds })
		.from(docVersions)
		.where(and(eq(docVersions.docName, docName), gt(docVersions.id, afterId)))
		.orderBy(asc(docVersions.id));
	const ids = new Set(rows.filter((r) => uptoId === null || r.id <= uptoId).flatMap((r) => r.authorIds));
	if (uptoId === null) {
		// Edits since the newest version: the log rows not yet compacted and the authors noted here.
		const [last] = rows.length ? rows.slice(-1) : await db.select({ id: docVersions.id }).from(docVersions).where(eq(docVersions.docName, docName)).orderBy(desc(docVersions.id)).limit(1);
		const since = last ? (await db.select({ at: docVersions.createdAt }).from(docVersions).where(eq(docVersions.id, last.id)))[0]?.at : undefined;
		const logged = await db
			.selectDistinct({ userId: docUpdates.userId })
			.from(docUpdates)
			.where(and(eq(docUpdates.docName, docName), isNotNull(docUpdates.userId), since ? gt(docUpdates.createdAt, since) : undefined));
		for (const r of logged) ids.add(r.userId!);
		for (const id of pendingAuthors().get(docName) ?? []) ids.add(id);
	}
	const who = await names(db, [...ids]);
	return [...who.values()].sort((a, b) => a.localeCompare(b, 'zh-CN'));
}

// --- last seen -------------------------------------------------------------------------------

/** Marks the document's current state as seen by the user (capturing a version if it has none yet). */
export async function markSeen(db: DbOrTx, userId: string, docName: string): Promise<number> {
	const { id } = await captureVersion(db, docName, { reason: 'auto', label: LABEL_SEEN, createdBy: userId });
	const now = new Date();
	await db
		.insert(docSeen)
		.values({ userId, docName, versionId: id, seenAt: now })
		.onConflictDoUpdate({ target: [docSeen.userId, docSeen.docName], set: { versionId: id, seenAt: now } });
	return id;
}

export interface ChangesSince {
	/** When the user last marked the document seen; null: never (nothing to compare with). */
	since: Date | null;
	versionId: number | null;
	count: number;
	diff: VersionDiff | null;
	authors: string[];
}

/** What changed in the document since the version the user last saw. */
export async function changesSince(db: DbOrTx, userId: string, docName: string): Promise<ChangesSince> {
	const kind = versionKind(docName);
	if (!kind) throw new Error(`documents of ${docName} have no versions`);
	const [seen] = await db
		.select({ versionId: docSeen.versionId, seenAt: docSeen.seenAt, state: docVersions.state })
		.from(docSeen)
		.leftJoin(docVersions, eq(docVersions.id, docSeen.versionId))
		.where(and(eq(docSeen.userId, userId), eq(docSeen.docName, docName)));
	// Never seen, or the version seen is gone: no baseline, so no banner (the page marks it seen).
	if (!seen || seen.versionId === null || !seen.state) return { since: seen?.seenAt ?? null, versionId: null, count: 0, diff: null, authors: [] };
	const diff = diffVersions(kind, seen.state, await currentState(db, docName));
	const count = changeCount(diff);
	return { since: seen.seenAt, versionId: seen.versionId, count, diff: count ? diff : null, authors: count ? await authorsBetween(db, docName, seen.versionId, null) : [] };
}

// --- restore ---------------------------------------------------------------------------------

export class VersionError extends Error {
	constructor(readonly key: 'version.notFound' | 'version.notAllowed' | 'version.finalized' | 'version.cannotRestore') {
		super(key);
		this.name = 'VersionError';
	}
}

const RESTORERS: CommitteeRole[] = ['convener', 'recorder'];

/** Whether a person may restore versions of this meeting's documents (and the meeting is not finalized). */
export async function canRestore(db: DbOrTx, meetingId: string, actor: { id: string; isAdmin: boolean }): Promise<boolean> {
	const [meeting] = await db.select({ state: meetings.state, committeeId: meetings.committeeId }).from(meetings).where(eq(meetings.id, meetingId));
	if (!meeting || meeting.state === 'finalized') return false;
	if (actor.isAdmin) return true;
	const role = await roleOf(db, actor.id, meeting.committeeId);
	return role !== null && RESTORERS.includes(role);
}

/**
 * Makes a meeting's minutes or agenda equal an old version again, as a new edit through the
 * live document (connected editors see it at once), between two versions: the state before
 * (so it can be restored in turn) and the restored one.
 */
export async function restoreVersion(
	db: DbOrTx,
	input: { meetingId: string; doc: 'minutes' | 'agenda'; versionId: number; actor: { id: string; isAdmin: boolean } }
): Promise<CaptureResult> {
	const [meeting] = await db.select({ state: meetings.state, committeeId: meetings.committeeId }).from(meetings).where(eq(meetings.id, input.meetingId));
	if (!meeting) throw new VersionError('version.notFound');
	if (meeting.state === 'finalized') throw new VersionError('version.finalized');
	if (!(await canRestore(db, input.meetingId, input.actor))) throw new VersionError('version.notAllowed');
	const name = input.doc === 'minutes' ? minutesDocName(input.meetingId) : agendaDocName(input.meetingId);
	const state = await versionState(db, name, input.versionId);
	if (!state) throw new VersionError('version.notFound');
	await captureVersion(db, name, { reason: 'auto', label: LABEL_BEFORE_RESTORE, createdBy: input.actor.id });
	const old = docFromV2(state);
	try {
		if (input.doc === 'minutes') {
			const json = minutesJson(old);
			// Validate before touching the live document: a version the schema can no longer
			// express is refused rather than half-applied.
			try {
				minutesSchema().nodeFromJSON(json).check();
			} catch {
				throw new VersionError('version.cannotRestore');
			}
			await editDocument(db, name, (doc) => {
				const fragment = doc.getXmlFragment(MINUTES_FIELD);
				doc.transact(() => {
					fragment.delete(0, fragment.length);
					prosemirrorJSONToYXmlFragment(minutesSchema(), json, fragment);
				});
			});
		} else {
			const wanted = agendaItems(old);
			await editDocument(db, name, (doc) => {
				const items = agendaItems(doc);
				doc.transact(() => {
					for (const id of [...items.keys()]) if (!wanted.has(id)) items.delete(id);
					// Items keep their ids (proposals and follow-ups point at them); an item that
					// differs is replaced by a copy of the old one.
					const current = new Map(readAgenda(doc).map((i) => [i.id, i]));
					const before = new Map(readAgenda(old).map((i) => [i.id, i]));
					wanted.forEach((item, id) => {
						if (!(item instanceof Y.Map)) return;
						const now = current.get(id);
						if (now && JSON.stringify(now) === JSON.stringify(before.get(id))) return;
						items.set(id, item.clone());
					});
				});
			});
		}
	} finally {
		old.destroy();
	}
	const restored = await captureVersion(db, name, { reason: 'restore', label: `#${input.versionId}`, createdBy: input.actor.id });
	await recordAudit(db, {
		actorId: input.actor.id,
		action: 'version.restore',
		subject: `meeting/${input.meetingId}`,
		details: { doc: input.doc, restored: input.versionId, version: restored.id }
	});
	return restored;
}
