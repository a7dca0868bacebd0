import { and, count, eq, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { DbOrTx } from './db';
import { committees, communities, districts, memberships, streets, unitKinds, units, type UnitKind } from './db/schema';

/*
 * The district's organisational tree: district → streets (街道) → communities (社区), and the
 * member units (驻区单位) that sit at district level. Every refusal is an OrganisationError
 * carrying a message key, so routes can translate it instead of leaking database errors.
 */

export type MessageParams = Record<string, string | number>;

/** A refusal the UI can explain: a message key plus the values its text needs. */
export class DomainError extends Error {
	constructor(
		readonly key: string,
		readonly params: MessageParams = {}
	) {
		super(key);
		this.name = 'DomainError';
	}
}

export class OrganisationError extends DomainError {
	constructor(key: OrganisationErrorKey, params: MessageParams = {}) {
		super(key, params);
		this.name = 'OrganisationError';
	}
}

export type OrganisationErrorKey =
	| 'organisation.nameRequired'
	| 'organisation.nameTooLong'
	| 'organisation.nameTaken'
	| 'organisation.districtNotFound'
	| 'organisation.streetNotFound'
	| 'organisation.communityNotFound'
	| 'organisation.unitNotFound'
	| 'organisation.unknownKind'
	| 'organisation.contactTooLong'
	| 'organisation.badPhone'
	| 'organisation.districtHasStreets'
	| 'organisation.districtHasUnits'
	| 'organisation.streetHasCommunities'
	| 'organisation.streetHasCommittee'
	| 'organisation.communityHasCommittee'
	| 'organisation.unitHasMembers';

export const NAME_MAX = 100;
export const CONTACT_NAME_MAX = 50;
export const CONTACT_PHONE_MAX = 40;

// Office numbers are written many ways ("0571-8888 6666", "(0571)88886666转802", "+86 138…");
// the check only keeps out text that cannot be a number at all.
const PHONE_PATTERN = /^\+?[0-9()\- ]*[0-9][0-9()\- ]*(?:(?:转|ext\.?|x)\s*[0-9]+)?$/i;

export type NameCheck = { ok: true; name: string } | { ok: false; problem: 'nameRequired' | 'nameTooLong' };

/**
 * Names arrive from forms and spreadsheets: a cell with Alt+Enter line breaks or full-width
 * spaces must still match the same unit next time, so every whitespace run becomes one space.
 */
export function checkName(raw: string): NameCheck {
	const name = raw.normalize('NFC').replace(/\s+/gu, ' ').trim();
	if (name === '') return { ok: false, problem: 'nameRequired' };
	if ([...name].length > NAME_MAX) return { ok: false, problem: 'nameTooLong' };
	return { ok: true, name };
}

function validName(raw: string): string {
	const checked = checkName(raw);
	if (!checked.ok) throw new OrganisationError(`organisation.${checked.problem}`, { max: NAME_MAX });
	return checked.name;
}

export function isUnitKind(value: string): value is UnitKind {
	return (unitKinds as readonly string[]).includes(value);
}

export function cleanContactName(raw: string): string {
	return raw.normalize('NFC').replace(/\s+/gu, ' ').trim();
}

export function cleanPhone(raw: string): string {
	return raw.normalize('NFKC').replace(/\s+/gu, ' ').trim();
}

/** null when acceptable. The value must already be cleaned with cleanPhone. */
export function phoneProblem(phone: string): 'tooLong' | 'badPhone' | null {
	if (phone === '') return null;
	if (phone.length > CONTACT_PHONE_MAX) return 'tooLong';
	return PHONE_PATTERN.test(phone) ? null : 'badPhone';
}

/** Sorts Chinese names the way people look them up: by pinyin, with 2 before 10. */
const collator = new Intl.Collator('zh-CN', { numeric: true });
export function byName<T extends { name: string }>(a: T, b: T): number {
	return collator.compare(a.name, b.name);
}
export function compareNames(a: string, b: string): number {
	return collator.compare(a, b);
}

/** Walks the cause chain: drizzle wraps driver errors, and both drivers carry the SQLSTATE. */
export function sqlState(err: unknown): string | null {
	let current: unknown = err;
	for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
		const code = (current as { code?: unknown }).code;
		if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
		current = (current as { cause?: unknown }).cause;
	}
	return null;
}

export const UNIQUE_VIOLATION = '23505';
export const FOREIGN_KEY_VIOLATION = '23503';

/**
 * Runs one write inside a savepoint (or its own transaction) so that a constraint violation
 * leaves a caller's surrounding transaction usable, and turns the violation into a domain error.
 */
async function guarded<T>(db: DbOrTx, write: (tx: DbOrTx) => Promise<T>, onViolation: Record<string, () => Error>): Promise<T> {
	try {
		return await db.transaction(write);
	} catch (err) {
		const state = sqlState(err);
		const replacement = state ? onViolation[state] : undefined;
		if (replacement) throw replacement();
		throw err;
	}
}

async function countWhere(db: DbOrTx, table: typeof streets | typeof communities | typeof units | typeof committees | typeof memberships, where: SQL): Promise<number> {
	const [row] = await db.select({ n: sql<number>`count(*)`.mapWith(Number) }).from(table).where(where);
	return row?.n ?? 0;
}

/**
 * Row counts per value of `column`, merged into lists in JS. A correlated subquery would be one
 * query, but drizzle leaves columns unqualified in single-table selects, which makes
 * `inner.x = outer.id` silently compare the inner table with itself.
 */
export async function countsBy(db: DbOrTx, table: PgTable, column: AnyPgColumn): Promise<Map<string, number>> {
	const rows = await db.select({ key: column, n: count() }).from(table).groupBy(column);
	return new Map(rows.map((r) => [String(r.key), r.n]));
}

// ---------------------------------------------------------------- districts

export type District = typeof districts.$inferSelect;
export interface DistrictSummary extends District {
	streetCount: number;
	communityCount: number;
	unitCount: number;
}

export async function listDistricts(db: DbOrTx): Promise<DistrictSummary[]> {
	const [rows, streetCounts, unitCounts, communityRows] = await Promise.all([
		db.select().from(districts),
		countsBy(db, streets, streets.districtId),
		countsBy(db, units, units.districtId),
		db.select({ key: streets.districtId, n: count() }).from(communities).innerJoin(streets, eq(streets.id, communities.streetId)).groupBy(streets.districtId)
	]);
	const communityCounts = new Map(communityRows.map((r) => [r.key, r.n]));
	return rows
		.map((d) => ({ ...d, streetCount: streetCounts.get(d.id) ?? 0, communityCount: communityCounts.get(d.id) ?? 0, unitCount: unitCounts.get(d.id) ?? 0 }))
		.sort(byName);
}

export async function getDistrict(db: DbOrTx, id: string): Promise<District | null> {
	const [row] = await db.select().from(districts).where(eq(districts.id, id)).limit(1);
	return row ?? null;
}

/** The app serves one district in practice; this is how it comes to exist. */
export async function getOrCreateDistrict(db: DbOrTx, rawName: string): Promise<District> {
	const name = validName(rawName);
	const [created] = await db.insert(districts).values({ name }).onConflictDoNothing({ target: districts.name }).returning();
	if (created) return created;
	const [existing] = await db.select().from(districts).where(eq(districts.name, name)).limit(1);
	if (!existing) throw new Error(`district "${name}" conflicted on insert but cannot be read back`);
	return existing;
}

export async function renameDistrict(db: DbOrTx, id: string, rawName: string): Promise<District> {
	const name = validName(rawName);
	const row = await guarded(
		db,
		async (tx) => (await tx.update(districts).set({ name }).where(eq(districts.id, id)).returning())[0],
		{ [UNIQUE_VIOLATION]: () => new OrganisationError('organisation.nameTaken', { name }) }
	);
	if (!row) throw new OrganisationError('organisation.districtNotFound');
	return row;
}

export async function deleteDistrict(db: DbOrTx, id: string): Promise<void> {
	const streetCount = await countWhere(db, streets, eq(streets.districtId, id));
	if (streetCount > 0) throw new OrganisationError('organisation.districtHasStreets', { count: streetCount });
	const unitCount = await countWhere(db, units, eq(units.districtId, id));
	if (unitCount > 0) throw new OrganisationError('organisation.districtHasUnits', { count: unitCount });
	const deleted = await guarded(db, (tx) => tx.delete(districts).where(eq(districts.id, id)).returning({ id: districts.id }), {
		// Someone added a street or unit after the counts above.
		[FOREIGN_KEY_VIOLATION]: () => new OrganisationError('organisation.districtHasStreets', { count: 1 })
	});
	if (deleted.length === 0) throw new OrganisationError('organisation.districtNotFound');
}

// ---------------------------------------------------------------- streets

export type Street = typeof streets.$inferSelect;
export interface StreetSummary extends Street {
	communityCount: number;
	/** The street's 大工委, when it has one. */
	committeeId: string | null;
}

export async function listStreets(db: DbOrTx, districtId?: string): Promise<StreetSummary[]> {
	const [rows, communityCounts] = await Promise.all([
		db
			.select({ id: streets.id, districtId: streets.districtId, name: streets.name, createdAt: streets.createdAt, committeeId: committees.id })
			.from(streets)
			.leftJoin(committees, eq(committees.streetId, streets.id))
			.where(districtId === undefined ? undefined : eq(streets.districtId, districtId)),
		countsBy(db, communities, communities.streetId)
	]);
	return rows.map((s) => ({ ...s, communityCount: communityCounts.get(s.id) ?? 0 })).sort(byName);
}

export async function getStreet(db: DbOrTx, id: string): Promise<Street | null> {
	const [row] = await db.select().from(streets).where(eq(streets.id, id)).limit(1);
	return row ?? null;
}

export async function createStreet(db: DbOrTx, input: { districtId: string; name: string }): Promise<Street> {
	const name = validName(input.name);
	if (!(await getDistrict(db, input.districtId))) throw new OrganisationError('organisation.districtNotFound');
	const [row] = await db
		.insert(streets)
		.values({ districtId: input.districtId, name })
		.onConflictDoNothing({ target: [streets.districtId, streets.name] })
		.returning();
	if (!row) throw new OrganisationError('organisation.nameTaken', { name });
	return row;
}

export async function renameStreet(db: DbOrTx, id: string, rawName: string): Promise<Street> {
	const name = validName(rawName);
	const row = await guarded(db, async (tx) => (await tx.update(streets).set({ name }).where(eq(streets.id, id)).returning())[0], {
		[UNIQUE_VIOLATION]: () => new OrganisationError('organisation.nameTaken', { name })
	});
	if (!row) throw new OrganisationError('organisation.streetNotFound');
	return row;
}

export async function deleteStreet(db: DbOrTx, id: string): Promise<void> {
	const communityCount = await countWhere(db, communities, eq(communities.streetId, id));
	if (communityCount > 0) throw new OrganisationError('organisation.streetHasCommunities', { count: communityCount });
	if ((await countWhere(db, committees, eq(committees.streetId, id))) > 0) throw new OrganisationError('organisation.streetHasCommittee');
	const deleted = await guarded(db, (tx) => tx.delete(streets).where(eq(streets.id, id)).returning({ id: streets.id }), {
		[FOREIGN_KEY_VIOLATION]: () => new OrganisationError('organisation.streetHasCommunities', { count: 1 })
	});
	if (deleted.length === 0) throw new OrganisationError('organisation.streetNotFound');
}

// ---------------------------------------------------------------- communities

export type Community = typeof communities.$inferSelect;
export interface CommunitySummary extends Community {
	streetName: string;
	/** The community's 大党委, when it has one. */
	committeeId: string | null;
}

export async function listCommunities(db: DbOrTx, streetId?: string): Promise<CommunitySummary[]> {
	const rows = await db
		.select({
			id: communities.id,
			streetId: communities.streetId,
			name: communities.name,
			createdAt: communities.createdAt,
			streetName: streets.name,
			committeeId: committees.id
		})
		.from(communities)
		.innerJoin(streets, eq(streets.id, communities.streetId))
		.leftJoin(committees, eq(committees.communityId, communities.id))
		.where(streetId === undefined ? undefined : eq(communities.streetId, streetId));
	return rows.sort((a, b) => compareNames(a.streetName, b.streetName) || byName(a, b));
}

export async function getCommunity(db: DbOrTx, id: string): Promise<Community | null> {
	const [row] = await db.select().from(communities).where(eq(communities.id, id)).limit(1);
	return row ?? null;
}

export async function createCommunity(db: DbOrTx, input: { streetId: string; name: string }): Promise<Community> {
	const name = validName(input.name);
	if (!(await getStreet(db, input.streetId))) throw new OrganisationError('organisation.streetNotFound');
	const [row] = await db
		.insert(communities)
		.values({ streetId: input.streetId, name })
		.onConflictDoNothing({ target: [communities.streetId, communities.name] })
		.returning();
	if (!row) throw new OrganisationError('organisation.nameTaken', { name });
	return row;
}

/** Renames a community and/or moves it to another street (streets get redrawn now and then). */
export async function updateCommunity(db: DbOrTx, id: string, input: { name?: string; streetId?: string }): Promise<Community> {
	const changes: Partial<Pick<Community, 'name' | 'streetId'>> = {};
	if (input.name !== undefined) changes.name = validName(input.name);
	if (input.streetId !== undefined) {
		if (!(await getStreet(db, input.streetId))) throw new OrganisationError('organisation.streetNotFound');
		changes.streetId = input.streetId;
	}
	const current = await getCommunity(db, id);
	if (!current) throw new OrganisationError('organisation.communityNotFound');
	if (Object.keys(changes).length === 0) return current;
	const name = changes.name ?? current.name;
	const row = await guarded(db, async (tx) => (await tx.update(communities).set(changes).where(eq(communities.id, id)).returning())[0], {
		[UNIQUE_VIOLATION]: () => new OrganisationError('organisation.nameTaken', { name })
	});
	if (!row) throw new OrganisationError('organisation.communityNotFound');
	return row;
}

export async function deleteCommunity(db: DbOrTx, id: string): Promise<void> {
	if ((await countWhere(db, committees, eq(committees.communityId, id))) > 0) throw new OrganisationError('organisation.communityHasCommittee');
	const deleted = await guarded(db, (tx) => tx.delete(communities).where(eq(communities.id, id)).returning({ id: communities.id }), {
		[FOREIGN_KEY_VIOLATION]: () => new OrganisationError('organisation.communityHasCommittee')
	});
	if (deleted.length === 0) throw new OrganisationError('organisation.communityNotFound');
}

// ---------------------------------------------------------------- units

export type Unit = typeof units.$inferSelect;
export interface UnitSummary extends Unit {
	/** Committee seats held on behalf of this unit. */
	membershipCount: number;
}

export interface UnitInput {
	name: string;
	kind: string;
	contactName?: string;
	contactPhone?: string;
}

type UnitFields = Pick<Unit, 'name' | 'kind' | 'contactName' | 'contactPhone'>;

function validKind(raw: string): UnitKind {
	if (!isUnitKind(raw)) throw new OrganisationError('organisation.unknownKind', { value: raw });
	return raw;
}

function validContactName(raw: string): string {
	const contactName = cleanContactName(raw);
	if ([...contactName].length > CONTACT_NAME_MAX) throw new OrganisationError('organisation.contactTooLong', { max: CONTACT_NAME_MAX });
	return contactName;
}

function validContactPhone(raw: string): string {
	const contactPhone = cleanPhone(raw);
	const problem = phoneProblem(contactPhone);
	if (problem === 'tooLong') throw new OrganisationError('organisation.contactTooLong', { max: CONTACT_PHONE_MAX });
	if (problem === 'badPhone') throw new OrganisationError('organisation.badPhone', { value: contactPhone });
	return contactPhone;
}

export async function listUnits(db: DbOrTx, filter: { districtId?: string; kind?: UnitKind } = {}): Promise<UnitSummary[]> {
	const conditions = [
		filter.districtId === undefined ? undefined : eq(units.districtId, filter.districtId),
		filter.kind === undefined ? undefined : eq(units.kind, filter.kind)
	];
	const [rows, seats] = await Promise.all([db.select().from(units).where(and(...conditions)), countsBy(db, memberships, memberships.unitId)]);
	return rows.map((u) => ({ ...u, membershipCount: seats.get(u.id) ?? 0 })).sort(byName);
}

export async function getUnit(db: DbOrTx, id: string): Promise<Unit | null> {
	const [row] = await db.select().from(units).where(eq(units.id, id)).limit(1);
	return row ?? null;
}

export async function createUnit(db: DbOrTx, input: UnitInput & { districtId: string }): Promise<Unit> {
	const fields: UnitFields = {
		name: validName(input.name),
		kind: validKind(input.kind),
		contactName: validContactName(input.contactName ?? ''),
		contactPhone: validContactPhone(input.contactPhone ?? '')
	};
	if (!(await getDistrict(db, input.districtId))) throw new OrganisationError('organisation.districtNotFound');
	const name = fields.name;
	const [row] = await db
		.insert(units)
		.values({ districtId: input.districtId, ...fields })
		.onConflictDoNothing({ target: [units.districtId, units.name] })
		.returning();
	if (!row) throw new OrganisationError('organisation.nameTaken', { name });
	return row;
}

/** Changes only the fields given. */
export async function updateUnit(db: DbOrTx, id: string, input: Partial<UnitInput>): Promise<Unit> {
	const fields: Partial<UnitFields> = {};
	if (input.name !== undefined) fields.name = validName(input.name);
	if (input.kind !== undefined) fields.kind = validKind(input.kind);
	if (input.contactName !== undefined) fields.contactName = validContactName(input.contactName);
	if (input.contactPhone !== undefined) fields.contactPhone = validContactPhone(input.contactPhone);
	if (Object.keys(fields).length === 0) {
		const current = await getUnit(db, id);
		if (!current) throw new OrganisationError('organisation.unitNotFound');
		return current;
	}
	const row = await guarded(db, async (tx) => (await tx.update(units).set(fields).where(eq(units.id, id)).returning())[0], {
		[UNIQUE_VIOLATION]: () => new OrganisationError('organisation.nameTaken', { name: fields.name ?? '' })
	});
	if (!row) throw new OrganisationError('organisation.unitNotFound');
	return row;
}

export async function deleteUnit(db: DbOrTx, id: string): Promise<void> {
	const seats = await countWhere(db, memberships, eq(memberships.unitId, id));
	if (seats > 0) throw new OrganisationError('organisation.unitHasMembers', { count: seats });
	const deleted = await guarded(db, (tx) => tx.delete(units).where(eq(units.id, id)).returning({ id: units.id }), {
		[FOREIGN_KEY_VIOLATION]: () => new OrganisationError('organisation.unitHasMembers', { count: 1 })
	});
	if (deleted.length === 0) throw new OrganisationError('organisation.unitNotFound');
}
