import { collabControl } from './collabControl';
import { and, count, eq, inArray, ne, sql } from 'drizzle-orm';
import { alias, type SelectedFields } from 'drizzle-orm/pg-core';
import type { DbOrTx } from './db';
import { committees, communities, meetings, memberships, streets, units, users, type CommitteeKind } from './db/schema';
import { COMMITTEE_ROLES, isCommitteeRole, type CommitteeRole } from '../domain/roles';
import { recordAudit } from './audit';
import { DomainError, NAME_MAX, UNIQUE_VIOLATION, checkName, compareNames, sqlState, type MessageParams } from './organisation';

/*
 * Committees (社区大党委 / 街道大工委) and who sits in them. Membership changes are audited
 * because a seat decides who may write the minutes of a meeting.
 */

export type CommitteeErrorKey =
	| 'committee.notFound'
	| 'committee.nameRequired'
	| 'committee.nameTooLong'
	| 'committee.nameTaken'
	| 'committee.unknownKind'
	| 'committee.communityNotFound'
	| 'committee.streetNotFound'
	| 'committee.alreadyExists'
	| 'committee.hasMeetings'
	| 'committee.unknownRole'
	| 'committee.userNotFound'
	| 'committee.unitNotFound'
	| 'committee.partTimeNeedsUnit'
	| 'committee.alreadyMember'
	| 'committee.notMember'
	| 'committee.lastConvener';

export class CommitteeError extends DomainError {
	constructor(key: CommitteeErrorKey, params: MessageParams = {}) {
		super(key, params);
		this.name = 'CommitteeError';
	}
}

export interface CommitteeSummary {
	id: string;
	kind: CommitteeKind;
	name: string;
	communityId: string | null;
	communityName: string | null;
	/** The street the committee serves: its own for a 大工委, its community's for a 大党委. */
	streetId: string;
	streetName: string;
	districtId: string;
	memberCount: number;
	createdAt: Date;
}

export interface UserCommittee extends CommitteeSummary {
	role: CommitteeRole;
	/** The unit the person represents in this committee, if any. */
	unitId: string | null;
}

export interface Member {
	membershipId: string;
	userId: string;
	username: string;
	displayName: string;
	role: CommitteeRole;
	unitId: string | null;
	unitName: string | null;
	joinedAt: Date;
}

const communityStreet = alias(streets, 'community_street');

const summaryFields = {
	id: committees.id,
	kind: committees.kind,
	name: committees.name,
	communityId: committees.communityId,
	communityName: communities.name,
	streetId: sql<string>`coalesce(${streets.id}, ${communityStreet.id})`,
	streetName: sql<string>`coalesce(${streets.name}, ${communityStreet.name})`,
	districtId: sql<string>`coalesce(${streets.districtId}, ${communityStreet.districtId})`,
	createdAt: committees.createdAt
};

function selectSummaries<T extends SelectedFields>(db: DbOrTx, extra: T) {
	return db
		.select({ ...summaryFields, ...extra })
		.from(committees)
		.leftJoin(streets, eq(streets.id, committees.streetId))
		.leftJoin(communities, eq(communities.id, committees.communityId))
		.leftJoin(communityStreet, eq(communityStreet.id, communities.streetId))
		.$dynamic();
}

/** A street's 大工委 first, then its communities' 大党委, streets and names by pinyin. */
function hierarchical(a: CommitteeSummary, b: CommitteeSummary): number {
	return compareNames(a.streetName, b.streetName) || (a.kind === b.kind ? 0 : a.kind === 'street' ? -1 : 1) || compareNames(a.name, b.name);
}

async function withMemberCounts<T extends { id: string }>(db: DbOrTx, rows: T[]): Promise<(T & { memberCount: number })[]> {
	if (rows.length === 0) return [];
	const counts = await db
		.select({ committeeId: memberships.committeeId, n: count() })
		.from(memberships)
		.where(inArray(memberships.committeeId, rows.map((r) => r.id)))
		.groupBy(memberships.committeeId);
	const byId = new Map(counts.map((c) => [c.committeeId, c.n]));
	return rows.map((r) => ({ ...r, memberCount: byId.get(r.id) ?? 0 }));
}

export async function listCommittees(db: DbOrTx): Promise<CommitteeSummary[]> {
	const rows = await withMemberCounts(db, await selectSummaries(db, {}));
	return rows.sort(hierarchical);
}

export async function listCommitteesForUser(db: DbOrTx, userId: string): Promise<UserCommittee[]> {
	const seats = await selectSummaries(db, { role: memberships.role, unitId: memberships.unitId }).innerJoin(
		memberships,
		and(eq(memberships.committeeId, committees.id), eq(memberships.userId, userId))
	);
	return (await withMemberCounts(db, seats)).sort(hierarchical);
}

export async function getCommittee(db: DbOrTx, id: string): Promise<CommitteeSummary | null> {
	const [row] = await withMemberCounts(db, await selectSummaries(db, {}).where(eq(committees.id, id)).limit(1));
	return row ?? null;
}

export type CreateCommitteeInput = ({ kind: 'community'; communityId: string } | { kind: 'street'; streetId: string }) & {
	name?: string;
	actorId?: string | null;
};

function validCommitteeName(raw: string): string {
	const checked = checkName(raw);
	if (!checked.ok) throw new CommitteeError(`committee.${checked.problem}`, { max: NAME_MAX });
	return checked.name;
}

/*
 * People (and the members CSV) name a committee to mean it, so names are unique (an index
 * guards the race; this check gives the friendly error in the common case).
 */
async function assertNameFree(db: DbOrTx, name: string, exceptId?: string): Promise<void> {
	const [clash] = await db
		.select({ id: committees.id })
		.from(committees)
		.where(and(eq(committees.name, name), exceptId ? ne(committees.id, exceptId) : undefined))
		.limit(1);
	if (clash) throw new CommitteeError('committee.nameTaken', { name });
}

async function defaultName(db: DbOrTx, input: CreateCommitteeInput): Promise<string> {
	if (input.kind === 'community') {
		const [community] = await db.select({ name: communities.name }).from(communities).where(eq(communities.id, input.communityId)).limit(1);
		if (!community) throw new CommitteeError('committee.communityNotFound');
		return `${community.name}大党委`;
	}
	const [street] = await db.select({ name: streets.name }).from(streets).where(eq(streets.id, input.streetId)).limit(1);
	if (!street) throw new CommitteeError('committee.streetNotFound');
	return `${street.name}大工委`;
}

export async function createCommittee(db: DbOrTx, input: CreateCommitteeInput): Promise<CommitteeSummary> {
	const kind: string = input.kind;
	if (kind !== 'community' && kind !== 'street') throw new CommitteeError('committee.unknownKind', { value: kind });
	// Resolving the default name also proves the community or street exists.
	const fallback = await defaultName(db, input);
	const name = validCommitteeName(input.name ?? fallback);
	return db.transaction(async (tx) => {
		await assertNameFree(tx, name);
		const [row] = await tx
			.insert(committees)
			.values({
				kind: input.kind,
				name,
				communityId: input.kind === 'community' ? input.communityId : null,
				streetId: input.kind === 'street' ? input.streetId : null
			})
			.onConflictDoNothing()
			.returning({ id: committees.id });
		if (!row) throw new CommitteeError('committee.alreadyExists');
		await recordAudit(tx, { actorId: input.actorId ?? null, action: 'committee.created', subject: `committee/${row.id}`, details: { kind: input.kind, name } });
		const created = await getCommittee(tx, row.id);
		if (!created) throw new Error(`committee ${row.id} vanished inside its own transaction`);
		return created;
	});
}

export async function renameCommittee(db: DbOrTx, id: string, rawName: string, actorId: string | null = null): Promise<CommitteeSummary> {
	const name = validCommitteeName(rawName);
	return db.transaction(async (tx) => {
		const previous = await lockCommittee(tx, id);
		if (previous.name === name) return summaryOrThrow(tx, id);
		await assertNameFree(tx, name, id);
		try {
			await tx.update(committees).set({ name }).where(eq(committees.id, id));
		} catch (err) {
			if (sqlState(err) === UNIQUE_VIOLATION) throw new CommitteeError('committee.nameTaken', { name });
			throw err;
		}
		await recordAudit(tx, { actorId, action: 'committee.renamed', subject: `committee/${id}`, details: { from: previous.name, to: name } });
		return summaryOrThrow(tx, id);
	});
}

/** Refused while meetings exist: they are the committee's record. Memberships go with it. */
export async function deleteCommittee(db: DbOrTx, id: string, actorId: string | null = null): Promise<void> {
	await db.transaction(async (tx) => {
		const committee = await lockCommittee(tx, id);
		const [held] = await tx.select({ n: sql<number>`count(*)`.mapWith(Number) }).from(meetings).where(eq(meetings.committeeId, id));
		if (held && held.n > 0) throw new CommitteeError('committee.hasMeetings', { count: held.n });
		await tx.delete(committees).where(eq(committees.id, id));
		await recordAudit(tx, { actorId, action: 'committee.deleted', subject: `committee/${id}`, details: { name: committee.name } });
	});
}

async function summaryOrThrow(db: DbOrTx, id: string): Promise<CommitteeSummary> {
	const summary = await getCommittee(db, id);
	if (!summary) throw new CommitteeError('committee.notFound');
	return summary;
}

/**
 * Serialises membership changes per committee: without the row lock two people could each
 * demote one of two conveners, both seeing "another convener remains".
 */
async function lockCommittee(tx: DbOrTx, id: string): Promise<{ id: string; name: string }> {
	const [row] = await tx.select({ id: committees.id, name: committees.name }).from(committees).where(eq(committees.id, id)).for('update');
	if (!row) throw new CommitteeError('committee.notFound');
	return row;
}

// ---------------------------------------------------------------- memberships

const ROLE_ORDER = new Map<CommitteeRole, number>(COMMITTEE_ROLES.map((role, i) => [role, i]));

export async function listMembers(db: DbOrTx, committeeId: string): Promise<Member[]> {
	const rows = await db
		.select({
			membershipId: memberships.id,
			userId: users.id,
			username: users.username,
			displayName: users.displayName,
			role: memberships.role,
			unitId: memberships.unitId,
			unitName: units.name,
			joinedAt: memberships.createdAt
		})
		.from(memberships)
		.innerJoin(users, eq(users.id, memberships.userId))
		.leftJoin(units, eq(units.id, memberships.unitId))
		.where(eq(memberships.committeeId, committeeId));
	return rows.sort((a, b) => (ROLE_ORDER.get(a.role) ?? 0) - (ROLE_ORDER.get(b.role) ?? 0) || compareNames(a.displayName, b.displayName));
}

export async function roleOf(db: DbOrTx, userId: string, committeeId: string): Promise<CommitteeRole | null> {
	const [row] = await db
		.select({ role: memberships.role })
		.from(memberships)
		.where(and(eq(memberships.userId, userId), eq(memberships.committeeId, committeeId)))
		.limit(1);
	return row?.role ?? null;
}

export interface MembershipInput {
	committeeId: string;
	userId: string;
	role: string;
	/** Required for part_time; undefined on a change keeps the current unit. */
	unitId?: string | null;
	actorId: string | null;
}

function validRole(role: string): CommitteeRole {
	if (!isCommitteeRole(role)) throw new CommitteeError('committee.unknownRole', { value: role });
	return role;
}

async function assertUserExists(db: DbOrTx, userId: string): Promise<void> {
	const [row] = await db.select({ id: users.id }).from(users).where(eq(users.id, userId)).limit(1);
	if (!row) throw new CommitteeError('committee.userNotFound');
}

async function assertUnitFits(db: DbOrTx, role: CommitteeRole, unitId: string | null): Promise<void> {
	// A part-time member (兼职委员) sits on behalf of a unit; attendance and scores roll up to it.
	if (role === 'part_time' && unitId === null) throw new CommitteeError('committee.partTimeNeedsUnit');
	if (unitId === null) return;
	const [row] = await db.select({ id: units.id }).from(units).where(eq(units.id, unitId)).limit(1);
	if (!row) throw new CommitteeError('committee.unitNotFound');
}

async function currentMembership(db: DbOrTx, committeeId: string, userId: string) {
	const [row] = await db
		.select({ id: memberships.id, role: memberships.role, unitId: memberships.unitId })
		.from(memberships)
		.where(and(eq(memberships.committeeId, committeeId), eq(memberships.userId, userId)))
		.limit(1);
	return row ?? null;
}

async function convenerCount(db: DbOrTx, committeeId: string): Promise<number> {
	const [row] = await db
		.select({ n: sql<number>`count(*)`.mapWith(Number) })
		.from(memberships)
		.where(and(eq(memberships.committeeId, committeeId), eq(memberships.role, 'convener')));
	return row?.n ?? 0;
}

/** A committee without a convener has nobody who may schedule or finalise its meetings. */
async function assertNotLastConvener(db: DbOrTx, committeeId: string, currentRole: CommitteeRole, nextRole: CommitteeRole | null): Promise<void> {
	if (currentRole !== 'convener' || nextRole === 'convener') return;
	if ((await convenerCount(db, committeeId)) <= 1) throw new CommitteeError('committee.lastConvener');
}

export async function addMember(db: DbOrTx, input: MembershipInput): Promise<string> {
	const role = validRole(input.role);
	const unitId = input.unitId ?? null;
	return db.transaction(async (tx) => {
		await lockCommittee(tx, input.committeeId);
		await assertUserExists(tx, input.userId);
		await assertUnitFits(tx, role, unitId);
		const [row] = await tx
			.insert(memberships)
			.values({ committeeId: input.committeeId, userId: input.userId, role, unitId })
			.onConflictDoNothing({ target: [memberships.committeeId, memberships.userId] })
			.returning({ id: memberships.id });
		if (!row) throw new CommitteeError('committee.alreadyMember');
		await recordAudit(tx, {
			actorId: input.actorId,
			action: 'membership.added',
			subject: `committee/${input.committeeId}`,
			details: { userId: input.userId, role, unitId }
		});
		return row.id;
	});
}

/** Changes a member's role and/or unit. Returns false when nothing changed. */
export async function changeMemberRole(db: DbOrTx, input: MembershipInput): Promise<boolean> {
	const role = validRole(input.role);
	const changed = await db.transaction(async (tx) => {
		await lockCommittee(tx, input.committeeId);
		const current = await currentMembership(tx, input.committeeId, input.userId);
		if (!current) throw new CommitteeError('committee.notMember');
		const unitId = input.unitId === undefined ? current.unitId : input.unitId;
		if (current.role === role && current.unitId === unitId) return false;
		await assertUnitFits(tx, role, unitId);
		await assertNotLastConvener(tx, input.committeeId, current.role, role);
		await tx.update(memberships).set({ role, unitId }).where(eq(memberships.id, current.id));
		await recordAudit(tx, {
			actorId: input.actorId,
			action: 'membership.changed',
			subject: `committee/${input.committeeId}`,
			details: { userId: input.userId, role, unitId, previousRole: current.role, previousUnitId: current.unitId }
		});
		return true;
	});
	// Open documents were authorized under the old role: reconnect under the new one.
	if (changed) collabControl().reconnectUser(input.userId);
	return changed;
}

export async function removeMember(db: DbOrTx, input: { committeeId: string; userId: string; actorId: string | null }): Promise<void> {
	await db.transaction(async (tx) => {
		await lockCommittee(tx, input.committeeId);
		const current = await currentMembership(tx, input.committeeId, input.userId);
		if (!current) throw new CommitteeError('committee.notMember');
		await assertNotLastConvener(tx, input.committeeId, current.role, null);
		await tx.delete(memberships).where(eq(memberships.id, current.id));
		await recordAudit(tx, {
			actorId: input.actorId,
			action: 'membership.removed',
			subject: `committee/${input.committeeId}`,
			details: { userId: input.userId, previousRole: current.role, previousUnitId: current.unitId }
		});
	});
	// Their open documents of this committee must close now, not at their next reconnect.
	collabControl().reconnectUser(input.userId);
}

/** The committee's member units: those its part-time members represent (decision blocks name them). */
export async function memberUnits(db: DbOrTx, committeeId: string): Promise<{ id: string; name: string }[]> {
	const rows = await db
		.selectDistinct({ id: units.id, name: units.name })
		.from(memberships)
		.innerJoin(units, eq(units.id, memberships.unitId))
		.where(eq(memberships.committeeId, committeeId));
	return rows.sort((a, b) => compareNames(a.name, b.name));
}

/** A person's seat in a committee: role and, for part-time members, the unit they represent. */
export async function membershipOf(db: DbOrTx, userId: string, committeeId: string): Promise<{ role: CommitteeRole; unitId: string | null } | null> {
	const [row] = await db
		.select({ role: memberships.role, unitId: memberships.unitId })
		.from(memberships)
		.where(and(eq(memberships.userId, userId), eq(memberships.committeeId, committeeId)))
		.limit(1);
	return row ?? null;
}
