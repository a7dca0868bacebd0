import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding';
import { and, asc, count, countDistinct, desc, eq, inArray, isNotNull, max, sql } from 'drizzle-orm';
import {
	COMMENT_MAX,
	DEFAULT_CRITERIA,
	TITLE_MAX,
	aggregateProject,
	maxTotal,
	rankUnits,
	roundPhase,
	validScores,
	validateCriteria,
	type Criterion,
	type RoundPhase,
	type UnitResult
} from '../domain/evaluation';
import { canManageProjectItems } from '../domain/projectStatus';
import type { MessageKey } from '../i18n/zh-CN';
import type { SessionUser } from './auth/session';
import { recordAudit } from './audit';
import { getCommittee, membershipOf, roleOf } from './committee';
import type { Db, DbOrTx } from './db';
import { committees, evaluationLinks, evaluationRoundItems, evaluationRounds, evaluationScores } from './db/schema';
import { parseDateTime } from './meeting';
import { DomainError, type MessageParams } from './organisation';
import { getProjectItems, projectItemsOfYear } from './projectItem';
import { forgetOldCounters, overLimit, type Limit } from './submissionThrottle';

/*
 * Year-end evaluation (年终述职评议). A round belongs to a committee and a year and scores some of
 * its tracked items on a few criteria. People at the meeting score through one-time links
 * printed as QR codes — a link names nobody and a score keeps no address, agent or person, so
 * the scores stay anonymous — and signed-in members of the committee may score as themselves.
 * "Once per link (or member) and project" is held by unique indexes and ON CONFLICT DO NOTHING,
 * never by a look-up first, so concurrent posts with one link store exactly one score.
 * Changes to rounds and link generation are audited; individual anonymous scores are not (an
 * audit row would tie a time and an actor to them).
 */

export type EvaluationErrorKey =
	| 'evaluation.error.notFound'
	| 'evaluation.error.notAllowed'
	| 'evaluation.error.titleRequired'
	| 'evaluation.error.titleTooLong'
	| 'evaluation.error.badYear'
	| 'evaluation.error.badOpensAt'
	| 'evaluation.error.badClosesAt'
	| 'evaluation.error.windowOrder'
	| 'evaluation.error.closesInPast'
	| 'evaluation.error.noProjects'
	| 'evaluation.error.projectNotEligible'
	| 'evaluation.error.hasScores'
	| 'evaluation.error.badLinkCount'
	| 'evaluation.error.unknownLink'
	| 'evaluation.error.notOpen'
	| 'evaluation.error.closed'
	| 'evaluation.error.notInRound'
	| 'evaluation.error.alreadyScored'
	| 'evaluation.error.invalidScores'
	| 'evaluation.error.commentTooLong'
	| 'evaluation.error.tooMany'
	| 'evaluation.error.notMember'
	| 'evaluation.error.ownUnit'
	| 'evaluation.error.reportWhileOpen'
	| 'evaluation.criteria.count'
	| 'evaluation.criteria.labelRequired'
	| 'evaluation.criteria.labelTooLong'
	| 'evaluation.criteria.labelDuplicate'
	| 'evaluation.criteria.badMax';

/** A refusal with a message key of the `evaluation` catalogue. */
export class EvaluationError extends DomainError {
	declare readonly key: EvaluationErrorKey;
	// `& MessageKey`: a key without a catalogue entry does not compile.
	constructor(key: EvaluationErrorKey & MessageKey, params: MessageParams = {}) {
		super(key, params);
		this.name = 'EvaluationError';
	}
}

export { DEFAULT_CRITERIA };
export const LINKS_PER_CALL = { min: 1, max: 500 } as const;
/** Anonymous submissions: per client address and per link, each in a one-minute window. */
export const SCORE_LIMITS = { perAddress: 30, perLink: 20, windowMs: 60_000 } as const;

export type Actor = Pick<SessionUser, 'id' | 'isAdmin'>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** 16 random bytes in lower-case base32: 26 characters, short enough for a printed URL. */
const TOKEN = /^[a-z2-7]{26}$/;

export function roundSubject(roundId: string): string {
	return `evaluation/${roundId}`;
}

function hashToken(token: string): Uint8Array {
	return sha256(new TextEncoder().encode(token));
}

function newToken(): string {
	const bytes = new Uint8Array(16);
	crypto.getRandomValues(bytes);
	return encodeBase32LowerCaseNoPadding(bytes);
}

// ---------------------------------------------------------------- who may do what

export async function mayManageEvaluations(db: DbOrTx, actor: Actor, committeeId: string): Promise<boolean> {
	return canManageProjectItems(actor.isAdmin ? null : await roleOf(db, actor.id, committeeId), actor.isAdmin);
}

type RoundRow = typeof evaluationRounds.$inferSelect;

async function roundRow(db: DbOrTx, roundId: string, lock = false): Promise<RoundRow> {
	if (!UUID.test(roundId)) throw new EvaluationError('evaluation.error.notFound');
	const query = db.select().from(evaluationRounds).where(eq(evaluationRounds.id, roundId));
	const [row] = lock ? await query.for('update') : await query;
	if (!row) throw new EvaluationError('evaluation.error.notFound');
	return row;
}

async function assertManager(db: DbOrTx, actor: Actor, committeeId: string): Promise<void> {
	if (!(await mayManageEvaluations(db, actor, committeeId))) throw new EvaluationError('evaluation.error.notAllowed');
}

// ---------------------------------------------------------------- rounds

/** A round as the forms send it: times as datetime-local values in China time (or ISO with an offset). */
export interface RoundInput {
	title: string;
	year: number;
	projectItemIds: readonly string[];
	criteria: readonly { label: unknown; max: unknown }[];
	opensAt: string;
	closesAt: string;
}

interface CheckedRound {
	title: string;
	year: number;
	projectItemIds: string[];
	criteria: Criterion[];
	opensAt: Date;
	closesAt: Date;
}

async function checkRound(db: DbOrTx, committeeId: string, input: RoundInput): Promise<CheckedRound> {
	const title = typeof input.title === 'string' ? input.title.trim() : '';
	if (!title) throw new EvaluationError('evaluation.error.titleRequired');
	if ([...title].length > TITLE_MAX) throw new EvaluationError('evaluation.error.titleTooLong', { max: TITLE_MAX });
	if (!Number.isInteger(input.year) || input.year < 2000 || input.year > 2100) throw new EvaluationError('evaluation.error.badYear');
	const criteria = validateCriteria(input.criteria);
	if (!criteria.ok) throw new EvaluationError(criteria.problem.key, criteria.problem.params);
	const opensAt = parseDateTime(input.opensAt);
	if (!opensAt) throw new EvaluationError('evaluation.error.badOpensAt');
	const closesAt = parseDateTime(input.closesAt);
	if (!closesAt) throw new EvaluationError('evaluation.error.badClosesAt');
	if (closesAt.getTime() <= opensAt.getTime()) throw new EvaluationError('evaluation.error.windowOrder');
	const ids = [...new Set(input.projectItemIds)];
	if (ids.length === 0) throw new EvaluationError('evaluation.error.noProjects');
	// The year's project list (项目清单) of this committee is what a year-end evaluation scores.
	const eligible = new Set((await projectItemsOfYear(db, committeeId, input.year)).map((i) => i.id));
	if (ids.some((id) => !eligible.has(id))) throw new EvaluationError('evaluation.error.projectNotEligible');
	return { title, year: input.year, projectItemIds: ids, criteria: criteria.criteria, opensAt, closesAt };
}

export async function createRound(db: Db, actor: Actor, committeeId: string, input: RoundInput): Promise<{ id: string }> {
	if (!UUID.test(committeeId) || !(await getCommittee(db, committeeId))) throw new EvaluationError('evaluation.error.notFound');
	await assertManager(db, actor, committeeId);
	const checked = await checkRound(db, committeeId, input);
	return db.transaction(async (tx) => {
		const [row] = await tx
			.insert(evaluationRounds)
			.values({ committeeId, year: checked.year, title: checked.title, criteria: checked.criteria, opensAt: checked.opensAt, closesAt: checked.closesAt, createdBy: actor.id })
			.returning({ id: evaluationRounds.id });
		if (!row) throw new Error('insert into evaluation_rounds returned no row');
		await tx.insert(evaluationRoundItems).values(checked.projectItemIds.map((projectItemId, position) => ({ roundId: row.id, projectItemId, position })));
		await recordAudit(tx, {
			actorId: actor.id,
			action: 'evaluation.round.created',
			subject: roundSubject(row.id),
			details: { committeeId, year: checked.year, title: checked.title, projects: checked.projectItemIds.length, opensAt: checked.opensAt.toISOString(), closesAt: checked.closesAt.toISOString() }
		});
		return { id: row.id };
	});
}

/**
 * Changes a round. Title and window may change at any time; criteria and projects only until
 * the first score, because scores are stored in criteria order and per project.
 */
export async function updateRound(db: Db, actor: Actor, roundId: string, input: RoundInput): Promise<void> {
	const current = await roundRow(db, roundId);
	await assertManager(db, actor, current.committeeId);
	const checked = await checkRound(db, current.committeeId, input);
	await db.transaction(async (tx) => {
		const round = await roundRow(tx, roundId, true);
		const items = await tx.select({ id: evaluationRoundItems.projectItemId }).from(evaluationRoundItems).where(eq(evaluationRoundItems.roundId, roundId)).orderBy(asc(evaluationRoundItems.position));
		// Compared field by field: jsonb does not keep the keys in the order they were written.
		const sameCriteria = round.criteria.length === checked.criteria.length && round.criteria.every((c, i) => c.label === checked.criteria[i]!.label && c.max === checked.criteria[i]!.max);
		const sameItems = JSON.stringify(items.map((i) => i.id)) === JSON.stringify(checked.projectItemIds);
		if (!sameCriteria || !sameItems || round.year !== checked.year) {
			const [scored] = await tx.select({ n: count() }).from(evaluationScores).where(eq(evaluationScores.roundId, roundId));
			if ((scored?.n ?? 0) > 0) throw new EvaluationError('evaluation.error.hasScores');
		}
		await tx
			.update(evaluationRounds)
			.set({ title: checked.title, year: checked.year, criteria: checked.criteria, opensAt: checked.opensAt, closesAt: checked.closesAt, updatedAt: new Date() })
			.where(eq(evaluationRounds.id, roundId));
		if (!sameItems) {
			await tx.delete(evaluationRoundItems).where(eq(evaluationRoundItems.roundId, roundId));
			await tx.insert(evaluationRoundItems).values(checked.projectItemIds.map((projectItemId, position) => ({ roundId, projectItemId, position })));
		}
		await recordAudit(tx, {
			actorId: actor.id,
			action: 'evaluation.round.updated',
			subject: roundSubject(roundId),
			details: { title: checked.title, opensAt: checked.opensAt.toISOString(), closesAt: checked.closesAt.toISOString(), criteriaChanged: !sameCriteria, projectsChanged: !sameItems }
		});
	});
}

/** Stops taking scores now, whatever the window says. */
export async function closeRound(db: Db, actor: Actor, roundId: string, now = new Date()): Promise<void> {
	const current = await roundRow(db, roundId);
	await assertManager(db, actor, current.committeeId);
	await db.transaction(async (tx) => {
		// The row lock waits for scores being stored under a share lock: none lands after "closed".
		const round = await roundRow(tx, roundId, true);
		if (round.state === 'closed') return;
		await tx.update(evaluationRounds).set({ state: 'closed', updatedAt: now }).where(eq(evaluationRounds.id, roundId));
		await recordAudit(tx, { actorId: actor.id, action: 'evaluation.round.closed', subject: roundSubject(roundId), details: { at: now.toISOString() } });
	});
}

/**
 * Takes scores from now until `closesAt` (or the round's own closing time): brings the opening
 * forward if it was later, and reopens a closed round.
 */
export async function openRound(db: Db, actor: Actor, roundId: string, closesAtRaw: string | null, now = new Date()): Promise<void> {
	const current = await roundRow(db, roundId);
	await assertManager(db, actor, current.committeeId);
	const closesAt = closesAtRaw ? parseDateTime(closesAtRaw) : current.closesAt;
	if (!closesAt) throw new EvaluationError('evaluation.error.badClosesAt');
	if (closesAt.getTime() <= now.getTime()) throw new EvaluationError('evaluation.error.closesInPast');
	await db.transaction(async (tx) => {
		const round = await roundRow(tx, roundId, true);
		const opensAt = round.opensAt.getTime() > now.getTime() ? now : round.opensAt;
		await tx.update(evaluationRounds).set({ state: 'open', opensAt, closesAt, updatedAt: now }).where(eq(evaluationRounds.id, roundId));
		await recordAudit(tx, {
			actorId: actor.id,
			action: 'evaluation.round.opened',
			subject: roundSubject(roundId),
			details: { from: round.state, opensAt: opensAt.toISOString(), closesAt: closesAt.toISOString() }
		});
	});
}

export interface RoundSummary {
	id: string;
	title: string;
	year: number;
	opensAt: Date;
	closesAt: Date;
	phase: RoundPhase;
	projects: number;
	links: number;
	scores: number;
}

/** The committee's rounds, newest year first. */
export async function listRounds(db: DbOrTx, committeeId: string, now = new Date()): Promise<RoundSummary[]> {
	const rows = await db.select().from(evaluationRounds).where(eq(evaluationRounds.committeeId, committeeId)).orderBy(desc(evaluationRounds.year), desc(evaluationRounds.createdAt));
	if (rows.length === 0) return [];
	const ids = rows.map((r) => r.id);
	const [items, links, scores] = await Promise.all([
		db.select({ id: evaluationRoundItems.roundId, n: count() }).from(evaluationRoundItems).where(inArray(evaluationRoundItems.roundId, ids)).groupBy(evaluationRoundItems.roundId),
		db.select({ id: evaluationLinks.roundId, n: count() }).from(evaluationLinks).where(inArray(evaluationLinks.roundId, ids)).groupBy(evaluationLinks.roundId),
		db.select({ id: evaluationScores.roundId, n: count() }).from(evaluationScores).where(inArray(evaluationScores.roundId, ids)).groupBy(evaluationScores.roundId)
	]);
	const by = (list: { id: string; n: number }[]) => new Map(list.map((x) => [x.id, x.n]));
	const [i, l, s] = [by(items), by(links), by(scores)];
	return rows.map((r) => ({ id: r.id, title: r.title, year: r.year, opensAt: r.opensAt, closesAt: r.closesAt, phase: roundPhase(r, now), projects: i.get(r.id) ?? 0, links: l.get(r.id) ?? 0, scores: s.get(r.id) ?? 0 }));
}

export interface RoundProject {
	id: string;
	title: string;
	units: { id: string; name: string }[];
}

export interface RoundView {
	id: string;
	committeeId: string;
	title: string;
	year: number;
	criteria: Criterion[];
	opensAt: Date;
	closesAt: Date;
	state: string;
	phase: RoundPhase;
	projects: RoundProject[];
	scoreCount: number;
}

async function roundProjects(db: DbOrTx, roundId: string): Promise<RoundProject[]> {
	const order = await db.select({ id: evaluationRoundItems.projectItemId }).from(evaluationRoundItems).where(eq(evaluationRoundItems.roundId, roundId)).orderBy(asc(evaluationRoundItems.position));
	const items = new Map((await getProjectItems(db, order.map((o) => o.id))).map((i) => [i.id, i]));
	return order.flatMap((o) => {
		const item = items.get(o.id);
		return item ? [{ id: item.id, title: item.title, units: item.units.map((u) => ({ id: u.id, name: u.name })) }] : [];
	});
}

/** A round with its projects; null when it does not exist. No permission check: callers check the committee. */
export async function getRound(db: DbOrTx, roundId: string, now = new Date()): Promise<RoundView | null> {
	if (!UUID.test(roundId)) return null;
	const [row] = await db.select().from(evaluationRounds).where(eq(evaluationRounds.id, roundId));
	if (!row) return null;
	const [scored] = await db.select({ n: count() }).from(evaluationScores).where(eq(evaluationScores.roundId, roundId));
	return {
		id: row.id,
		committeeId: row.committeeId,
		title: row.title,
		year: row.year,
		criteria: row.criteria,
		opensAt: row.opensAt,
		closesAt: row.closesAt,
		state: row.state,
		phase: roundPhase(row, now),
		projects: await roundProjects(db, roundId),
		scoreCount: scored?.n ?? 0
	};
}

// ---------------------------------------------------------------- links

export interface NewLink {
	serial: number;
	token: string;
}

/**
 * Makes `howMany` new links, numbered after the round's last one. The tokens are returned
 * this once and never stored: print them now.
 */
export async function generateLinks(db: Db, actor: Actor, roundId: string, howMany: number): Promise<NewLink[]> {
	const current = await roundRow(db, roundId);
	await assertManager(db, actor, current.committeeId);
	if (!Number.isInteger(howMany) || howMany < LINKS_PER_CALL.min || howMany > LINKS_PER_CALL.max) throw new EvaluationError('evaluation.error.badLinkCount', { ...LINKS_PER_CALL });
	return db.transaction(async (tx) => {
		// The round's row lock numbers concurrent generations one after the other.
		await roundRow(tx, roundId, true);
		const [last] = await tx.select({ serial: max(evaluationLinks.serial) }).from(evaluationLinks).where(eq(evaluationLinks.roundId, roundId));
		const first = (last?.serial ?? 0) + 1;
		const links = Array.from({ length: howMany }, (_, i) => ({ serial: first + i, token: newToken() }));
		await tx.insert(evaluationLinks).values(links.map((l) => ({ roundId, serial: l.serial, tokenHash: hashToken(l.token), createdBy: actor.id })));
		await recordAudit(tx, { actorId: actor.id, action: 'evaluation.links.generated', subject: roundSubject(roundId), details: { count: howMany, from: first, to: first + howMany - 1 } });
		return links;
	});
}

export interface LinkInfo {
	serial: number;
	/** Projects scored with it so far. */
	scored: number;
	createdAt: Date;
}

export async function listLinks(db: DbOrTx, roundId: string): Promise<LinkInfo[]> {
	const rows = await db
		.select({ serial: evaluationLinks.serial, createdAt: evaluationLinks.createdAt, scored: count(evaluationScores.id) })
		.from(evaluationLinks)
		.leftJoin(evaluationScores, eq(evaluationScores.linkId, evaluationLinks.id))
		.where(eq(evaluationLinks.roundId, roundId))
		.groupBy(evaluationLinks.id)
		.orderBy(asc(evaluationLinks.serial));
	return rows;
}

// ---------------------------------------------------------------- scoring

export interface ScoreInput {
	projectItemId: string;
	/** One value per criterion, in order, as the form sent them. */
	scores: readonly unknown[];
	comment: string;
}

function checkComment(raw: unknown): string {
	const comment = typeof raw === 'string' ? raw.trim() : '';
	if ([...comment].length > COMMENT_MAX) throw new EvaluationError('evaluation.error.commentTooLong', { max: COMMENT_MAX });
	return comment;
}

function assertPhase(round: { state: string; opensAt: Date; closesAt: Date }, now: Date): void {
	const phase = roundPhase(round, now);
	if (phase === 'pending') throw new EvaluationError('evaluation.error.notOpen');
	if (phase === 'closed') throw new EvaluationError('evaluation.error.closed');
}

async function assertInRound(tx: DbOrTx, roundId: string, projectItemId: string): Promise<void> {
	if (!UUID.test(projectItemId)) throw new EvaluationError('evaluation.error.notInRound');
	const [hit] = await tx
		.select({ id: evaluationRoundItems.projectItemId })
		.from(evaluationRoundItems)
		.where(and(eq(evaluationRoundItems.roundId, roundId), eq(evaluationRoundItems.projectItemId, projectItemId)));
	if (!hit) throw new EvaluationError('evaluation.error.notInRound');
}

function checkedScores(criteria: readonly Criterion[], raw: readonly unknown[]): { scores: number[]; total: number } {
	const scores = validScores(criteria, raw);
	if (!scores) throw new EvaluationError('evaluation.error.invalidScores');
	return { scores, total: scores.reduce((a, b) => a + b, 0) };
}

/**
 * Stores one score through a link. Counts the attempt against the address and the link first
 * (a refusal for frequency stores no score); then refuses unknown tokens, rounds not open yet
 * or over, projects outside the round, bad values and a second score of the same project.
 * `address` is only a throttle key: it is never stored with the score.
 */
export async function submitLinkScore(db: Db, token: string, address: string, input: ScoreInput, now = new Date()): Promise<void> {
	const hash = hashToken(typeof token === 'string' ? token : '');
	const limits: Limit[] = [
		{ key: `score:address:${address}`, max: SCORE_LIMITS.perAddress, windowMs: SCORE_LIMITS.windowMs },
		// Keyed by the token's hash, so that forged tokens are limited too without a look-up.
		{ key: `score:link:${encodeHexLowerCase(hash)}`, max: SCORE_LIMITS.perLink, windowMs: SCORE_LIMITS.windowMs }
	];
	if (await overLimit(db, limits, now)) throw new EvaluationError('evaluation.error.tooMany');
	// Old counters go with the next submission; ten windows back is long past any limit.
	await forgetOldCounters(db, 10 * SCORE_LIMITS.windowMs, now);
	if (!TOKEN.test(token)) throw new EvaluationError('evaluation.error.unknownLink');
	const comment = checkComment(input.comment);
	await db.transaction(async (tx) => {
		// Shared lock: closing the round (a row lock for update) waits for scores in flight.
		const [link] = await tx
			.select({ linkId: evaluationLinks.id, round: evaluationRounds })
			.from(evaluationLinks)
			.innerJoin(evaluationRounds, eq(evaluationRounds.id, evaluationLinks.roundId))
			.where(eq(evaluationLinks.tokenHash, hash))
			.for('share');
		if (!link) throw new EvaluationError('evaluation.error.unknownLink');
		assertPhase(link.round, now);
		await assertInRound(tx, link.round.id, input.projectItemId);
		const { scores, total } = checkedScores(link.round.criteria, input.scores);
		const stored = await tx
			.insert(evaluationScores)
			.values({ roundId: link.round.id, projectItemId: input.projectItemId, linkId: link.linkId, scores, total, comment, createdAt: now })
			.onConflictDoNothing()
			.returning({ id: evaluationScores.id });
		if (stored.length === 0) throw new EvaluationError('evaluation.error.alreadyScored');
	});
}

/** Stores a signed-in member's score (once per project); observers and outsiders may not score. */
export async function submitMemberScore(db: Db, actor: Actor, roundId: string, input: ScoreInput, now = new Date()): Promise<void> {
	const comment = checkComment(input.comment);
	await db.transaction(async (tx) => {
		if (!UUID.test(roundId)) throw new EvaluationError('evaluation.error.notFound');
		const [round] = await tx.select().from(evaluationRounds).where(eq(evaluationRounds.id, roundId)).for('share');
		if (!round) throw new EvaluationError('evaluation.error.notFound');
		const seat = await membershipOf(tx, actor.id, round.committeeId);
		if (!seat || seat.role === 'observer') throw new EvaluationError('evaluation.error.notMember');
		assertPhase(round, now);
		await assertInRound(tx, roundId, input.projectItemId);
		// A unit does not mark its own work.
		if (seat.unitId) {
			const [item] = await getProjectItems(tx, [input.projectItemId]);
			if (item?.units.some((u) => u.id === seat.unitId)) throw new EvaluationError('evaluation.error.ownUnit');
		}
		const { scores, total } = checkedScores(round.criteria, input.scores);
		const stored = await tx
			.insert(evaluationScores)
			.values({ roundId, projectItemId: input.projectItemId, userId: actor.id, scores, total, comment, createdAt: now })
			.onConflictDoNothing()
			.returning({ id: evaluationScores.id });
		if (stored.length === 0) throw new EvaluationError('evaluation.error.alreadyScored');
	});
}

/** Projects of a round the member has scored. */
export async function memberScored(db: DbOrTx, userId: string, roundId: string): Promise<string[]> {
	const rows = await db
		.select({ id: evaluationScores.projectItemId })
		.from(evaluationScores)
		.where(and(eq(evaluationScores.roundId, roundId), eq(evaluationScores.userId, userId)));
	return rows.map((r) => r.id);
}

/** What the public scoring page shows for a token; null for a token that is not (or no longer) a link. */
export interface ScoringPage {
	roundTitle: string;
	committeeName: string;
	phase: RoundPhase;
	opensAt: Date;
	criteria: Criterion[];
	projects: RoundProject[];
	/** Projects already scored with this link. */
	scored: string[];
}

export async function scoringPage(db: DbOrTx, token: string, now = new Date()): Promise<ScoringPage | null> {
	if (!TOKEN.test(token)) return null;
	const [link] = await db
		.select({ id: evaluationLinks.id, round: evaluationRounds, committeeName: committees.name })
		.from(evaluationLinks)
		.innerJoin(evaluationRounds, eq(evaluationRounds.id, evaluationLinks.roundId))
		.innerJoin(committees, eq(committees.id, evaluationRounds.committeeId))
		.where(eq(evaluationLinks.tokenHash, hashToken(token)));
	if (!link) return null;
	const scored = await db.select({ id: evaluationScores.projectItemId }).from(evaluationScores).where(eq(evaluationScores.linkId, link.id));
	return {
		roundTitle: link.round.title,
		committeeName: link.committeeName,
		phase: roundPhase(link.round, now),
		opensAt: link.round.opensAt,
		criteria: link.round.criteria,
		projects: await roundProjects(db, link.round.id),
		scored: scored.map((s) => s.id)
	};
}

// ---------------------------------------------------------------- results

/**
 * A round's results as plain, serializable data (dates as ISO strings, numbers unrounded): the
 * results page, the workbook and the evaluation report of the record are all drawn from it.
 */
export interface EvaluationResults {
	round: {
		id: string;
		committeeId: string;
		committeeName: string;
		year: number;
		title: string;
		/** ISO 8601. */
		opensAt: string;
		closesAt: string;
		/** 'open' | 'closed' as stored; `phase` says whether it takes scores now. */
		state: string;
		phase: RoundPhase;
	};
	criteria: Criterion[];
	/** Sum of the criteria's maxima. */
	maxTotal: number;
	/** In the round's order. */
	projects: {
		projectItemId: string;
		title: string;
		units: { id: string; name: string }[];
		/** Number of scores. */
		count: number;
		/** Mean per criterion, in criteria order; null without scores. */
		means: (number | null)[];
		meanTotal: number | null;
		/** Non-empty comments, oldest first, without who or when. */
		comments: string[];
	}[];
	/** Ranked (1, 2, 2, 4) by the mean of their projects' mean totals; units without scores last, unranked. */
	units: UnitResult[];
	totals: { scores: number; links: number; linksUsed: number; memberScores: number };
}

export async function evaluationResults(db: DbOrTx, roundId: string, now = new Date()): Promise<EvaluationResults | null> {
	if (!UUID.test(roundId)) return null;
	const [row] = await db
		.select({ round: evaluationRounds, committeeName: committees.name })
		.from(evaluationRounds)
		.innerJoin(committees, eq(committees.id, evaluationRounds.committeeId))
		.where(eq(evaluationRounds.id, roundId));
	if (!row) return null;
	const { round } = row;
	const [projects, scores, links] = await Promise.all([
		roundProjects(db, roundId),
		db
			.select({ projectItemId: evaluationScores.projectItemId, scores: evaluationScores.scores, total: evaluationScores.total, comment: evaluationScores.comment, userId: evaluationScores.userId })
			.from(evaluationScores)
			.where(eq(evaluationScores.roundId, roundId))
			.orderBy(asc(evaluationScores.createdAt), asc(evaluationScores.id)),
		db
			.select({ links: countDistinct(evaluationLinks.id), used: sql<number>`count(distinct ${evaluationScores.linkId})`.mapWith(Number) })
			.from(evaluationLinks)
			.leftJoin(evaluationScores, and(eq(evaluationScores.linkId, evaluationLinks.id), isNotNull(evaluationScores.linkId)))
			.where(eq(evaluationLinks.roundId, roundId))
	]);
	const byProject = new Map<string, typeof scores>();
	for (const s of scores) byProject.set(s.projectItemId, [...(byProject.get(s.projectItemId) ?? []), s]);
	const projectResults = projects.map((p) => {
		const mine = byProject.get(p.id) ?? [];
		const agg = aggregateProject(round.criteria, mine);
		return { projectItemId: p.id, title: p.title, units: p.units, count: agg.count, means: agg.means, meanTotal: agg.meanTotal, comments: mine.map((s) => s.comment).filter((c) => c !== '') };
	});
	const unitProjects = new Map<string, { unitId: string; unitName: string; projectItemIds: string[] }>();
	for (const p of projects) {
		for (const u of p.units) {
			const entry = unitProjects.get(u.id) ?? { unitId: u.id, unitName: u.name, projectItemIds: [] };
			entry.projectItemIds.push(p.id);
			unitProjects.set(u.id, entry);
		}
	}
	const meanTotals = new Map(projectResults.map((p) => [p.projectItemId, p.meanTotal]));
	return {
		round: {
			id: round.id,
			committeeId: round.committeeId,
			committeeName: row.committeeName,
			year: round.year,
			title: round.title,
			opensAt: round.opensAt.toISOString(),
			closesAt: round.closesAt.toISOString(),
			state: round.state,
			phase: roundPhase(round, now)
		},
		criteria: round.criteria,
		maxTotal: maxTotal(round.criteria),
		projects: projectResults,
		units: rankUnits([...unitProjects.values()], meanTotals),
		totals: { scores: scores.length, links: links[0]?.links ?? 0, linksUsed: links[0]?.used ?? 0, memberScores: scores.filter((s) => s.userId !== null).length }
	};
}
