import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import { updateYFragment, yXmlFragmentToProsemirrorJSON } from '@tiptap/y-tiptap';
import type * as Y from 'yjs';
import { BULLETIN_FIELD, bulletinDocName, bulletinSchema, periodLabel } from '../docs/bulletin';
import { bulletinDraft, bulletinTitle, figuresDate, quarterName, refreshedBulletin, type BulletinFigures, type Quarter } from '../domain/bulletin';
import { chinaToday } from '../domain/projectStatus';
import { RECORD_FORMAT, type PmNode, type RecordBody } from '../domain/record';
import { recordAudit } from './audit';
import type { SessionUser } from './auth/session';
import { collabControl } from './collabControl';
import { addFences, removeFences } from './docFence';
import { roleOf, getCommittee } from './committee';
import { loadDashboard } from './dashboard';
import type { Db, DbOrTx } from './db';
import { bulletins, committees, districts, records, streets, communities, users, type BulletinState } from './db/schema';
import { editDocument, readDocument } from './liveEdit';
import { isUuid } from './meeting';
import { plainText } from './minutes';
import { DomainError } from './organisation';
import { nextRecordNumber, writeRecord, type RecordRef } from './record';

/*
 * Quarterly supervision bulletins (季度督查通报): drafted from the tracked items' figures into a
 * live document, co-edited, refreshed (generated parts only), frozen into the record with their
 * own numbering series (督查通报〔2026〕第2号), reopened with a reason.
 */

export type BulletinErrorKey =
	| 'bulletin.error.notFound'
	| 'bulletin.error.notAllowed'
	| 'bulletin.error.badPeriod'
	| 'bulletin.error.exists'
	| 'bulletin.error.frozen'
	| 'bulletin.error.notFrozen'
	| 'bulletin.error.empty'
	| 'bulletin.error.invalid'
	| 'bulletin.error.reasonRequired'
	| 'bulletin.error.reasonTooLong';

export class BulletinError extends DomainError {
	constructor(key: BulletinErrorKey, params: Record<string, string | number> = {}) {
		super(key, params);
		this.name = 'BulletinError';
	}
}

export const REASON_MAX = 500;

export interface Scope {
	id: string;
	name: string;
	district: boolean;
	districtId: string;
	committeeId: string | null;
	committeeKind: 'community' | 'street' | null;
}

export interface BulletinRow {
	id: string;
	scopeId: string;
	committeeId: string | null;
	year: number;
	quarter: Quarter;
	state: BulletinState;
	figuresAsOf: string;
	figuresAt: Date;
	createdAt: Date;
	docName: string;
	period: string;
}

/** A committee, or a district, as the scope of a bulletin; null when neither. */
export async function bulletinScope(db: DbOrTx, scopeId: string): Promise<Scope | null> {
	if (!isUuid(scopeId)) return null;
	const committee = await getCommittee(db, scopeId);
	if (committee) return { id: committee.id, name: committee.name, district: false, districtId: committee.districtId, committeeId: committee.id, committeeKind: committee.kind };
	const [district] = await db.select({ id: districts.id, name: districts.name }).from(districts).where(eq(districts.id, scopeId));
	return district ? { id: district.id, name: district.name, district: true, districtId: district.id, committeeId: null, committeeKind: null } : null;
}

/** Who drafts, refreshes, freezes and reopens: a committee's convener or recorder, or an administrator; a district's, administrators. */
export async function mayManageBulletin(db: DbOrTx, user: Pick<SessionUser, 'id' | 'isAdmin'>, scope: Scope): Promise<boolean> {
	if (user.isAdmin) return true;
	if (scope.district) return false;
	const role = await roleOf(db, user.id, scope.id);
	return role === 'convener' || role === 'recorder';
}

/** Who reads a bulletin: anyone in the committee (or an administrator); a district's, administrators. */
export async function mayReadBulletin(db: DbOrTx, user: Pick<SessionUser, 'id' | 'isAdmin'>, scope: Scope): Promise<boolean> {
	if (user.isAdmin) return true;
	if (scope.district) return false;
	return (await roleOf(db, user.id, scope.id)) !== null;
}

const toRow = (r: typeof bulletins.$inferSelect): BulletinRow => ({
	id: r.id,
	scopeId: r.scopeId,
	committeeId: r.committeeId,
	year: r.year,
	quarter: r.quarter as Quarter,
	state: r.state,
	figuresAsOf: r.figuresAsOf,
	figuresAt: r.figuresAt,
	createdAt: r.createdAt,
	docName: bulletinDocName(r.scopeId, r.year, r.quarter as Quarter),
	period: periodLabel(r.year, r.quarter as Quarter)
});

export async function getBulletin(db: DbOrTx, scopeId: string, year: number, quarter: Quarter): Promise<BulletinRow | null> {
	if (!isUuid(scopeId)) return null;
	const [row] = await db
		.select()
		.from(bulletins)
		.where(and(eq(bulletins.scopeId, scopeId), eq(bulletins.year, year), eq(bulletins.quarter, quarter)));
	return row ? toRow(row) : null;
}

export async function listBulletins(db: DbOrTx, scopeIds: string[]): Promise<BulletinRow[]> {
	if (scopeIds.length === 0) return [];
	const rows = await db.select().from(bulletins).where(inArray(bulletins.scopeId, scopeIds)).orderBy(desc(bulletins.year), desc(bulletins.quarter));
	return rows.map(toRow);
}

/** The figures of a scope's quarter, from the same tables as the dashboards. */
export async function bulletinFigures(db: DbOrTx, scope: Scope, year: number, quarter: Quarter, asOf: string): Promise<BulletinFigures> {
	let committeeIds: string[];
	if (scope.district) {
		const rows = await db
			.select({ id: committees.id })
			.from(committees)
			.leftJoin(streets, eq(streets.id, committees.streetId))
			.leftJoin(communities, eq(communities.id, committees.communityId))
			.where(sql`coalesce(${streets.districtId}, (select s2.district_id from ${streets} s2 where s2.id = ${communities.streetId})) = ${scope.districtId}`);
		committeeIds = rows.map((r) => r.id);
	} else {
		committeeIds = [scope.id];
	}
	const d = await loadDashboard(db, committeeIds, { year, level: '', unitId: '', status: '' }, asOf);
	return {
		scopeName: scope.name,
		district: scope.district,
		year,
		quarter,
		asOf,
		total: d.total,
		done: d.byStatus.done,
		inProgress: d.byStatus.in_progress,
		notStarted: d.byStatus.not_started,
		overdue: d.byStatus.overdue,
		onHold: d.byStatus.on_hold,
		missing: d.missing.length,
		completion: d.completion,
		perUnit: d.perUnit.map((u) => ({ unitName: u.unitName, total: u.total, done: u.done, inProgress: u.inProgress, overdue: u.overdue, missing: u.missing, completion: u.completion })),
		perCommittee: d.perCommittee.map((c) => ({ name: c.name, total: c.total, done: c.done, overdue: c.overdue, missing: c.missing, completion: c.completion })),
		overdueItems: d.overdue.map((o) => ({ title: o.title, committeeName: o.committeeName, units: o.units, dueDate: o.dueDate, days: o.days })),
		missingReports: d.missing.map((m) => ({ title: m.title, unitName: m.unitName, month: m.month }))
	};
}

/** Replaces the document's content with `json` through the same diff the editor uses, so untouched blocks stay the same Yjs items. */
function writeContent(doc: Y.Doc, json: PmNode): void {
	const fragment = doc.getXmlFragment(BULLETIN_FIELD);
	updateYFragment(doc, fragment, bulletinSchema().nodeFromJSON(json), { mapping: new Map(), isOMark: new Map() });
}

function currentContent(doc: Y.Doc): PmNode {
	return yXmlFragmentToProsemirrorJSON(doc.getXmlFragment(BULLETIN_FIELD)) as PmNode;
}

async function loadManaged(db: DbOrTx, actor: Pick<SessionUser, 'id' | 'isAdmin'>, scopeId: string) {
	const scope = await bulletinScope(db, scopeId);
	if (!scope) throw new BulletinError('bulletin.error.notFound');
	if (!(await mayManageBulletin(db, actor, scope))) throw new BulletinError('bulletin.error.notAllowed');
	return scope;
}

function checkPeriod(year: number, quarter: number, today: string): asserts quarter is Quarter {
	if (!Number.isInteger(year) || !Number.isInteger(quarter) || quarter < 1 || quarter > 4 || year < 2000 || year > 2100) throw new BulletinError('bulletin.error.badPeriod');
	// A quarter that has not begun has nothing to report on.
	const startsOn = `${year}-${String((quarter - 1) * 3 + 1).padStart(2, '0')}-01`;
	if (startsOn > today) throw new BulletinError('bulletin.error.badPeriod');
}

/**
 * Drafts the bulletin of a scope's quarter: the row, then the live document pre-filled with the
 * figures as of the quarter's end (or today). A second draft of the same quarter is refused.
 */
export async function draftBulletin(db: Db, actor: Pick<SessionUser, 'id' | 'isAdmin'>, input: { scopeId: string; year: number; quarter: number }, today = chinaToday()): Promise<BulletinRow> {
	checkPeriod(input.year, input.quarter, today);
	const quarter = input.quarter;
	const scope = await loadManaged(db, actor, input.scopeId);
	const asOf = figuresDate(input.year, quarter, today);
	const figures = await bulletinFigures(db, scope, input.year, quarter, asOf);
	const row = await db.transaction(async (tx) => {
		const [created] = await tx
			.insert(bulletins)
			.values({ scopeId: scope.id, districtId: scope.districtId, committeeId: scope.committeeId, year: input.year, quarter, figuresAsOf: asOf, createdBy: actor.id })
			.onConflictDoNothing()
			.returning();
		if (!created) throw new BulletinError('bulletin.error.exists');
		await recordAudit(tx, { actorId: actor.id, action: 'bulletin.drafted', subject: `bulletin/${created.id}`, details: { scopeId: scope.id, year: input.year, quarter, asOf } });
		return toRow(created);
	});
	// After the row commits: the document's name only opens once the row exists. Should this
	// write fail, "refresh figures" lays the draft out again (an empty document gets the whole draft).
	await editDocument(db, row.docName, (doc) => {
		const current = currentContent(doc);
		writeContent(doc, (current.content ?? []).length === 0 ? bulletinDraft(figures) : refreshedBulletin(current, figures));
	});
	return row;
}

/** Recomputes the figures and replaces only the generated parts; what people wrote stays. */
export async function refreshBulletin(db: Db, actor: Pick<SessionUser, 'id' | 'isAdmin'>, bulletinId: string, today = chinaToday()): Promise<BulletinRow> {
	const row = await bulletinById(db, bulletinId);
	const scope = await loadManaged(db, actor, row.scopeId);
	if (row.state === 'frozen') throw new BulletinError('bulletin.error.frozen');
	const asOf = figuresDate(row.year, row.quarter, today);
	const figures = await bulletinFigures(db, scope, row.year, row.quarter, asOf);
	await editDocument(db, row.docName, (doc) => {
		const current = currentContent(doc);
		writeContent(doc, (current.content ?? []).length === 0 ? bulletinDraft(figures) : refreshedBulletin(current, figures));
	});
	await db.transaction(async (tx) => {
		await tx.update(bulletins).set({ figuresAsOf: asOf, figuresAt: new Date() }).where(eq(bulletins.id, row.id));
		await recordAudit(tx, { actorId: actor.id, action: 'bulletin.refreshed', subject: `bulletin/${row.id}`, details: { asOf } });
	});
	return { ...row, figuresAsOf: asOf };
}

export async function bulletinById(db: DbOrTx, id: string): Promise<BulletinRow> {
	if (!isUuid(id)) throw new BulletinError('bulletin.error.notFound');
	const [row] = await db.select().from(bulletins).where(eq(bulletins.id, id));
	if (!row) throw new BulletinError('bulletin.error.notFound');
	return toRow(row);
}

/**
 * Freezes the bulletin into the record: the document stops taking writes, its stored content
 * is read and numbered (督查通报〔year〕第n号, or the next version after a reopen) in one
 * transaction with the state change.
 */
export async function freezeBulletin(db: Db, actor: Pick<SessionUser, 'id' | 'isAdmin'>, bulletinId: string): Promise<RecordRef> {
	const first = await bulletinById(db, bulletinId);
	const scope = await loadManaged(db, actor, first.scopeId);
	const docs = [first.docName];
	await collabControl().freeze(docs);
	try {
		const ref = await db.transaction(async (tx) => {
			await tx.execute(sql`select id from ${bulletins} where ${bulletins.id} = ${bulletinId} for update`);
			const row = await bulletinById(tx, bulletinId);
			if (row.state === 'frozen') throw new BulletinError('bulletin.error.frozen');
			const content = await readDocument(tx, row.docName, currentContent);
			if (!content.content?.length || plainText(content).trim() === '') throw new BulletinError('bulletin.error.empty');
			try {
				bulletinSchema().nodeFromJSON(content).check();
			} catch (err) {
				throw new BulletinError('bulletin.error.invalid', { detail: (err as Error).message });
			}
			const [who] = await tx.select({ name: users.displayName }).from(users).where(eq(users.id, actor.id));
			const number = await nextRecordNumber(tx, { scopeId: scope.id, kind: 'bulletin', year: row.year, subjectId: row.id });
			const finalizedAt = new Date();
			const firstHeading = content.content[0]?.type === 'heading' ? plainText(content.content[0]).trim() : '';
			const title = firstHeading || bulletinTitle({ scopeName: scope.name, year: row.year, quarter: row.quarter });
			const body: RecordBody = {
				format: RECORD_FORMAT,
				kind: 'bulletin',
				...number,
				committee: { id: scope.id, name: scope.name, kind: scope.committeeKind ?? 'district' },
				meeting: { id: row.id, title: `${row.year}年${quarterName(row.quarter)}督查通报`, kind: 'regular', startsAt: new Date(`${row.figuresAsOf}T00:00:00+08:00`).toISOString(), place: '' },
				attendance: null,
				content,
				decisions: [],
				opinions: [],
				confirmations: [],
				override: null,
				finalizedBy: who?.name ?? '',
				finalizedAt: finalizedAt.toISOString()
			};
			const ref = await writeRecord(tx, { scopeId: scope.id, districtId: scope.districtId, committeeId: scope.committeeId, meetingId: null, subjectId: row.id, title, body });
			await tx.update(bulletins).set({ state: 'frozen' }).where(eq(bulletins.id, row.id));
			await addFences(tx, [row.docName]);
			await recordAudit(tx, { actorId: actor.id, action: 'bulletin.frozen', subject: `bulletin/${row.id}`, details: { record: ref.id, year: ref.year, seq: ref.seq, version: ref.version, sha256: ref.sha256 } });
			return ref;
		});
		collabControl().reconnect(docs);
		return ref;
	} catch (err) {
		// Not when another freeze of the same bulletin won meanwhile (bulletin.error.frozen): its fence must stay.
		const now = await bulletinById(db, bulletinId).catch((readErr: unknown) => {
			console.error(`[bulletin] could not read ${bulletinId} after a failed freeze; its document stays frozen:`, readErr);
			return null;
		});
		if (now?.state === 'draft') await collabControl()
			.thaw(docs)
			.catch((thawErr: unknown) => console.error(`[bulletin] freezing ${bulletinId} failed and its document could not be thawed (it stays read-only until reopened or frozen again):`, thawErr));
		throw err;
	}
}

/** Reopens a frozen bulletin for corrections, with a written reason; freezing it again makes the next version. */
export async function reopenBulletin(db: Db, actor: Pick<SessionUser, 'id' | 'isAdmin'>, bulletinId: string, rawReason: string): Promise<void> {
	const reason = rawReason.trim();
	if (!reason) throw new BulletinError('bulletin.error.reasonRequired');
	if (reason.length > REASON_MAX) throw new BulletinError('bulletin.error.reasonTooLong', { max: REASON_MAX });
	const row = await bulletinById(db, bulletinId);
	await loadManaged(db, actor, row.scopeId);
	await db.transaction(async (tx) => {
		const [updated] = await tx.update(bulletins).set({ state: 'draft' }).where(and(eq(bulletins.id, row.id), eq(bulletins.state, 'frozen'))).returning({ id: bulletins.id });
		if (!updated) throw new BulletinError('bulletin.error.notFrozen');
		await removeFences(tx, [row.docName]);
		await recordAudit(tx, { actorId: actor.id, action: 'bulletin.reopened', subject: `bulletin/${row.id}`, details: { reason } });
	});
	await collabControl()
		.thaw([row.docName])
		.catch((err: unknown) => console.error(`[bulletin] reopened ${bulletinId}, but not every instance may have heard (they re-read fences when their notice listener reconnects):`, err));
	collabControl().reconnect([row.docName]);
}

/** The records a bulletin was frozen into, newest version first. */
export async function bulletinRecords(db: DbOrTx, bulletinId: string): Promise<{ id: string; version: number; seq: number; year: number }[]> {
	return db
		.select({ id: records.id, version: records.version, seq: records.seq, year: records.year })
		.from(records)
		.where(and(eq(records.subjectId, bulletinId), eq(records.kind, 'bulletin')))
		.orderBy(desc(records.version));
}
