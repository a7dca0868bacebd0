import { WHOLE_MINUTES } from '../domain/commentAnchor';
import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import { fromBase64 } from 'lib0/buffer';
import * as Y from 'yjs';
import { yXmlFragmentToProsemirrorJSON } from '@tiptap/y-tiptap';
import { atLeast } from '../domain/permissions';
import { COMMENT_MARK, isThreadId } from '../docs/commentMark';
import { agendaItems } from '../docs/agenda';
import { needsMap, proposalsMap, resourcesMap } from '../docs/board';
import { MINUTES_FIELD } from '../docs/minutes';
import { parseDocName, type DocRef } from '../docs/names';
import type { Db, DbOrTx } from './db';
import { commentMentions, comments, commentThreads, committees, committeeSettings, meetings, memberships, users } from './db/schema';
import { resolveDocAccess } from './docAccess';
import { editDocument, readDocument } from './liveEdit';
import { isUuid } from './meeting';
import type { PmJson } from './minutes';
import { notify } from './notification';
import { DomainError, type MessageParams } from './organisation';

/*
 * Comment threads (评论) on the minutes (anchored by a `comment` mark in the text), on agenda
 * items and on board cards. Bodies, authors and resolution live here; the anchor of a text
 * thread lives in the document, so it follows concurrent edits — and a thread whose text was
 * deleted is shown "detached" with the quote kept when it was opened.
 */

export const BODY_MAX = 2000;
export const QUOTE_MAX = 500;
export const MENTIONS_MAX = 50;
const ANCHOR_ID_MAX = 100;
/** An encoded Yjs relative position is a few dozen bytes; anything far longer is not one. */
const REL_POS_MAX = 200;

export type CommentErrorKey =
	| 'comment.badDocument'
	| 'comment.notFound'
	| 'comment.forbidden'
	| 'comment.bodyRequired'
	| 'comment.bodyTooLong'
	| 'comment.badAnchor'
	| 'comment.anchorGone'
	| 'comment.itemGone'
	| 'comment.oneBlock'
	| 'comment.emptySelection'
	| 'comment.badMention'
	| 'comment.notAuthor'
	| 'comment.deleted';

export class CommentError extends DomainError {
	constructor(key: CommentErrorKey, params: MessageParams = {}) {
		super(key, params);
		this.name = 'CommentError';
	}
}

export interface Actor {
	id: string;
	isAdmin: boolean;
}

export type AnchorInput =
	/** Start and end of the selection as base64 Yjs relative positions in the minutes' fragment. */
	| { kind: 'text'; start: string; end: string }
	| { kind: 'agenda_item'; id: string }
	| { kind: 'card'; id: string };

export type ThreadStatus = 'open' | 'resolved' | 'detached';

export interface CommentView {
	id: string;
	authorId: string | null;
	authorName: string;
	/** Null once deleted: the thread keeps its place in the conversation. */
	body: string | null;
	createdAt: string;
	editedAt: string | null;
	mentions: { id: string; name: string }[];
}

export interface ThreadView {
	id: string;
	anchorKind: 'text' | 'agenda_item' | 'card';
	anchorId: string;
	quote: string;
	status: ThreadStatus;
	resolvedAt: string | null;
	createdAt: string;
	comments: CommentView[];
}

interface Target {
	ref: DocRef;
	docName: string;
	committeeId: string;
	canComment: boolean;
	canRead: boolean;
}

// ---------------------------------------------------------------- who may comment

/**
 * The permission module's access, plus the one exception it cannot express by role alone:
 * a committee may let its observers (列席) comment on the minutes while they are in review.
 */
async function target(db: DbOrTx, actor: Actor, docName: string): Promise<Target> {
	const ref = parseDocName(docName);
	if (!ref) throw new CommentError('comment.badDocument');
	const access = await resolveDocAccess(db, actor, ref);
	if (!access.found) throw new CommentError('comment.notFound');
	// A district-wide bulletin has no committee to hold threads: its administrators edit it directly.
	if (access.committeeId === null) throw new CommentError('comment.forbidden');
	let canComment = atLeast(access.access, 'comment');
	if (!canComment && access.role === 'observer' && ref.kind === 'minutes' && access.state === 'review') {
		const [settings] = await db
			.select({ allowed: committeeSettings.observersComment })
			.from(committeeSettings)
			.where(eq(committeeSettings.committeeId, access.committeeId))
			.limit(1);
		canComment = settings?.allowed ?? false;
	}
	return { ref, docName, committeeId: access.committeeId, canComment, canRead: atLeast(access.access, 'read') };
}

async function commentable(db: DbOrTx, actor: Actor, docName: string): Promise<Target> {
	const t = await target(db, actor, docName);
	if (!t.canRead) throw new CommentError('comment.notFound');
	if (!t.canComment) throw new CommentError('comment.forbidden');
	return t;
}

/** Whether the person may open threads on this document (for pages deciding what to offer). */
export async function canCommentOn(db: DbOrTx, actor: Actor, docName: string): Promise<boolean> {
	try {
		return (await target(db, actor, docName)).canComment;
	} catch (err) {
		if (err instanceof CommentError) return false;
		throw err;
	}
}

// ---------------------------------------------------------------- validation

function cleanBody(raw: unknown): string {
	const body = typeof raw === 'string' ? raw.trim() : '';
	if (body === '') throw new CommentError('comment.bodyRequired');
	if (body.length > BODY_MAX) throw new CommentError('comment.bodyTooLong', { max: BODY_MAX });
	return body;
}

/** Mentioned people must sit in the document's committee; a stranger is refused, not skipped. */
async function checkMentions(db: DbOrTx, committeeId: string, raw: unknown): Promise<string[]> {
	if (raw === undefined || raw === null) return [];
	if (!Array.isArray(raw) || raw.length > MENTIONS_MAX || !raw.every((id) => typeof id === 'string' && isUuid(id))) {
		throw new CommentError('comment.badMention');
	}
	const ids = [...new Set(raw as string[])];
	if (ids.length === 0) return [];
	const seats = await db
		.select({ userId: memberships.userId })
		.from(memberships)
		.where(and(eq(memberships.committeeId, committeeId), inArray(memberships.userId, ids)));
	if (seats.length !== ids.length) throw new CommentError('comment.badMention');
	return ids;
}

function decodePosition(raw: unknown): Y.RelativePosition {
	if (typeof raw !== 'string' || raw.length === 0 || raw.length > REL_POS_MAX || !/^[A-Za-z0-9+/]+=*$/.test(raw)) {
		throw new CommentError('comment.badAnchor');
	}
	try {
		return Y.decodeRelativePosition(fromBase64(raw));
	} catch {
		// Undecodable bytes are the client's mistake, reported as such rather than as a crash.
		throw new CommentError('comment.badAnchor');
	}
}

function checkAnchor(ref: DocRef, raw: unknown): AnchorInput {
	if (!raw || typeof raw !== 'object') throw new CommentError('comment.badAnchor');
	const anchor = raw as Record<string, unknown>;
	const expected = ref.kind === 'minutes' ? 'text' : ref.kind === 'agenda' ? 'agenda_item' : ref.kind === 'board' ? 'card' : null;
	if (anchor.kind !== expected) throw new CommentError('comment.badAnchor');
	if (anchor.kind === 'text') {
		decodePosition(anchor.start);
		decodePosition(anchor.end);
		return { kind: 'text', start: anchor.start as string, end: anchor.end as string };
	}
	const id = anchor.id;
	if (typeof id !== 'string' || id.length === 0 || id.length > ANCHOR_ID_MAX) throw new CommentError('comment.badAnchor');
	return { kind: anchor.kind as 'agenda_item' | 'card', id };
}

/** An agenda item or board card must exist in its document when a thread is opened on it. */
async function itemExists(db: DbOrTx, docName: string, kind: 'agenda_item' | 'card', id: string): Promise<boolean> {
	return readDocument(db, docName, (doc) =>
		kind === 'agenda_item' ? agendaItems(doc).has(id) : needsMap(doc).has(id) || resourcesMap(doc).has(id) || proposalsMap(doc).has(id)
	);
}

// ---------------------------------------------------------------- the text anchor

function inMinutes(type: Y.XmlText, doc: Y.Doc): boolean {
	const root: unknown = doc.getXmlFragment(MINUTES_FIELD);
	let t: unknown = type;
	while (t instanceof Y.AbstractType) {
		if (t === root) return true;
		t = t._item?.parent ?? null;
	}
	return false;
}

function textOf(text: Y.XmlText, from: number, to: number): string {
	let out = '';
	let at = 0;
	for (const op of text.toDelta() as { insert: unknown }[]) {
		const piece = typeof op.insert === 'string' ? op.insert : '\ufffc';
		const s = Math.max(from, at);
		const e = Math.min(to, at + piece.length);
		if (e > s) out += piece.slice(s - at, e - at);
		at += piece.length;
	}
	return out;
}

/** Puts the thread's mark on the selected text in the live document; returns the quote. */
async function markText(db: Db, docName: string, threadId: string, anchor: { start: string; end: string }): Promise<string> {
	const start = decodePosition(anchor.start);
	const end = decodePosition(anchor.end);
	type Outcome = { quote: string } | { problem: CommentErrorKey };
	// Set inside the edit (which may run on the live document elsewhere in the process).
	let outcome = { problem: 'comment.anchorGone' } as Outcome;
	await editDocument(db, docName, (doc) => {
		const a = Y.createAbsolutePositionFromRelativePosition(start, doc);
		const b = Y.createAbsolutePositionFromRelativePosition(end, doc);
		if (!a || !b) return;
		if (!(a.type instanceof Y.XmlText) || !inMinutes(a.type, doc)) {
			outcome = { problem: 'comment.badAnchor' };
			return;
		}
		// ProseMirror's text lives in one Y.XmlText per block; a thread stays within one.
		if (a.type !== b.type) {
			outcome = { problem: 'comment.oneBlock' };
			return;
		}
		const quote = textOf(a.type, a.index, b.index);
		if (b.index <= a.index || quote.trim() === '') {
			outcome = { problem: 'comment.emptySelection' };
			return;
		}
		a.type.format(a.index, b.index - a.index, { [COMMENT_MARK]: { threadId } });
		outcome = { quote: quote.length > QUOTE_MAX ? quote.slice(0, QUOTE_MAX - 1) + '…' : quote };
	});
	if ('problem' in outcome) throw new CommentError(outcome.problem);
	return outcome.quote;
}

/** Thread ids carried by comment marks anywhere in a ProseMirror JSON tree. */
export function anchoredThreadIds(node: PmJson, into = new Set<string>()): Set<string> {
	for (const mark of node.marks ?? []) {
		const id = mark.attrs?.threadId;
		if (mark.type === COMMENT_MARK && isThreadId(id)) into.add(id);
	}
	for (const child of node.content ?? []) anchoredThreadIds(child, into);
	return into;
}

async function anchoredInMinutes(db: DbOrTx, docName: string): Promise<Set<string>> {
	// Schema-less on a scratch copy: a schema lacking a mark would drop it, not report it.
	const json = await readDocument(db, docName, (doc) => yXmlFragmentToProsemirrorJSON(doc.getXmlFragment(MINUTES_FIELD)) as PmJson);
	return anchoredThreadIds(json);
}

// ---------------------------------------------------------------- commands

function linkFor(ref: DocRef, committeeId: string, threadId: string): string {
	const hash = `#thread-${threadId}`;
	switch (ref.kind) {
		case 'agenda':
		case 'minutes':
			return `/meetings/${ref.meetingId}${hash}`;
		case 'board':
			return `/committees/${committeeId}/board/${ref.year}${hash}`;
		case 'bulletin':
			return `/bulletins/${ref.scopeId}/${ref.year}-Q${ref.quarter}${hash}`;
	}
}

/** What the inbox message says: who wrote, and in what (the meeting's title, or the board's committee and year). */
async function messageParams(db: DbOrTx, t: Target, actor: Actor, threadId: string, commentId: string): Promise<Record<string, string>> {
	const [who] = await db.select({ name: users.displayName }).from(users).where(eq(users.id, actor.id)).limit(1);
	let title = '';
	if (t.ref.kind === 'agenda' || t.ref.kind === 'minutes') {
		const [meeting] = await db.select({ title: meetings.title }).from(meetings).where(eq(meetings.id, t.ref.meetingId)).limit(1);
		title = meeting?.title ?? '';
	} else {
		const [committee] = await db.select({ name: committees.name }).from(committees).where(eq(committees.id, t.committeeId)).limit(1);
		title = `${committee?.name ?? ''} ${t.ref.year}`;
	}
	return { actor: who?.name ?? '', title, threadId, commentId, actorId: actor.id };
}

async function notifyMentions(db: DbOrTx, t: Target, actor: Actor, threadId: string, commentId: string, mentioned: string[]): Promise<void> {
	const others = mentioned.filter((id) => id !== actor.id);
	if (others.length === 0) return;
	await notify(db, {
		userIds: others,
		kind: 'mention',
		link: linkFor(t.ref, t.committeeId, threadId),
		params: await messageParams(db, t, actor, threadId, commentId),
		dedupeKey: `mention:${commentId}`
	});
}

export interface OpenThreadInput {
	docName: string;
	anchor: unknown;
	body: unknown;
	mentions?: unknown;
}

export async function openThread(db: Db, actor: Actor, input: OpenThreadInput): Promise<{ threadId: string; commentId: string }> {
	const t = await commentable(db, actor, String(input.docName ?? ''));
	const anchor = checkAnchor(t.ref, input.anchor);
	const body = cleanBody(input.body);
	const mentioned = await checkMentions(db, t.committeeId, input.mentions);
	if (anchor.kind !== 'text' && !(await itemExists(db, t.docName, anchor.kind, anchor.id))) throw new CommentError('comment.itemGone');
	const created = await db.transaction(async (tx) => {
		const [thread] = await tx
			.insert(commentThreads)
			.values({ committeeId: t.committeeId, docName: t.docName, anchorKind: anchor.kind, anchorId: anchor.kind === 'text' ? '' : anchor.id, createdBy: actor.id })
			.returning({ id: commentThreads.id });
		const [comment] = await tx.insert(comments).values({ threadId: thread!.id, authorId: actor.id, body }).returning({ id: comments.id });
		if (mentioned.length > 0) await tx.insert(commentMentions).values(mentioned.map((userId) => ({ commentId: comment!.id, userId })));
		return { threadId: thread!.id, commentId: comment!.id };
	});
	if (anchor.kind === 'text') {
		// After the commit: the document edit goes through the collaboration server's own
		// database writes, which must not wait on this transaction (PGlite has one connection).
		let quote: string;
		try {
			quote = await markText(db, t.docName, created.threadId, anchor);
		} catch (err) {
			await db.delete(commentThreads).where(eq(commentThreads.id, created.threadId));
			throw err;
		}
		await db.update(commentThreads).set({ quote }).where(eq(commentThreads.id, created.threadId));
	}
	await notifyMentions(db, t, actor, created.threadId, created.commentId, mentioned);
	return created;
}

async function threadTarget(db: DbOrTx, actor: Actor, threadId: unknown): Promise<{ t: Target; thread: typeof commentThreads.$inferSelect }> {
	if (typeof threadId !== 'string' || !isUuid(threadId)) throw new CommentError('comment.notFound');
	const [thread] = await db.select().from(commentThreads).where(eq(commentThreads.id, threadId)).limit(1);
	if (!thread) throw new CommentError('comment.notFound');
	return { t: await commentable(db, actor, thread.docName), thread };
}

export async function reply(db: Db, actor: Actor, input: { threadId: unknown; body: unknown; mentions?: unknown }): Promise<{ commentId: string }> {
	const { t, thread } = await threadTarget(db, actor, input.threadId);
	const body = cleanBody(input.body);
	const mentioned = await checkMentions(db, t.committeeId, input.mentions);
	const commentId = await db.transaction(async (tx) => {
		const earlier = await tx.select({ authorId: comments.authorId }).from(comments).where(eq(comments.threadId, thread.id));
		const [comment] = await tx.insert(comments).values({ threadId: thread.id, authorId: actor.id, body }).returning({ id: comments.id });
		if (mentioned.length > 0) await tx.insert(commentMentions).values(mentioned.map((userId) => ({ commentId: comment!.id, userId })));
		await notifyMentions(tx, t, actor, thread.id, comment!.id, mentioned);
		// Everyone who took part hears of the reply — except the replier, and those the reply
		// mentions (they already have a mention notification for the same comment).
		const participants = new Set<string>();
		if (thread.createdBy) participants.add(thread.createdBy);
		for (const e of earlier) if (e.authorId) participants.add(e.authorId);
		participants.delete(actor.id);
		for (const id of mentioned) participants.delete(id);
		await notify(tx, {
			userIds: [...participants],
			kind: 'reply',
			link: linkFor(t.ref, t.committeeId, thread.id),
			params: participants.size > 0 ? await messageParams(tx, t, actor, thread.id, comment!.id) : {},
			dedupeKey: `reply:${comment!.id}`
		});
		return comment!.id;
	});
	return { commentId };
}

async function ownComment(db: DbOrTx, actor: Actor, commentId: unknown) {
	if (typeof commentId !== 'string' || !isUuid(commentId)) throw new CommentError('comment.notFound');
	const [row] = await db.select().from(comments).where(eq(comments.id, commentId)).limit(1);
	if (!row) throw new CommentError('comment.notFound');
	await threadTarget(db, actor, row.threadId);
	if (row.authorId !== actor.id) throw new CommentError('comment.notAuthor');
	if (row.deletedAt) throw new CommentError('comment.deleted');
	return row;
}

export async function editComment(db: Db, actor: Actor, input: { commentId: unknown; body: unknown }): Promise<void> {
	const row = await ownComment(db, actor, input.commentId);
	const body = cleanBody(input.body);
	await db.update(comments).set({ body, editedAt: new Date() }).where(eq(comments.id, row.id));
}

/** Soft: the comment keeps its place in the thread, shown as deleted. */
export async function deleteComment(db: Db, actor: Actor, input: { commentId: unknown }): Promise<void> {
	const row = await ownComment(db, actor, input.commentId);
	await db.update(comments).set({ deletedAt: new Date() }).where(and(eq(comments.id, row.id), isNull(comments.deletedAt)));
}

export async function setResolved(db: Db, actor: Actor, input: { threadId: unknown; resolved: boolean }): Promise<void> {
	const { thread } = await threadTarget(db, actor, input.threadId);
	await db
		.update(commentThreads)
		.set(input.resolved ? { resolvedAt: new Date(), resolvedBy: actor.id } : { resolvedAt: null, resolvedBy: null })
		.where(eq(commentThreads.id, thread.id));
}

// ---------------------------------------------------------------- listing

export interface ThreadList {
	committeeId: string;
	canComment: boolean;
	threads: ThreadView[];
}

export async function listThreads(db: DbOrTx, actor: Actor, docName: string): Promise<ThreadList> {
	const t = await target(db, actor, docName);
	if (!t.canRead) throw new CommentError('comment.notFound');
	const threads = await db.select().from(commentThreads).where(eq(commentThreads.docName, t.docName)).orderBy(asc(commentThreads.createdAt));
	if (threads.length === 0) return { committeeId: t.committeeId, canComment: t.canComment, threads: [] };
	const rows = await db
		.select({
			id: comments.id,
			threadId: comments.threadId,
			authorId: comments.authorId,
			authorName: users.displayName,
			body: comments.body,
			createdAt: comments.createdAt,
			editedAt: comments.editedAt,
			deletedAt: comments.deletedAt
		})
		.from(comments)
		.leftJoin(users, eq(users.id, comments.authorId))
		.where(inArray(comments.threadId, threads.map((th) => th.id)))
		.orderBy(asc(comments.createdAt), asc(comments.id));
	const mentionRows =
		rows.length === 0
			? []
			: await db
					.select({ commentId: commentMentions.commentId, id: users.id, name: users.displayName })
					.from(commentMentions)
					.innerJoin(users, eq(users.id, commentMentions.userId))
					.where(inArray(commentMentions.commentId, rows.map((r) => r.id)));
	const mentionsOf = new Map<string, { id: string; name: string }[]>();
	for (const m of mentionRows) mentionsOf.set(m.commentId, [...(mentionsOf.get(m.commentId) ?? []), { id: m.id, name: m.name }]);

	const anchored = threads.some((th) => th.anchorKind === 'text') ? await anchoredInMinutes(db, t.docName) : new Set<string>();
	// detached_at follows what the document says (an undo can bring the text back); written
	// only when it changes, so listing stays a read in the common case.
	for (const th of threads) {
		if (th.anchorKind !== 'text' || th.anchorId === WHOLE_MINUTES) continue;
		const detached = !anchored.has(th.id);
		if (detached !== (th.detachedAt !== null)) {
			th.detachedAt = detached ? new Date() : null;
			await db.update(commentThreads).set({ detachedAt: th.detachedAt }).where(eq(commentThreads.id, th.id));
		}
	}

	const byThread = new Map<string, CommentView[]>();
	for (const r of rows) {
		const view: CommentView = {
			id: r.id,
			authorId: r.authorId,
			authorName: r.authorName ?? '',
			body: r.deletedAt ? null : r.body,
			createdAt: r.createdAt.toISOString(),
			editedAt: r.editedAt?.toISOString() ?? null,
			mentions: r.deletedAt ? [] : (mentionsOf.get(r.id) ?? [])
		};
		byThread.set(r.threadId, [...(byThread.get(r.threadId) ?? []), view]);
	}
	return {
		committeeId: t.committeeId,
		canComment: t.canComment,
		threads: threads.map((th) => ({
			id: th.id,
			anchorKind: th.anchorKind as ThreadView['anchorKind'],
			anchorId: th.anchorId,
			quote: th.quote,
			status: th.resolvedAt ? 'resolved' : th.detachedAt ? 'detached' : 'open',
			resolvedAt: th.resolvedAt?.toISOString() ?? null,
			createdAt: th.createdAt.toISOString(),
			comments: byThread.get(th.id) ?? []
		}))
	};
}
