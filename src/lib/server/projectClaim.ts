import { and, asc, eq } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { DbOrTx } from './db';
import { memberships, projectItemClaims, projectItemUnits, units, users, type ClaimStatus } from './db/schema';
import { recordAudit } from './audit';
import { roleOf } from './committee';
import { lockProjectItem, mayManageProjectItem, PERSON_NAME_MAX, projectSubject, ProjectItemError, REASON_MAX, type Actor } from './projectItem';
import { UNIQUE_VIOLATION, sqlState } from './organisation';

/*
 * Claiming (认领): a member unit offers to take on an item; the convener confirms (the unit
 * becomes responsible, with the person in charge it named) or rejects with a reason. Decided
 * claims are kept; every step is written to the item's history.
 */

export interface ClaimView {
	id: string;
	projectItemId: string;
	unitId: string;
	unitName: string;
	personName: string;
	note: string;
	status: ClaimStatus;
	claimedBy: string | null;
	claimedByName: string | null;
	claimedAt: Date;
	decidedBy: string | null;
	decidedByName: string | null;
	decidedAt: Date | null;
	decisionReason: string;
}

const claimer = alias(users, 'claimer');
const decider = alias(users, 'decider');

async function claimViews(db: DbOrTx, where: ReturnType<typeof eq>): Promise<ClaimView[]> {
	const rows = await db
		.select({ claim: projectItemClaims, unitName: units.name, claimedByName: claimer.displayName, decidedByName: decider.displayName })
		.from(projectItemClaims)
		.innerJoin(units, eq(units.id, projectItemClaims.unitId))
		.leftJoin(claimer, eq(claimer.id, projectItemClaims.claimedBy))
		.leftJoin(decider, eq(decider.id, projectItemClaims.decidedBy))
		.where(where)
		.orderBy(asc(projectItemClaims.claimedAt));
	return rows.map(({ claim: c, unitName, claimedByName, decidedByName }) => ({ ...c, unitName, claimedByName, decidedByName }));
}

/** An item's claims, oldest first (pending and decided). No permission check: shown with the item. */
export function claimsOf(db: DbOrTx, itemId: string): Promise<ClaimView[]> {
	return claimViews(db, eq(projectItemClaims.projectItemId, itemId));
}

/**
 * A unit claims an item. The person must represent the unit in the item's committee (an
 * observer's seat does not count); the convener or recorder may enter a claim on a unit's behalf.
 */
export async function claimItem(db: DbOrTx, actor: Actor, itemId: string, input: { unitId?: string; personName?: string; note?: string }): Promise<ClaimView> {
	const personName = typeof input.personName === 'string' ? input.personName.trim() : '';
	const note = typeof input.note === 'string' ? input.note.trim() : '';
	if (personName.length > PERSON_NAME_MAX) throw new ProjectItemError('project.error.personTooLong', { max: PERSON_NAME_MAX });
	if (note.length > REASON_MAX) throw new ProjectItemError('project.error.reasonTooLong', { max: REASON_MAX });
	return db.transaction(async (tx) => {
		const item = await lockProjectItem(tx, itemId);
		if (item.withdrawnAt) throw new ProjectItemError('project.error.withdrawn');
		if (item.status === 'done') throw new ProjectItemError('project.claim.closed');
		const [seat] = await tx
			.select({ unitId: memberships.unitId, role: memberships.role })
			.from(memberships)
			.where(and(eq(memberships.userId, actor.id), eq(memberships.committeeId, item.committeeId)));
		const own = seat && seat.role !== 'observer' ? seat.unitId : null;
		const unitId = input.unitId ?? own;
		if (!unitId) throw new ProjectItemError('project.claim.notAllowed');
		if (unitId !== own) {
			if (!(await mayManageProjectItem(tx, actor, item.committeeId))) throw new ProjectItemError('project.claim.notAllowed');
			const [member] = await tx
				.select({ id: memberships.id })
				.from(memberships)
				.where(and(eq(memberships.committeeId, item.committeeId), eq(memberships.unitId, unitId)))
				.limit(1);
			if (!member) throw new ProjectItemError('project.error.unknownUnit', { value: unitId });
		}
		const [already] = await tx
			.select({ unitId: projectItemUnits.unitId })
			.from(projectItemUnits)
			.where(and(eq(projectItemUnits.projectItemId, itemId), eq(projectItemUnits.unitId, unitId)));
		if (already) throw new ProjectItemError('project.claim.alreadyResponsible');
		let id: string;
		try {
			// A savepoint, so that a lost race on the pending-claim index leaves the transaction usable for the error.
			const [row] = await tx.transaction((sp) =>
				sp.insert(projectItemClaims).values({ projectItemId: itemId, unitId, personName, note, claimedBy: actor.id }).returning({ id: projectItemClaims.id })
			);
			id = row!.id;
		} catch (err) {
			if (sqlState(err) === UNIQUE_VIOLATION) throw new ProjectItemError('project.claim.pending');
			throw err;
		}
		await recordAudit(tx, { actorId: actor.id, action: 'project.claim', subject: projectSubject(itemId), details: { claimId: id, unitId, status: 'pending', reason: note } });
		const [view] = await claimViews(tx, eq(projectItemClaims.id, id));
		return view!;
	});
}

/**
 * The convener (or an administrator) confirms a pending claim — the unit becomes responsible —
 * or rejects it, which needs a reason.
 */
export async function decideClaim(db: DbOrTx, actor: Actor, claimId: string, input: { confirm: boolean; reason?: string }): Promise<ClaimView> {
	if (!/^[0-9a-f-]{36}$/i.test(claimId)) throw new ProjectItemError('project.claim.notFound');
	const reason = typeof input.reason === 'string' ? input.reason.trim() : '';
	if (!input.confirm && !reason) throw new ProjectItemError('project.error.reasonRequired');
	if (reason.length > REASON_MAX) throw new ProjectItemError('project.error.reasonTooLong', { max: REASON_MAX });
	return db.transaction(async (tx) => {
		const [found] = await tx.select({ itemId: projectItemClaims.projectItemId }).from(projectItemClaims).where(eq(projectItemClaims.id, claimId));
		if (!found) throw new ProjectItemError('project.claim.notFound');
		const item = await lockProjectItem(tx, found.itemId);
		if (!actor.isAdmin && (await roleOf(tx, actor.id, item.committeeId)) !== 'convener') throw new ProjectItemError('project.claim.notAllowed');
		if (item.withdrawnAt) throw new ProjectItemError('project.error.withdrawn');
		const [claim] = await tx.select().from(projectItemClaims).where(eq(projectItemClaims.id, claimId)).for('update');
		if (!claim || claim.status !== 'pending') throw new ProjectItemError('project.claim.decided');
		const status: ClaimStatus = input.confirm ? 'confirmed' : 'rejected';
		await tx.update(projectItemClaims).set({ status, decidedBy: actor.id, decidedAt: new Date(), decisionReason: reason }).where(eq(projectItemClaims.id, claimId));
		if (input.confirm) {
			await tx.insert(projectItemUnits).values({ projectItemId: item.id, unitId: claim.unitId, personName: claim.personName }).onConflictDoNothing();
		}
		await recordAudit(tx, { actorId: actor.id, action: 'project.claim', subject: projectSubject(item.id), details: { claimId, unitId: claim.unitId, status, reason } });
		const [view] = await claimViews(tx, eq(projectItemClaims.id, claimId));
		return view!;
	});
}
