import { and, asc, eq, gte, inArray, isNull, lt, notInArray, or, sql } from 'drizzle-orm';
import type { CommitteeKind, ProjectLevel, ProjectStatus } from './db/schema';
import { auditLog, committees, meetings, memberships, projectItems, projectItemSources, projectItemUnits, proposals, units, users } from './db/schema';
import type { DbOrTx } from './db';
import type { ExtractedDecision } from './decision';
import { canManageProjectItems, chinaToday, displayStatus, isCalendarDate, isDoneLate, isProjectStatus, type DisplayStatus } from '../domain/projectStatus';
import type { SessionUser } from './auth/session';
import { recordAudit } from './audit';
import { notifyDecisionAssigned } from './notificationEvents';
import { roleOf } from './committee';
import { DomainError, type MessageParams } from './organisation';
import type { MessageKey } from '../i18n/zh-CN';

// Status rules are pure and shared with the browser; re-exported for the server code that imported them here.
export { chinaToday, displayStatus, type DisplayStatus } from '../domain/projectStatus';

export function levelFor(kind: CommitteeKind): ProjectLevel {
	return kind === 'street' ? 'street' : 'community';
}

const TITLE_MAX = 60;
function titleOf(text: string): string {
	const firstLine = text.split('\n')[0]!.trim();
	return firstLine.length > TITLE_MAX ? `${firstLine.slice(0, TITLE_MAX)}…` : firstLine;
}

/**
 * Makes the project items of a meeting match its finalized decisions, keyed by block id:
 * existing items are updated in place, new decisions add items, and items whose decision
 * disappeared are withdrawn (kept, for their history). Run inside the finalizing transaction.
 */
export interface LinkedProposal {
	id: string;
	year: number;
	level: ProjectLevel;
	needIds: string[];
	resourceIds: string[];
}

/** A decision as the previous finalization of the same meeting recorded it. */
export interface PreviousDecision {
	dueDate: string | null;
	unitIds: string[];
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));

export async function syncProjectItems(
	tx: DbOrTx,
	input: {
		meetingId: string;
		committeeId: string;
		committeeKind: CommitteeKind;
		decisions: ExtractedDecision[];
		proposals?: Map<string, LinkedProposal>;
		/**
		 * The meeting's decisions as last finalized, by block id. The convener may have moved a due
		 * date or reassigned an item since; re-finalizing keeps those changes unless the minutes
		 * themselves changed that decision's date or units.
		 */
		previous?: Map<string, PreviousDecision>;
		actorId?: string | null;
	}
): Promise<{ created: number; updated: number; withdrawn: number; approved: (LinkedProposal & { projectItemId: string })[] }> {
	let created = 0;
	let updated = 0;
	const approved: (LinkedProposal & { projectItemId: string })[] = [];
	const now = new Date();
	for (const d of input.decisions) {
		const proposal = d.proposalId ? input.proposals?.get(d.proposalId) : undefined;
		const values = { title: titleOf(d.text), decisionText: d.text, proposalId: proposal?.id ?? null, withdrawnAt: null, updatedAt: now };
		const [existing] = await tx
			.select({ id: projectItems.id, dueDate: projectItems.dueDate })
			.from(projectItems)
			.where(and(eq(projectItems.sourceMeetingId, input.meetingId), eq(projectItems.sourceBlockId, d.blockId)));
		// One proposal, one item: an item that already carries the proposal is the one to update.
		const [byProposal] =
			!existing && proposal ? await tx.select({ id: projectItems.id, dueDate: projectItems.dueDate }).from(projectItems).where(eq(projectItems.proposalId, proposal.id)) : [];
		const target = existing ?? byProposal;
		const before = existing ? input.previous?.get(d.blockId) : undefined;
		let id: string;
		if (target) {
			id = target.id;
			const keepDue = before !== undefined && before.dueDate === d.dueDate;
			await tx
				.update(projectItems)
				.set({ ...values, ...(keepDue ? {} : { dueDate: d.dueDate }), sourceMeetingId: input.meetingId, sourceBlockId: d.blockId })
				.where(eq(projectItems.id, id));
			if (!keepDue && target.dueDate !== d.dueDate) {
				await recordAudit(tx, {
					actorId: input.actorId ?? null,
					action: 'project.due',
					subject: projectSubject(id),
					details: { from: target.dueDate, to: d.dueDate, reason: '', source: 'minutes', meetingId: input.meetingId }
				});
			}
			if (!(before !== undefined && sameSet(before.unitIds, d.unitIds))) await syncUnits(tx, id, d.unitIds, input.actorId ?? null, input.meetingId);
			updated++;
		} else {
			const [row] = await tx
				.insert(projectItems)
				.values({
					...values,
					dueDate: d.dueDate,
					committeeId: input.committeeId,
					sourceMeetingId: input.meetingId,
					sourceBlockId: d.blockId,
					level: proposal?.level ?? levelFor(input.committeeKind)
				})
				.returning({ id: projectItems.id });
			id = row!.id;
			if (d.unitIds.length > 0) await tx.insert(projectItemUnits).values(d.unitIds.map((unitId) => ({ projectItemId: id, unitId })));
			await notifyDecisionAssigned(tx, { id, committeeId: input.committeeId, title: values.title, unitIds: d.unitIds });
			created++;
		}
		await tx.delete(projectItemSources).where(eq(projectItemSources.projectItemId, id));
		if (proposal) {
			const sources = [
				...proposal.needIds.map((cardId) => ({ projectItemId: id, kind: 'need' as const, cardId })),
				...proposal.resourceIds.map((cardId) => ({ projectItemId: id, kind: 'resource' as const, cardId }))
			];
			if (sources.length > 0) await tx.insert(projectItemSources).values(sources).onConflictDoNothing();
			approved.push({ ...proposal, projectItemId: id });
		}
	}
	const keep = input.decisions.map((d) => d.blockId);
	const withdrawn = await tx
		.update(projectItems)
		.set({ withdrawnAt: now, updatedAt: now })
		.where(
			and(
				eq(projectItems.sourceMeetingId, input.meetingId),
				isNull(projectItems.withdrawnAt),
				keep.length > 0 ? notInArray(projectItems.sourceBlockId, keep) : sql`true`
			)
		)
		.returning({ id: projectItems.id });
	return { created, updated, withdrawn: withdrawn.length, approved };
}

export interface ProjectItemView {
	id: string;
	committeeId: string;
	committeeName: string;
	sourceMeetingId: string | null;
	sourceMeetingTitle: string | null;
	sourceBlockId: string | null;
	title: string;
	decisionText: string;
	level: ProjectLevel;
	dueDate: string | null;
	status: ProjectStatus;
	displayStatus: DisplayStatus;
	/** China date it was marked done; null unless done. */
	doneOn: string | null;
	/** Done, but after the due date. */
	doneLate: boolean;
	/** Why it is on hold; empty unless on hold. */
	holdReason: string;
	progress: number;
	withdrawn: boolean;
	units: ResponsibleUnit[];
	createdAt: Date;
}

/** A responsible unit of an item and its person in charge (责任人). */
export interface ResponsibleUnit {
	id: string;
	name: string;
	personName: string;
}

async function unitsOf(db: DbOrTx, ids: string[]): Promise<Map<string, ResponsibleUnit[]>> {
	const map = new Map<string, ResponsibleUnit[]>();
	if (ids.length === 0) return map;
	const rows = await db
		.select({ itemId: projectItemUnits.projectItemId, id: units.id, name: units.name, personName: projectItemUnits.personName })
		.from(projectItemUnits)
		.innerJoin(units, eq(units.id, projectItemUnits.unitId))
		.where(inArray(projectItemUnits.projectItemId, ids))
		.orderBy(asc(units.name));
	for (const r of rows) map.set(r.itemId, [...(map.get(r.itemId) ?? []), { id: r.id, name: r.name, personName: r.personName }]);
	return map;
}

const itemFields = {
	item: projectItems,
	committeeName: committees.name,
	meetingTitle: meetings.title
};

function toView(row: { item: typeof projectItems.$inferSelect; committeeName: string; meetingTitle: string | null }, unitList: ResponsibleUnit[]): ProjectItemView {
	const i = row.item;
	return {
		id: i.id,
		committeeId: i.committeeId,
		committeeName: row.committeeName,
		sourceMeetingId: i.sourceMeetingId,
		sourceMeetingTitle: row.meetingTitle,
		sourceBlockId: i.sourceBlockId,
		title: i.title,
		decisionText: i.decisionText,
		level: i.level,
		dueDate: i.dueDate,
		status: i.status,
		displayStatus: displayStatus(i),
		doneOn: i.doneOn,
		doneLate: isDoneLate(i),
		holdReason: i.holdReason,
		progress: i.progress,
		withdrawn: i.withdrawnAt !== null,
		units: unitList,
		createdAt: i.createdAt
	};
}

export async function getProjectItem(db: DbOrTx, id: string): Promise<ProjectItemView | null> {
	if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
	const [row] = await db
		.select(itemFields)
		.from(projectItems)
		.innerJoin(committees, eq(committees.id, projectItems.committeeId))
		.leftJoin(meetings, eq(meetings.id, projectItems.sourceMeetingId))
		.where(eq(projectItems.id, id));
	if (!row) return null;
	return toView(row, (await unitsOf(db, [id])).get(id) ?? []);
}

/** Several items by id (unknown ids are skipped), in creation order. No permission check. */
export async function getProjectItems(db: DbOrTx, ids: string[]): Promise<ProjectItemView[]> {
	const valid = ids.filter((id) => /^[0-9a-f-]{36}$/i.test(id));
	if (valid.length === 0) return [];
	const rows = await db
		.select(itemFields)
		.from(projectItems)
		.innerJoin(committees, eq(committees.id, projectItems.committeeId))
		.leftJoin(meetings, eq(meetings.id, projectItems.sourceMeetingId))
		.where(inArray(projectItems.id, valid))
		.orderBy(asc(projectItems.createdAt));
	const unitMap = await unitsOf(db, rows.map((r) => r.item.id));
	return rows.map((r) => toView(r, unitMap.get(r.item.id) ?? []));
}

/** Every tracked (not withdrawn) item of a committee, by due date. For dashboards and missing-report lists. */
export async function projectItemsOfCommittee(db: DbOrTx, committeeId: string): Promise<ProjectItemView[]> {
	const rows = await db
		.select(itemFields)
		.from(projectItems)
		.innerJoin(committees, eq(committees.id, projectItems.committeeId))
		.leftJoin(meetings, eq(meetings.id, projectItems.sourceMeetingId))
		.where(and(eq(projectItems.committeeId, committeeId), isNull(projectItems.withdrawnAt)))
		.orderBy(asc(projectItems.dueDate), asc(projectItems.createdAt));
	const unitMap = await unitsOf(db, rows.map((r) => r.item.id));
	return rows.map((r) => toView(r, unitMap.get(r.item.id) ?? []));
}

/** Active (not withdrawn) items that came from a meeting's decisions, in block order of creation. */
export async function projectItemsOfMeeting(db: DbOrTx, meetingId: string, includeWithdrawn = false): Promise<ProjectItemView[]> {
	const rows = await db
		.select(itemFields)
		.from(projectItems)
		.innerJoin(committees, eq(committees.id, projectItems.committeeId))
		.leftJoin(meetings, eq(meetings.id, projectItems.sourceMeetingId))
		.where(and(eq(projectItems.sourceMeetingId, meetingId), includeWithdrawn ? undefined : isNull(projectItems.withdrawnAt)))
		.orderBy(asc(projectItems.createdAt));
	const unitMap = await unitsOf(db, rows.map((r) => r.item.id));
	return rows.map((r) => toView(r, unitMap.get(r.item.id) ?? []));
}

/**
 * The committee's project list (项目清单) for a year: items decided at its meetings of that year
 * (China time) and items approved from that year's board proposals. Withdrawn items excluded.
 */
export async function projectItemsOfYear(db: DbOrTx, committeeId: string, year: number): Promise<ProjectItemView[]> {
	const from = new Date(Date.UTC(year, 0, 1) - 8 * 3600_000);
	const to = new Date(Date.UTC(year + 1, 0, 1) - 8 * 3600_000);
	const rows = await db
		.select(itemFields)
		.from(projectItems)
		.innerJoin(committees, eq(committees.id, projectItems.committeeId))
		.leftJoin(meetings, eq(meetings.id, projectItems.sourceMeetingId))
		.leftJoin(proposals, eq(proposals.id, projectItems.proposalId))
		.where(
			and(
				eq(projectItems.committeeId, committeeId),
				isNull(projectItems.withdrawnAt),
				or(and(gte(meetings.startsAt, from), lt(meetings.startsAt, to)), eq(proposals.year, year))
			)
		)
		.orderBy(asc(projectItems.dueDate), asc(projectItems.createdAt));
	const unitMap = await unitsOf(db, rows.map((r) => r.item.id));
	return rows.map((r) => toView(r, unitMap.get(r.item.id) ?? []));
}

// ---------------------------------------------------------------- changes by the convener and recorder

/** Who acts: a signed-in person (SessionUser fits). */
export type Actor = Pick<SessionUser, 'id' | 'isAdmin'>;

export type ProjectItemErrorKey =
	| 'project.error.notFound'
	| 'project.error.notAllowed'
	| 'project.error.withdrawn'
	| 'project.error.reasonRequired'
	| 'project.error.reasonTooLong'
	| 'project.error.holdReasonRequired'
	| 'project.error.unknownStatus'
	| 'project.error.unchanged'
	| 'project.error.badDate'
	| 'project.error.noUnits'
	| 'project.error.unknownUnit'
	| 'project.error.duplicateUnit'
	| 'project.error.personTooLong'
	// progress reports (src/lib/server/progressReport.ts)
	| 'project.report.notAllowed'
	| 'project.report.unitRequired'
	| 'project.report.unitNotResponsible'
	| 'project.report.badMonth'
	| 'project.report.futureMonth'
	| 'project.report.beforeItem'
	| 'project.report.windowClosed'
	| 'project.report.badProgress'
	| 'project.report.doneRequired'
	| 'project.report.tooLong'
	| 'project.report.badReportDay'
	| 'project.attachment.notFound'
	| 'project.attachment.badType'
	| 'project.attachment.tooLarge'
	| 'project.attachment.empty'
	| 'project.attachment.tooMany'
	| 'project.attachment.badName'
	// claims (src/lib/server/projectClaim.ts)
	| 'project.claim.notAllowed'
	| 'project.claim.notFound'
	| 'project.claim.closed'
	| 'project.claim.alreadyResponsible'
	| 'project.claim.pending'
	| 'project.claim.decided';

/** A refusal with a message key of the `project` catalogue (src/lib/i18n/<locale>/project.ts). */
export class ProjectItemError extends DomainError {
	declare readonly key: ProjectItemErrorKey;
	// `& MessageKey`: a key without a catalogue entry does not compile.
	constructor(key: ProjectItemErrorKey & MessageKey, params: MessageParams = {}) {
		super(key, params);
		this.name = 'ProjectItemError';
	}
}

export const REASON_MAX = 500;
export const PERSON_NAME_MAX = 50;

/** The audit-log subject of an item: its history is every audit row with this subject. */
export function projectSubject(itemId: string): string {
	return `project/${itemId}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type ItemRow = typeof projectItems.$inferSelect;

/** Locks the item row so that concurrent changes (and report filings) apply one after the other. */
export async function lockProjectItem(tx: DbOrTx, itemId: string): Promise<ItemRow> {
	if (!UUID.test(itemId)) throw new ProjectItemError('project.error.notFound');
	const [row] = await tx.select().from(projectItems).where(eq(projectItems.id, itemId)).for('update');
	if (!row) throw new ProjectItemError('project.error.notFound');
	return row;
}

/** Status, due date and units are the convener's and recorder's to change (and an administrator's). */
export async function mayManageProjectItem(db: DbOrTx, actor: Actor, committeeId: string): Promise<boolean> {
	return canManageProjectItems(actor.isAdmin ? null : await roleOf(db, actor.id, committeeId), actor.isAdmin);
}

async function assertManager(tx: DbOrTx, actor: Actor, item: ItemRow): Promise<void> {
	if (!(await mayManageProjectItem(tx, actor, item.committeeId))) throw new ProjectItemError('project.error.notAllowed');
	if (item.withdrawnAt) throw new ProjectItemError('project.error.withdrawn');
}

function requiredReason(raw: unknown): string {
	const reason = typeof raw === 'string' ? raw.trim() : '';
	if (!reason) throw new ProjectItemError('project.error.reasonRequired');
	if (reason.length > REASON_MAX) throw new ProjectItemError('project.error.reasonTooLong', { max: REASON_MAX });
	return reason;
}

async function viewOrThrow(db: DbOrTx, id: string): Promise<ProjectItemView> {
	const view = await getProjectItem(db, id);
	if (!view) throw new Error(`project item ${id} vanished inside its own transaction`);
	return view;
}

/** The progress an item shows when it is not done: its latest monthly report's. */
async function latestReportedProgress(tx: DbOrTx, itemId: string): Promise<number> {
	const result = await tx.execute(
		sql`select progress from progress_reports where project_item_id = ${itemId} order by month desc, updated_at desc limit 1`
	);
	const rows = (result as unknown as { rows: { progress: number }[] }).rows;
	return rows[0]?.progress ?? 0;
}

export interface StatusChange {
	/** not_started | in_progress | done | on_hold ("overdue" is derived, never set). */
	status: string;
	/** Why; for on_hold this is also the hold reason shown on the item. */
	reason: string;
}

/**
 * Sets the stored status. Done records the China date (for "done late") and shows 100 %;
 * leaving done goes back to the latest report's progress. On hold needs a reason, kept on the
 * item until it leaves that status.
 */
export async function changeStatus(db: DbOrTx, actor: Actor, itemId: string, change: StatusChange): Promise<ProjectItemView> {
	const to = typeof change.status === 'string' ? change.status : '';
	if (!isProjectStatus(to)) throw new ProjectItemError('project.error.unknownStatus', { value: to });
	if (to === 'on_hold' && !(typeof change.reason === 'string' && change.reason.trim())) throw new ProjectItemError('project.error.holdReasonRequired');
	const reason = requiredReason(change.reason);
	return db.transaction(async (tx) => {
		const item = await lockProjectItem(tx, itemId);
		await assertManager(tx, actor, item);
		if (item.status === to) throw new ProjectItemError('project.error.unchanged');
		const progress = to === 'done' ? 100 : item.status === 'done' ? await latestReportedProgress(tx, itemId) : item.progress;
		await tx
			.update(projectItems)
			.set({ status: to, holdReason: to === 'on_hold' ? reason : '', doneOn: to === 'done' ? chinaToday() : null, progress, updatedAt: new Date() })
			.where(eq(projectItems.id, itemId));
		await recordAudit(tx, { actorId: actor.id, action: 'project.status', subject: projectSubject(itemId), details: { from: item.status, to, reason } });
		return viewOrThrow(tx, itemId);
	});
}

/** Moves the due date (a real calendar date, YYYY-MM-DD). */
export async function changeDueDate(db: DbOrTx, actor: Actor, itemId: string, change: { dueDate: string; reason: string }): Promise<ProjectItemView> {
	const to = typeof change.dueDate === 'string' ? change.dueDate.trim() : '';
	if (!isCalendarDate(to)) throw new ProjectItemError('project.error.badDate', { value: to });
	const reason = requiredReason(change.reason);
	return db.transaction(async (tx) => {
		const item = await lockProjectItem(tx, itemId);
		await assertManager(tx, actor, item);
		if (item.dueDate === to) throw new ProjectItemError('project.error.unchanged');
		await tx.update(projectItems).set({ dueDate: to, updatedAt: new Date() }).where(eq(projectItems.id, itemId));
		await recordAudit(tx, { actorId: actor.id, action: 'project.due', subject: projectSubject(itemId), details: { from: item.dueDate, to, reason } });
		return viewOrThrow(tx, itemId);
	});
}

export interface UnitAssignment {
	unitId: string;
	/** The unit's person in charge (责任人); may be empty. */
	personName: string;
}

async function currentAssignments(tx: DbOrTx, itemId: string): Promise<UnitAssignment[]> {
	const rows = await tx
		.select({ unitId: projectItemUnits.unitId, personName: projectItemUnits.personName })
		.from(projectItemUnits)
		.where(eq(projectItemUnits.projectItemId, itemId));
	return rows.sort((a, b) => a.unitId.localeCompare(b.unitId));
}

/** Replaces the unit set, keeping rows (and their person in charge) of units that stay. */
async function writeAssignments(tx: DbOrTx, itemId: string, next: UnitAssignment[]): Promise<void> {
	const keep = next.map((a) => a.unitId);
	await tx
		.delete(projectItemUnits)
		.where(and(eq(projectItemUnits.projectItemId, itemId), keep.length > 0 ? notInArray(projectItemUnits.unitId, keep) : sql`true`));
	for (const a of next) {
		await tx
			.insert(projectItemUnits)
			.values({ projectItemId: itemId, unitId: a.unitId, personName: a.personName })
			.onConflictDoUpdate({ target: [projectItemUnits.projectItemId, projectItemUnits.unitId], set: { personName: a.personName } });
	}
}

/** Re-finalized minutes changed a decision's units: apply them, keeping known persons in charge. */
async function syncUnits(tx: DbOrTx, itemId: string, unitIds: string[], actorId: string | null, meetingId: string): Promise<void> {
	const from = await currentAssignments(tx, itemId);
	const names = new Map(from.map((a) => [a.unitId, a.personName]));
	const to = [...new Set(unitIds)].sort().map((unitId) => ({ unitId, personName: names.get(unitId) ?? '' }));
	if (sameSet(from.map((a) => a.unitId), to.map((a) => a.unitId))) return;
	await writeAssignments(tx, itemId, to);
	await recordAudit(tx, { actorId, action: 'project.reassign', subject: projectSubject(itemId), details: { from, to, reason: '', source: 'minutes', meetingId } });
}

/**
 * Sets the responsible units and each one's person in charge. Units must be member units of
 * the item's committee (those its part-time members represent), as for decisions.
 */
export async function reassign(db: DbOrTx, actor: Actor, itemId: string, change: { units: UnitAssignment[]; reason: string }): Promise<ProjectItemView> {
	const list = Array.isArray(change.units) ? change.units : [];
	if (list.length === 0) throw new ProjectItemError('project.error.noUnits');
	const next: UnitAssignment[] = [];
	for (const a of list) {
		const unitId = typeof a?.unitId === 'string' ? a.unitId : '';
		const personName = typeof a?.personName === 'string' ? a.personName.trim() : '';
		if (!UUID.test(unitId)) throw new ProjectItemError('project.error.unknownUnit', { value: unitId });
		if (next.some((n) => n.unitId === unitId)) throw new ProjectItemError('project.error.duplicateUnit');
		if (personName.length > PERSON_NAME_MAX) throw new ProjectItemError('project.error.personTooLong', { max: PERSON_NAME_MAX });
		next.push({ unitId, personName });
	}
	next.sort((a, b) => a.unitId.localeCompare(b.unitId));
	const reason = requiredReason(change.reason);
	return db.transaction(async (tx) => {
		const item = await lockProjectItem(tx, itemId);
		await assertManager(tx, actor, item);
		const known = await tx
			.selectDistinct({ unitId: memberships.unitId })
			.from(memberships)
			.where(and(eq(memberships.committeeId, item.committeeId), inArray(memberships.unitId, next.map((a) => a.unitId))));
		const knownIds = new Set(known.map((k) => k.unitId));
		const unknown = next.find((a) => !knownIds.has(a.unitId));
		if (unknown) throw new ProjectItemError('project.error.unknownUnit', { value: unknown.unitId });
		const from = await currentAssignments(tx, itemId);
		if (JSON.stringify(from) === JSON.stringify(next)) throw new ProjectItemError('project.error.unchanged');
		await writeAssignments(tx, itemId, next);
		await tx.update(projectItems).set({ updatedAt: new Date() }).where(eq(projectItems.id, itemId));
		await recordAudit(tx, { actorId: actor.id, action: 'project.reassign', subject: projectSubject(itemId), details: { from, to: next, reason } });
		return viewOrThrow(tx, itemId);
	});
}

// ---------------------------------------------------------------- history

interface HistoryBase {
	/** Audit row id as text; "created" for the entry of the item's creation. */
	id: string;
	at: Date;
	actorId: string | null;
	/** Display name of who acted; null when the system did (e.g. re-finalized minutes without an actor). */
	actorName: string | null;
}

export interface AssignmentView extends UnitAssignment {
	unitName: string;
}

/**
 * One line of an item's history, oldest first. `source: 'minutes'` marks changes made by re-finalized
 * minutes, `source: 'report'` the move to in progress that a first monthly report makes.
 */
export type ProjectHistoryEntry = HistoryBase &
	(
		| { action: 'project.created'; meetingId: string | null; meetingTitle: string | null }
		| { action: 'project.status'; from: string; to: string; reason: string; source: 'report' | null }
		| { action: 'project.due'; from: string | null; to: string | null; reason: string; source: 'minutes' | null }
		| { action: 'project.reassign'; from: AssignmentView[]; to: AssignmentView[]; reason: string; source: 'minutes' | null }
		| { action: 'project.report'; reportId: string; unitId: string; unitName: string; month: string; progress: number; amended: boolean; attachments: number }
		| { action: 'project.claim'; claimId: string; unitId: string; unitName: string; status: string; reason: string }
	);

export type ProjectHistoryAction = ProjectHistoryEntry['action'];

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const strOrNull = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const assignmentsIn = (v: unknown): UnitAssignment[] =>
	Array.isArray(v) ? v.filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null).map((x) => ({ unitId: str(x.unitId), personName: str(x.personName) })) : [];

/**
 * Everything that happened to an item, oldest first: its creation from a decision, then every
 * status, due-date and unit change, monthly report filing or amendment and claim, as written
 * to the audit log (subject `project/<id>`), with the actors' and units' names resolved.
 */
export async function itemHistory(db: DbOrTx, itemId: string): Promise<ProjectHistoryEntry[]> {
	if (!UUID.test(itemId)) throw new ProjectItemError('project.error.notFound');
	const [item] = await db
		.select({ createdAt: projectItems.createdAt, meetingId: projectItems.sourceMeetingId, meetingTitle: meetings.title })
		.from(projectItems)
		.leftJoin(meetings, eq(meetings.id, projectItems.sourceMeetingId))
		.where(eq(projectItems.id, itemId));
	if (!item) throw new ProjectItemError('project.error.notFound');
	const rows = await db
		.select({ id: auditLog.id, at: auditLog.at, actorId: auditLog.actorId, actorName: users.displayName, action: auditLog.action, details: auditLog.details })
		.from(auditLog)
		.leftJoin(users, eq(users.id, auditLog.actorId))
		.where(eq(auditLog.subject, projectSubject(itemId)))
		.orderBy(asc(auditLog.at), asc(auditLog.id));
	const unitIds = new Set<string>();
	for (const r of rows) {
		const d = r.details;
		if (typeof d.unitId === 'string') unitIds.add(d.unitId);
		for (const a of [...assignmentsIn(d.from), ...assignmentsIn(d.to)]) unitIds.add(a.unitId);
	}
	const unitNames = new Map<string, string>();
	const ids = [...unitIds].filter((u) => UUID.test(u));
	if (ids.length > 0) for (const u of await db.select({ id: units.id, name: units.name }).from(units).where(inArray(units.id, ids))) unitNames.set(u.id, u.name);
	const named = (v: unknown): AssignmentView[] => assignmentsIn(v).map((a) => ({ ...a, unitName: unitNames.get(a.unitId) ?? '' }));

	const history: ProjectHistoryEntry[] = [
		{ id: 'created', at: item.createdAt, actorId: null, actorName: null, action: 'project.created', meetingId: item.meetingId, meetingTitle: item.meetingTitle }
	];
	for (const r of rows) {
		const base = { id: String(r.id), at: r.at, actorId: r.actorId, actorName: r.actorName };
		const d = r.details;
		const source = d.source === 'minutes' ? ('minutes' as const) : null;
		switch (r.action) {
			case 'project.status':
				history.push({ ...base, action: r.action, from: str(d.from), to: str(d.to), reason: str(d.reason), source: d.source === 'report' ? 'report' : null });
				break;
			case 'project.due':
				history.push({ ...base, action: r.action, from: strOrNull(d.from), to: strOrNull(d.to), reason: str(d.reason), source });
				break;
			case 'project.reassign':
				history.push({ ...base, action: r.action, from: named(d.from), to: named(d.to), reason: str(d.reason), source });
				break;
			case 'project.report':
				history.push({
					...base,
					action: r.action,
					reportId: str(d.reportId),
					unitId: str(d.unitId),
					unitName: unitNames.get(str(d.unitId)) ?? '',
					month: str(d.month),
					progress: typeof d.progress === 'number' ? d.progress : 0,
					amended: d.amended === true,
					attachments: typeof d.attachments === 'number' ? d.attachments : 0
				});
				break;
			case 'project.claim':
				history.push({ ...base, action: r.action, claimId: str(d.claimId), unitId: str(d.unitId), unitName: unitNames.get(str(d.unitId)) ?? '', status: str(d.status), reason: str(d.reason) });
				break;
			default:
				// Audit actions this version does not know are left out of the history, not guessed at.
				break;
		}
	}
	return history;
}
