import { and, asc, eq, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { CATEGORY_LABEL_MAX, DEFAULT_NEED_CATEGORIES, OTHER_CATEGORY, type NeedCategory } from '../domain/needCategory';
import type { DbOrTx } from './db';
import { auditLog, committees, communities, needCategories, streets } from './db/schema';
import { DomainError, type MessageParams } from './organisation';

/*
 * The need categories of a district (需求类别). Until the admin first changes the list a district
 * uses the built-in six without any rows; the first change writes them out, in the same
 * transaction, so an edit never starts from a half-written list.
 */

export type NeedCategoryErrorKey =
	| 'category.labelRequired'
	| 'category.labelTooLong'
	| 'category.labelTaken'
	| 'category.notFound'
	| 'category.otherIsFixed'
	| 'organisation.districtNotFound';

export class NeedCategoryError extends DomainError {
	constructor(key: NeedCategoryErrorKey, params: MessageParams = {}) {
		super(key, params);
		this.name = 'NeedCategoryError';
	}
}

export async function needCategoriesOfDistrict(db: DbOrTx, districtId: string): Promise<NeedCategory[]> {
	const rows = await db
		.select({ key: needCategories.key, labelZh: needCategories.labelZh, labelEn: needCategories.labelEn, archived: needCategories.archived })
		.from(needCategories)
		.where(eq(needCategories.districtId, districtId))
		.orderBy(asc(needCategories.position), asc(needCategories.createdAt));
	return rows.length > 0 ? rows : DEFAULT_NEED_CATEGORIES.map((c) => ({ ...c }));
}

/** The district a committee's community or street belongs to. */
export async function districtOfCommittee(db: DbOrTx, committeeId: string): Promise<string | null> {
	const communityStreet = alias(streets, 'community_street');
	const [row] = await db
		.select({ own: streets.districtId, viaCommunity: communityStreet.districtId })
		.from(committees)
		.leftJoin(streets, eq(streets.id, committees.streetId))
		.leftJoin(communities, eq(communities.id, committees.communityId))
		.leftJoin(communityStreet, eq(communityStreet.id, communities.streetId))
		.where(eq(committees.id, committeeId))
		.limit(1);
	return row?.own ?? row?.viaCommunity ?? null;
}

export async function needCategoriesOfCommittee(db: DbOrTx, committeeId: string): Promise<NeedCategory[]> {
	const districtId = await districtOfCommittee(db, committeeId);
	return districtId ? needCategoriesOfDistrict(db, districtId) : DEFAULT_NEED_CATEGORIES.map((c) => ({ ...c }));
}

export interface CategoryLabels {
	labelZh: string;
	labelEn: string;
}

function cleanLabels(input: CategoryLabels): CategoryLabels {
	const labelZh = input.labelZh.normalize('NFKC').trim();
	const labelEn = input.labelEn.normalize('NFKC').trim();
	if (!labelZh) throw new NeedCategoryError('category.labelRequired');
	if ([...labelZh].length > CATEGORY_LABEL_MAX || [...labelEn].length > CATEGORY_LABEL_MAX * 2) throw new NeedCategoryError('category.labelTooLong', { max: CATEGORY_LABEL_MAX });
	return { labelZh, labelEn };
}

/** Writes the built-in list out for a district that has none yet; a no-op otherwise. */
async function materialise(tx: DbOrTx, districtId: string): Promise<void> {
	// Serialises concurrent first edits of one district: both would otherwise see no rows.
	await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${'need_categories:' + districtId}))`);
	const [existing] = await tx.select({ key: needCategories.key }).from(needCategories).where(eq(needCategories.districtId, districtId)).limit(1);
	if (existing) return;
	await tx.insert(needCategories).values(DEFAULT_NEED_CATEGORIES.map((c, i) => ({ districtId, key: c.key, labelZh: c.labelZh, labelEn: c.labelEn, position: i + 1 })));
}

async function listRows(tx: DbOrTx, districtId: string) {
	return tx.select().from(needCategories).where(eq(needCategories.districtId, districtId)).orderBy(asc(needCategories.position), asc(needCategories.createdAt));
}

function assertLabelFree(rows: { key: string; labelZh: string }[], labelZh: string, exceptKey?: string): void {
	if (rows.some((r) => r.key !== exceptKey && r.labelZh === labelZh)) throw new NeedCategoryError('category.labelTaken', { label: labelZh });
}

async function audit(tx: DbOrTx, actorId: string, action: string, districtId: string, details: Record<string, unknown>): Promise<void> {
	await tx.insert(auditLog).values({ actorId, action, subject: `district:${districtId}`, details });
}

/** A short generated key; labels are edited freely, keys never change. */
function newKey(): string {
	return `c-${crypto.randomUUID().replace(/-/g, '').slice(0, 10)}`;
}

export async function addNeedCategory(db: DbOrTx, actorId: string, districtId: string, input: CategoryLabels): Promise<NeedCategory> {
	const labels = cleanLabels(input);
	return db.transaction(async (tx) => {
		await materialise(tx, districtId);
		const rows = await listRows(tx, districtId);
		assertLabelFree(rows, labels.labelZh);
		const key = newKey();
		// "Other" stays last: a new category goes just before it.
		const other = rows.find((r) => r.key === OTHER_CATEGORY);
		const position = other ? other.position : Math.max(0, ...rows.map((r) => r.position)) + 1;
		if (other) await tx.update(needCategories).set({ position: other.position + 1 }).where(eq(needCategories.id, other.id));
		await tx.insert(needCategories).values({ districtId, key, ...labels, position });
		await audit(tx, actorId, 'category.add', districtId, { key, ...labels });
		return { key, ...labels, archived: false };
	});
}

async function findRow(tx: DbOrTx, districtId: string, key: string) {
	const [row] = await tx
		.select()
		.from(needCategories)
		.where(and(eq(needCategories.districtId, districtId), eq(needCategories.key, key)))
		.limit(1);
	if (!row) throw new NeedCategoryError('category.notFound');
	return row;
}

export async function relabelNeedCategory(db: DbOrTx, actorId: string, districtId: string, key: string, input: CategoryLabels): Promise<void> {
	const labels = cleanLabels(input);
	await db.transaction(async (tx) => {
		await materialise(tx, districtId);
		const row = await findRow(tx, districtId, key);
		assertLabelFree(await listRows(tx, districtId), labels.labelZh, key);
		await tx.update(needCategories).set(labels).where(eq(needCategories.id, row.id));
		await audit(tx, actorId, 'category.relabel', districtId, { key, from: { labelZh: row.labelZh, labelEn: row.labelEn }, to: labels });
	});
}

/** Archived categories stay readable on old cards but are no longer offered for new ones. */
export async function setNeedCategoryArchived(db: DbOrTx, actorId: string, districtId: string, key: string, archived: boolean): Promise<void> {
	if (key === OTHER_CATEGORY) throw new NeedCategoryError('category.otherIsFixed');
	await db.transaction(async (tx) => {
		await materialise(tx, districtId);
		const row = await findRow(tx, districtId, key);
		if (row.archived === archived) return;
		await tx.update(needCategories).set({ archived }).where(eq(needCategories.id, row.id));
		await audit(tx, actorId, archived ? 'category.archive' : 'category.restore', districtId, { key });
	});
}

/** Swaps a category with its neighbour above (-1) or below (+1); the order is the boards' column order. */
export async function moveNeedCategory(db: DbOrTx, actorId: string, districtId: string, key: string, step: -1 | 1): Promise<void> {
	await db.transaction(async (tx) => {
		await materialise(tx, districtId);
		const rows = await listRows(tx, districtId);
		const i = rows.findIndex((r) => r.key === key);
		if (i < 0) throw new NeedCategoryError('category.notFound');
		const other = rows[i + step];
		const self = rows[i]!;
		if (!other) return;
		// Renumber everything so equal positions (from concurrent adds) cannot make the swap a no-op.
		const order = rows.map((r) => r.id);
		order[i] = other.id;
		order[i + step] = self.id;
		for (const [n, id] of order.entries()) await tx.update(needCategories).set({ position: n + 1 }).where(eq(needCategories.id, id));
		await audit(tx, actorId, 'category.move', districtId, { key, step });
	});
}
