import { and, asc, eq, gte, inArray, isNull, lt, notInArray, or, sql } from 'drizzle-orm';
import type { CommitteeKind, ProjectLevel, ProjectStatus } from './db/schema';
import { committees, meetings, projectItems, projectItemSources, projectItemUnits, proposals, units } from './db/schema';
import type { DbOrTx } from './db';
import type { ExtractedDecision } from './decision';
import { displayStatus, isDoneLate, type DisplayStatus } from '../domain/projectStatus';

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

export async function syncProjectItems(
	tx: DbOrTx,
	input: { meetingId: string; committeeId: string; committeeKind: CommitteeKind; decisions: ExtractedDecision[]; proposals?: Map<string, LinkedProposal> }
): Promise<{ created: number; updated: number; withdrawn: number; approved: (LinkedProposal & { projectItemId: string })[] }> {
	let created = 0;
	let updated = 0;
	const approved: (LinkedProposal & { projectItemId: string })[] = [];
	const now = new Date();
	for (const d of input.decisions) {
		const proposal = d.proposalId ? input.proposals?.get(d.proposalId) : undefined;
		const values = { title: titleOf(d.text), decisionText: d.text, dueDate: d.dueDate, proposalId: proposal?.id ?? null, withdrawnAt: null, updatedAt: now };
		const [existing] = await tx
			.select({ id: projectItems.id })
			.from(projectItems)
			.where(and(eq(projectItems.sourceMeetingId, input.meetingId), eq(projectItems.sourceBlockId, d.blockId)));
		// One proposal, one item: an item that already carries the proposal is the one to update.
		const [byProposal] = !existing && proposal ? await tx.select({ id: projectItems.id }).from(projectItems).where(eq(projectItems.proposalId, proposal.id)) : [];
		const target = existing ?? byProposal;
		let id: string;
		if (target) {
			await tx.update(projectItems).set({ ...values, sourceMeetingId: input.meetingId, sourceBlockId: d.blockId }).where(eq(projectItems.id, target.id));
			id = target.id;
			updated++;
		} else {
			const [row] = await tx
				.insert(projectItems)
				.values({ ...values, committeeId: input.committeeId, sourceMeetingId: input.meetingId, sourceBlockId: d.blockId, level: proposal?.level ?? levelFor(input.committeeKind) })
				.returning({ id: projectItems.id });
			id = row!.id;
			created++;
		}
		await tx.delete(projectItemUnits).where(eq(projectItemUnits.projectItemId, id));
		if (d.unitIds.length > 0) await tx.insert(projectItemUnits).values(d.unitIds.map((unitId) => ({ projectItemId: id, unitId })));
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
	units: { id: string; name: string }[];
}

async function unitsOf(db: DbOrTx, ids: string[]): Promise<Map<string, { id: string; name: string }[]>> {
	const map = new Map<string, { id: string; name: string }[]>();
	if (ids.length === 0) return map;
	const rows = await db
		.select({ itemId: projectItemUnits.projectItemId, id: units.id, name: units.name })
		.from(projectItemUnits)
		.innerJoin(units, eq(units.id, projectItemUnits.unitId))
		.where(inArray(projectItemUnits.projectItemId, ids))
		.orderBy(asc(units.name));
	for (const r of rows) map.set(r.itemId, [...(map.get(r.itemId) ?? []), { id: r.id, name: r.name }]);
	return map;
}

const itemFields = {
	item: projectItems,
	committeeName: committees.name,
	meetingTitle: meetings.title
};

function toView(row: { item: typeof projectItems.$inferSelect; committeeName: string; meetingTitle: string | null }, unitList: { id: string; name: string }[]): ProjectItemView {
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
		units: unitList
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
