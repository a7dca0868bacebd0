import { and, eq, inArray, isNull, notInArray } from 'drizzle-orm';
import type * as Y from 'yjs';
import { readNeeds, readProposals, readResources } from '../docs/board';
import type { Db, DbOrTx } from './db';
import { needs, proposals, resources, units, users } from './db/schema';
import { upsertProposalRow } from './proposal';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const clip = (s: string, max: number) => (s.length > max ? s.slice(0, max) : s);

/**
 * Projects a board document into the `needs` and `resources` rows, keyed by card id. Running
 * it twice on the same document changes nothing; a card that disappeared from the document
 * is marked deleted (kept), and comes back if the card does.
 */
export async function projectBoard(db: Db, board: { committeeId: string; year: number }, doc: Y.Doc): Promise<{ needs: number; resources: number }> {
	const needCards = readNeeds(doc);
	const resourceCards = readResources(doc);
	return db.transaction(async (tx) => {
		const now = new Date();
		// References that do not resolve (a hostile or stale client) are projected as empty, not refused.
		const userIds = [...new Set(needCards.map((n) => n.submittedBy).filter((id) => UUID.test(id)))];
		const knownUsers = new Set(userIds.length ? (await tx.select({ id: users.id }).from(users).where(inArray(users.id, userIds))).map((r) => r.id) : []);
		const unitIds = [...new Set(resourceCards.map((r) => r.unitId).filter((id) => UUID.test(id)))];
		const knownUnits = new Set(unitIds.length ? (await tx.select({ id: units.id }).from(units).where(inArray(units.id, unitIds))).map((r) => r.id) : []);

		for (const [i, n] of needCards.entries()) {
			const values = {
				committeeId: board.committeeId,
				year: board.year,
				position: i,
				title: clip(n.title, 200),
				description: clip(n.description, 5000),
				place: clip(n.place, 200),
				category: n.category,
				source: n.source,
				priority: n.priority,
				status: n.status,
				submittedBy: knownUsers.has(n.submittedBy) ? n.submittedBy : null,
				archived: n.archived,
				deletedAt: null,
				updatedAt: now
			};
			await tx.insert(needs).values({ id: n.id, ...values }).onConflictDoUpdate({ target: needs.id, set: values });
		}
		for (const [i, r] of resourceCards.entries()) {
			const values = {
				committeeId: board.committeeId,
				year: board.year,
				position: i,
				unitId: knownUnits.has(r.unitId) ? r.unitId : null,
				type: r.type,
				title: clip(r.title, 200),
				description: clip(r.description, 5000),
				quantity: clip(r.quantity, 200),
				availability: clip(r.availability, 200),
				contact: clip(r.contact, 200),
				status: r.status,
				archived: r.archived,
				deletedAt: null,
				updatedAt: now
			};
			await tx.insert(resources).values({ id: r.id, ...values }).onConflictDoUpdate({ target: resources.id, set: values });
		}
		const boardNeeds = and(eq(needs.committeeId, board.committeeId), eq(needs.year, board.year), isNull(needs.deletedAt));
		await tx
			.update(needs)
			.set({ deletedAt: now, updatedAt: now })
			.where(needCards.length ? and(boardNeeds, notInArray(needs.id, needCards.map((n) => n.id))) : boardNeeds);
		const boardResources = and(eq(resources.committeeId, board.committeeId), eq(resources.year, board.year), isNull(resources.deletedAt));
		await tx
			.update(resources)
			.set({ deletedAt: now, updatedAt: now })
			.where(resourceCards.length ? and(boardResources, notInArray(resources.id, resourceCards.map((r) => r.id))) : boardResources);
		const proposalCards = readProposals(doc);
		for (const p of proposalCards) await upsertProposalRow(tx, board, p, now);
		const boardProposals = and(eq(proposals.committeeId, board.committeeId), eq(proposals.year, board.year), isNull(proposals.deletedAt));
		await tx
			.update(proposals)
			.set({ deletedAt: now, updatedAt: now })
			.where(proposalCards.length ? and(boardProposals, notInArray(proposals.id, proposalCards.map((p) => p.id))) : boardProposals);
		return { needs: needCards.length, resources: resourceCards.length };
	});
}

export async function boardRows(db: DbOrTx, board: { committeeId: string; year: number }) {
	const n = await db.select().from(needs).where(and(eq(needs.committeeId, board.committeeId), eq(needs.year, board.year))).orderBy(needs.position);
	const r = await db.select().from(resources).where(and(eq(resources.committeeId, board.committeeId), eq(resources.year, board.year))).orderBy(resources.position);
	return { needs: n, resources: r };
}


export interface BoardSummary {
	needs: number;
	needsByCategory: Record<string, number>;
	needsByStatus: Record<string, number>;
	/** Needs matched or in a project, of all (0–1). */
	matchedShare: number;
	resources: number;
	resourcesByType: Record<string, number>;
	/** Resources committed per unit, most first. */
	committedByUnit: { unitId: string | null; unitName: string; count: number }[];
}

/** Counts for the board's summary, from the projection (live, not archived, not deleted cards). */
export async function boardSummary(db: DbOrTx, board: { committeeId: string; year: number }): Promise<BoardSummary> {
	const needRows = await db
		.select({ category: needs.category, status: needs.status })
		.from(needs)
		.where(and(eq(needs.committeeId, board.committeeId), eq(needs.year, board.year), isNull(needs.deletedAt), eq(needs.archived, false)));
	const resourceRows = await db
		.select({ type: resources.type, status: resources.status, unitId: resources.unitId, unitName: units.name })
		.from(resources)
		.leftJoin(units, eq(units.id, resources.unitId))
		.where(and(eq(resources.committeeId, board.committeeId), eq(resources.year, board.year), isNull(resources.deletedAt), eq(resources.archived, false)));
	const count = <T>(rows: T[], key: (r: T) => string) => rows.reduce<Record<string, number>>((acc, r) => ((acc[key(r)] = (acc[key(r)] ?? 0) + 1), acc), {});
	const matched = needRows.filter((n) => n.status === 'matched' || n.status === 'in_project').length;
	const committed = new Map<string, { unitId: string | null; unitName: string; count: number }>();
	for (const r of resourceRows) {
		if (r.status !== 'committed') continue;
		const key = r.unitId ?? '';
		const entry = committed.get(key) ?? { unitId: r.unitId, unitName: r.unitName ?? '', count: 0 };
		entry.count++;
		committed.set(key, entry);
	}
	return {
		needs: needRows.length,
		needsByCategory: count(needRows, (n) => n.category),
		needsByStatus: count(needRows, (n) => n.status),
		matchedShare: needRows.length ? matched / needRows.length : 0,
		resources: resourceRows.length,
		resourcesByType: count(resourceRows, (r) => r.type),
		committedByUnit: [...committed.values()].sort((a, b) => b.count - a.count || a.unitName.localeCompare(b.unitName, 'zh-CN'))
	};
}
