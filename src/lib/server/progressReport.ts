import { createHash } from 'node:crypto';
import { and, asc, desc, eq, inArray, isNull, ne } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { DbOrTx } from './db';
import { committeeSettings, memberships, progressReports, projectItems, projectItemUnits, reportAttachments, units, users, type AttachmentMimeType } from './db/schema';
import {
	DEFAULT_REPORT_DAY,
	chinaToday,
	dueMonth,
	expectsReports,
	isFutureMonth,
	isMonth,
	lastClosedMonth,
	reportMissing,
	reportState,
	reportWindow,
	windowClosed,
	type MissingReport,
	type ReportState
} from '../domain/projectStatus';
import { recordAudit } from './audit';
import { lockProjectItem, mayManageProjectItem, projectItemsOfCommittee, projectSubject, ProjectItemError, getProjectItems, type Actor, type ProjectItemView } from './projectItem';
import { visibleCommittee } from './visibility';

/*
 * Monthly progress reports (按月督查): each responsible unit reports on each item once a month —
 * what was done, a percentage, problems, help needed — with a few images or PDFs.
 *
 * Who files: a person whose seat in the item's committee represents one of the item's units
 * (memberships.unit_id; observers excluded), or the convener / recorder / an administrator on a
 * unit's behalf. The unit may amend its report on a month until that month's window closes
 * (the committee's report day of the next month); a first report may still be filed late, and
 * counts as late. After the window only the convener or recorder corrects a report; every filing
 * and correction is audited on the item.
 *
 * Attachments are stored in the database (bytea): one backup covers everything and several
 * instances need no shared disk. Their type is decided by their first bytes, not by the name or
 * the type the browser declared, and a refusal stores nothing — not even the report.
 */

export const REPORT_TEXT_MAX = { done: 2000, problems: 2000, helpNeeded: 1000 } as const;
export const ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024;
export const ATTACHMENTS_PER_REPORT = 5;
export const FILENAME_MAX = 200;

/** What a unit reports on a month. */
export interface ReportFields {
	/** The unit reported for; may be left out when the person represents exactly one responsible unit. */
	unitId?: string;
	/** 本月完成情况 (required). */
	done: string;
	/** Whole percentage 0–100. */
	progress: number;
	/** 存在问题. */
	problems?: string;
	/** 需协调事项: flagged for the next meeting's agenda. */
	helpNeeded?: string;
	/** Attachments of an amended report to drop. */
	removeAttachmentIds?: string[];
}

/** A file as received (a form's File or an API upload), before any check. */
export interface AttachmentUpload {
	filename: string;
	/** The type the client claimed; checked against the content, never trusted. */
	declaredType: string;
	data: Uint8Array;
}

export interface AttachmentInfo {
	id: string;
	filename: string;
	mimeType: AttachmentMimeType;
	size: number;
	sha256: string;
	createdAt: Date;
}

export interface ProgressReportView {
	id: string;
	projectItemId: string;
	unitId: string;
	unitName: string;
	month: string;
	done: string;
	progress: number;
	problems: string;
	helpNeeded: string;
	submittedBy: string | null;
	submittedByName: string | null;
	submittedAt: Date;
	updatedBy: string | null;
	updatedByName: string | null;
	updatedAt: Date;
	/** Last day the report was on time. */
	deadline: string;
	/** First filed after the deadline. */
	late: boolean;
	attachments: AttachmentInfo[];
}

// ---------------------------------------------------------------- attachments

/** The type a file's first bytes say it is, among the accepted ones; null for anything else. */
export function sniffAttachmentType(data: Uint8Array): AttachmentMimeType | null {
	const starts = (bytes: number[], at = 0) => data.length >= at + bytes.length && bytes.every((b, i) => data[at + i] === b);
	if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
	if (starts([0xff, 0xd8, 0xff])) return 'image/jpeg';
	if (starts([0x52, 0x49, 0x46, 0x46]) && starts([0x57, 0x45, 0x42, 0x50], 8)) return 'image/webp';
	if (starts([0x25, 0x50, 0x44, 0x46, 0x2d])) return 'application/pdf';
	return null;
}

/** Declared types that mean "don't know": the content decides alone. */
const VAGUE_TYPES = new Set(['', 'application/octet-stream', 'binary/octet-stream']);
const TYPE_ALIASES: Record<string, string> = { 'image/jpg': 'image/jpeg', 'image/pjpeg': 'image/jpeg', 'application/x-pdf': 'application/pdf' };

interface CheckedAttachment {
	filename: string;
	mimeType: AttachmentMimeType;
	size: number;
	sha256: string;
	data: Uint8Array;
}

/** Keeps only the last path segment (some browsers send "C:\fakepath\x.png") and control-free text. */
function cleanFilename(raw: string): string {
	const last = raw.split(/[\\/]/).pop() ?? '';
	return last.replace(/[\u0000-\u001f\u007f]/g, '').trim();
}

/** Checks one upload; the error names the file so the person knows which one to replace. */
export function checkAttachment(upload: AttachmentUpload): CheckedAttachment {
	const filename = cleanFilename(typeof upload.filename === 'string' ? upload.filename : '');
	if (!filename || filename.length > FILENAME_MAX) throw new ProjectItemError('project.attachment.badName', { max: FILENAME_MAX });
	const data = upload.data;
	if (!(data instanceof Uint8Array) || data.byteLength === 0) throw new ProjectItemError('project.attachment.empty', { name: filename });
	if (data.byteLength > ATTACHMENT_MAX_BYTES) throw new ProjectItemError('project.attachment.tooLarge', { name: filename, max: ATTACHMENT_MAX_BYTES / 1024 / 1024 });
	const sniffed = sniffAttachmentType(data);
	const declared = (typeof upload.declaredType === 'string' ? upload.declaredType : '').split(';')[0]!.trim().toLowerCase();
	const normalised = TYPE_ALIASES[declared] ?? declared;
	if (!sniffed || (!VAGUE_TYPES.has(normalised) && normalised !== sniffed)) throw new ProjectItemError('project.attachment.badType', { name: filename });
	return { filename, mimeType: sniffed, size: data.byteLength, sha256: createHash('sha256').update(data).digest('hex'), data };
}

// ---------------------------------------------------------------- settings

/** The committee's report day (reports on a month are due by that day of the next month). */
export async function reportDayOf(db: DbOrTx, committeeId: string): Promise<number> {
	const [row] = await db.select({ day: committeeSettings.reportDay }).from(committeeSettings).where(eq(committeeSettings.committeeId, committeeId)).limit(1);
	return row?.day ?? DEFAULT_REPORT_DAY;
}

/** Sets the report day (1–28); the convener, recorder or an administrator. */
export async function setReportDay(db: DbOrTx, actor: Actor, committeeId: string, day: number): Promise<void> {
	if (!Number.isInteger(day) || day < 1 || day > 28) throw new ProjectItemError('project.report.badReportDay');
	if (!(await mayManageProjectItem(db, actor, committeeId))) throw new ProjectItemError('project.error.notAllowed');
	await db.transaction(async (tx) => {
		const previous = await reportDayOf(tx, committeeId);
		await tx
			.insert(committeeSettings)
			.values({ committeeId, reportDay: day })
			.onConflictDoUpdate({ target: committeeSettings.committeeId, set: { reportDay: day, updatedAt: new Date() } });
		await recordAudit(tx, { actorId: actor.id, action: 'committee.reportDay', subject: `committee/${committeeId}`, details: { from: previous, to: day } });
	});
}

// ---------------------------------------------------------------- filing

function text(value: unknown, field: keyof typeof REPORT_TEXT_MAX, labelKey: string): string {
	const v = typeof value === 'string' ? value.trim() : '';
	if (v.length > REPORT_TEXT_MAX[field]) throw new ProjectItemError('project.report.tooLong', { field: labelKey, max: REPORT_TEXT_MAX[field] });
	return v;
}

/** Units the person represents in a committee (one seat, so at most one; observers represent none). */
async function representedUnit(db: DbOrTx, userId: string, committeeId: string): Promise<string | null> {
	const [row] = await db
		.select({ unitId: memberships.unitId })
		.from(memberships)
		.where(and(eq(memberships.userId, userId), eq(memberships.committeeId, committeeId), ne(memberships.role, 'observer')))
		.limit(1);
	return row?.unitId ?? null;
}

/**
 * Files (or amends) `fields.unitId`'s report on `month` for an item, with attachments, in one
 * transaction: either everything is stored or, on any refusal, nothing. The item's progress
 * becomes its latest report's (by month) and a first report moves it from not started to in
 * progress. Throws ProjectItemError with a `project.report.*`, `project.attachment.*` or
 * `project.error.*` key.
 */
export async function fileReport(
	db: DbOrTx,
	user: Actor,
	itemId: string,
	month: string,
	fields: ReportFields,
	attachments: AttachmentUpload[] = [],
	today: string = chinaToday()
): Promise<ProgressReportView> {
	if (typeof month !== 'string' || !isMonth(month)) throw new ProjectItemError('project.report.badMonth', { value: String(month) });
	if (isFutureMonth(month, today)) throw new ProjectItemError('project.report.futureMonth');
	const progress = fields.progress;
	if (typeof progress !== 'number' || !Number.isInteger(progress) || progress < 0 || progress > 100) throw new ProjectItemError('project.report.badProgress');
	const done = text(fields.done, 'done', 'project.report.field.done');
	if (!done) throw new ProjectItemError('project.report.doneRequired');
	const problems = text(fields.problems, 'problems', 'project.report.field.problems');
	const helpNeeded = text(fields.helpNeeded, 'helpNeeded', 'project.report.field.helpNeeded');
	if (attachments.length > ATTACHMENTS_PER_REPORT) throw new ProjectItemError('project.attachment.tooMany', { max: ATTACHMENTS_PER_REPORT });
	const files = attachments.map(checkAttachment);
	const remove = [...new Set(fields.removeAttachmentIds ?? [])];

	return db.transaction(async (tx) => {
		const item = await lockProjectItem(tx, itemId);
		const manager = await mayManageProjectItem(tx, user, item.committeeId);
		const own = await representedUnit(tx, user.id, item.committeeId);
		const responsible = (await tx.select({ unitId: projectItemUnits.unitId }).from(projectItemUnits).where(eq(projectItemUnits.projectItemId, itemId))).map((r) => r.unitId);
		let unitId: string;
		if (fields.unitId) {
			if (!manager && own !== fields.unitId) throw new ProjectItemError('project.report.notAllowed');
			if (!responsible.includes(fields.unitId)) throw new ProjectItemError('project.report.unitNotResponsible');
			unitId = fields.unitId;
		} else if (own && responsible.includes(own)) {
			unitId = own;
		} else {
			throw new ProjectItemError(manager ? 'project.report.unitRequired' : 'project.report.notAllowed');
		}
		// After the permission, as for the other changes: someone who may not report is told so, not that the item is withdrawn.
		if (item.withdrawnAt) throw new ProjectItemError('project.error.withdrawn');
		const createdMonth = chinaToday(item.createdAt).slice(0, 7);
		if (month < createdMonth) throw new ProjectItemError('project.report.beforeItem', { month: createdMonth });

		const reportDay = await reportDayOf(tx, item.committeeId);
		const [existing] = await tx
			.select({ id: progressReports.id })
			.from(progressReports)
			.where(and(eq(progressReports.projectItemId, itemId), eq(progressReports.unitId, unitId), eq(progressReports.month, month)));
		if (existing && !manager && windowClosed(month, reportDay, today)) {
			throw new ProjectItemError('project.report.windowClosed', { month, deadline: reportWindow(month, reportDay).deadline });
		}
		const now = new Date();
		let reportId: string;
		if (existing) {
			reportId = existing.id;
			await tx.update(progressReports).set({ done, progress, problems, helpNeeded, updatedBy: user.id, updatedAt: now }).where(eq(progressReports.id, reportId));
		} else {
			const [row] = await tx
				.insert(progressReports)
				.values({ projectItemId: itemId, unitId, month, done, progress, problems, helpNeeded, submittedBy: user.id, submittedAt: now, updatedBy: user.id, updatedAt: now })
				.returning({ id: progressReports.id });
			reportId = row!.id;
		}
		if (remove.length > 0) await tx.delete(reportAttachments).where(and(eq(reportAttachments.reportId, reportId), inArray(reportAttachments.id, remove)));
		const kept = await tx.select({ id: reportAttachments.id }).from(reportAttachments).where(eq(reportAttachments.reportId, reportId));
		if (kept.length + files.length > ATTACHMENTS_PER_REPORT) throw new ProjectItemError('project.attachment.tooMany', { max: ATTACHMENTS_PER_REPORT });
		for (const f of files) {
			await tx.insert(reportAttachments).values({ reportId, filename: f.filename, mimeType: f.mimeType, size: f.size, sha256: f.sha256, data: f.data, uploadedBy: user.id });
		}

		// The item shows the newest month's figure; a correction of an older month leaves it alone.
		const [latest] = await tx
			.select({ progress: progressReports.progress })
			.from(progressReports)
			.where(eq(progressReports.projectItemId, itemId))
			.orderBy(desc(progressReports.month), desc(progressReports.updatedAt))
			.limit(1);
		const itemChanges: Partial<typeof projectItems.$inferInsert> = {};
		if (item.status !== 'done' && latest && latest.progress !== item.progress) itemChanges.progress = latest.progress;
		if (item.status === 'not_started') itemChanges.status = 'in_progress';
		if (Object.keys(itemChanges).length > 0) await tx.update(projectItems).set({ ...itemChanges, updatedAt: now }).where(eq(projectItems.id, itemId));
		if (itemChanges.status) {
			await recordAudit(tx, { actorId: user.id, action: 'project.status', subject: projectSubject(itemId), details: { from: item.status, to: itemChanges.status, reason: '', source: 'report' } });
		}
		await recordAudit(tx, {
			actorId: user.id,
			action: 'project.report',
			subject: projectSubject(itemId),
			details: { reportId, unitId, month, progress, amended: Boolean(existing), attachments: files.length, removedAttachments: remove.length, onBehalf: own !== unitId }
		});
		const [view] = await reportViews(tx, [itemId], { reportId });
		if (!view) throw new Error(`report ${reportId} vanished inside its own transaction`);
		return view;
	});
}

// ---------------------------------------------------------------- reading

const submitter = alias(users, 'submitter');
const updater = alias(users, 'updater');

async function reportViews(db: DbOrTx, itemIds: string[], only: { reportId?: string; month?: string } = {}): Promise<ProgressReportView[]> {
	if (itemIds.length === 0) return [];
	const rows = await db
		.select({ report: progressReports, unitName: units.name, submittedByName: submitter.displayName, updatedByName: updater.displayName, committeeId: projectItems.committeeId })
		.from(progressReports)
		.innerJoin(units, eq(units.id, progressReports.unitId))
		.innerJoin(projectItems, eq(projectItems.id, progressReports.projectItemId))
		.leftJoin(submitter, eq(submitter.id, progressReports.submittedBy))
		.leftJoin(updater, eq(updater.id, progressReports.updatedBy))
		.where(
			and(
				inArray(progressReports.projectItemId, itemIds),
				only.reportId ? eq(progressReports.id, only.reportId) : undefined,
				only.month ? eq(progressReports.month, only.month) : undefined
			)
		)
		.orderBy(desc(progressReports.month), asc(units.name));
	const ids = rows.map((r) => r.report.id);
	const files =
		ids.length === 0
			? []
			: await db
					.select({
						reportId: reportAttachments.reportId,
						id: reportAttachments.id,
						filename: reportAttachments.filename,
						mimeType: reportAttachments.mimeType,
						size: reportAttachments.size,
						sha256: reportAttachments.sha256,
						createdAt: reportAttachments.createdAt
					})
					.from(reportAttachments)
					.where(inArray(reportAttachments.reportId, ids))
					.orderBy(asc(reportAttachments.createdAt), asc(reportAttachments.filename));
	const days = new Map<string, number>();
	for (const committeeId of new Set(rows.map((r) => r.committeeId))) days.set(committeeId, await reportDayOf(db, committeeId));
	return rows.map(({ report: r, unitName, submittedByName, updatedByName, committeeId }) => {
		const deadline = reportWindow(r.month, days.get(committeeId) ?? DEFAULT_REPORT_DAY).deadline;
		return {
			id: r.id,
			projectItemId: r.projectItemId,
			unitId: r.unitId,
			unitName,
			month: r.month,
			done: r.done,
			progress: r.progress,
			problems: r.problems,
			helpNeeded: r.helpNeeded,
			submittedBy: r.submittedBy,
			submittedByName,
			submittedAt: r.submittedAt,
			updatedBy: r.updatedBy,
			updatedByName,
			updatedAt: r.updatedAt,
			deadline,
			late: chinaToday(r.submittedAt) > deadline,
			attachments: files.filter((f) => f.reportId === r.id).map(({ reportId: _, ...info }) => info)
		};
	});
}

/**
 * An item's reports, newest month first, with attachment metadata (never the bytes). No
 * permission check: callers show it only with the item, after checking the item is visible.
 */
export async function reportsOf(db: DbOrTx, itemId: string): Promise<ProgressReportView[]> {
	return reportViews(db, [itemId]);
}

export interface AttachmentContent extends Omit<AttachmentInfo, 'createdAt'> {
	data: Uint8Array;
}

/** An attachment's bytes, only for someone who may read the item (a member of its committee, or an administrator). */
/**
 * A report attachment for someone who may read its item. With `projectItemId` (a URL under an
 * item), an attachment of another item is absent too: a link must not work under any item's id.
 */
export async function attachment(db: DbOrTx, user: Actor, attachmentId: string, projectItemId?: string): Promise<AttachmentContent> {
	if (!/^[0-9a-f-]{36}$/i.test(attachmentId)) throw new ProjectItemError('project.attachment.notFound');
	const [row] = await db
		.select({
			id: reportAttachments.id,
			filename: reportAttachments.filename,
			mimeType: reportAttachments.mimeType,
			size: reportAttachments.size,
			sha256: reportAttachments.sha256,
			data: reportAttachments.data,
			committeeId: projectItems.committeeId,
			projectItemId: projectItems.id
		})
		.from(reportAttachments)
		.innerJoin(progressReports, eq(progressReports.id, reportAttachments.reportId))
		.innerJoin(projectItems, eq(projectItems.id, progressReports.projectItemId))
		.where(eq(reportAttachments.id, attachmentId));
	// Same answer for "absent" and "not yours": ids must not reveal what exists elsewhere.
	if (!row || (projectItemId !== undefined && row.projectItemId !== projectItemId)) throw new ProjectItemError('project.attachment.notFound');
	if (!(await visibleCommittee(db, user, row.committeeId))) throw new ProjectItemError('project.attachment.notFound');
	const { committeeId: _, projectItemId: __, ...content } = row;
	return content;
}

// ---------------------------------------------------------------- my items, missing reports

export interface MyItem {
	item: ProjectItemView;
	/** The responsible unit the person reports for on this item. */
	unitId: string;
	unitName: string;
	/** Whether the item still expects monthly reports (not done, on hold or withdrawn). */
	expectsReports: boolean;
	/** The month whose report is due next, its deadline and its state for this unit. */
	due: { month: string; deadline: string; state: ReportState; reportId: string | null };
	/** The last month whose window has closed, and whether this unit reported on it. */
	lastClosed: { month: string; deadline: string; state: ReportState } | null;
}

/**
 * "My items" for a unit contact: across every committee, the items one of whose responsible
 * units the person represents there, with this month's reporting state. Items not expecting
 * reports are included (shown as done / on hold), withdrawn ones are not.
 */
export async function myItems(db: DbOrTx, user: Actor, today: string = chinaToday()): Promise<MyItem[]> {
	const seats = await db
		.select({ committeeId: memberships.committeeId, unitId: memberships.unitId, unitName: units.name })
		.from(memberships)
		.innerJoin(units, eq(units.id, memberships.unitId))
		.where(and(eq(memberships.userId, user.id), ne(memberships.role, 'observer')));
	if (seats.length === 0) return [];
	const pairs = await db
		.select({ itemId: projectItemUnits.projectItemId, unitId: projectItemUnits.unitId, committeeId: projectItems.committeeId })
		.from(projectItemUnits)
		.innerJoin(projectItems, eq(projectItems.id, projectItemUnits.projectItemId))
		.where(and(inArray(projectItemUnits.unitId, seats.map((s) => s.unitId!)), isNull(projectItems.withdrawnAt)));
	const mine = pairs.filter((p) => seats.some((s) => s.committeeId === p.committeeId && s.unitId === p.unitId));
	if (mine.length === 0) return [];
	const items = new Map((await getProjectItems(db, [...new Set(mine.map((p) => p.itemId))])).map((i) => [i.id, i]));
	const reports = await db
		.select({ id: progressReports.id, itemId: progressReports.projectItemId, unitId: progressReports.unitId, month: progressReports.month })
		.from(progressReports)
		.where(inArray(progressReports.projectItemId, [...items.keys()]));
	const days = new Map<string, number>();
	const result: MyItem[] = [];
	for (const p of mine) {
		const item = items.get(p.itemId);
		if (!item) continue;
		if (!days.has(p.committeeId)) days.set(p.committeeId, await reportDayOf(db, p.committeeId));
		const day = days.get(p.committeeId)!;
		const filed = (month: string) => reports.find((r) => r.itemId === p.itemId && r.unitId === p.unitId && r.month === month) ?? null;
		const createdMonth = chinaToday(item.createdAt).slice(0, 7);
		// An item decided on the 3rd owes nothing on the previous month, whose window is still open.
		const dueOn = [dueMonth(today, day), createdMonth].sort()[1]!;
		const closed = lastClosedMonth(today, day);
		result.push({
			item,
			unitId: p.unitId,
			unitName: seats.find((s) => s.unitId === p.unitId)!.unitName,
			expectsReports: expectsReports({ status: item.status, withdrawn: item.withdrawn }),
			due: { month: dueOn, deadline: reportWindow(dueOn, day).deadline, state: reportState(dueOn, filed(dueOn) !== null, day, today), reportId: filed(dueOn)?.id ?? null },
			lastClosed: closed >= createdMonth ? { month: closed, deadline: reportWindow(closed, day).deadline, state: reportState(closed, filed(closed) !== null, day, today) } : null
		});
	}
	// Most urgent first: earliest deadline, then due date.
	return result.sort((a, b) => a.due.deadline.localeCompare(b.due.deadline) || (a.item.dueDate ?? '9999').localeCompare(b.item.dueDate ?? '9999'));
}

/** A committee's "report missing" list (未报送) on `today`, for its dashboard. */
export async function missingReports(db: DbOrTx, committeeId: string, today: string = chinaToday()): Promise<(MissingReport & { itemTitle: string; unitName: string })[]> {
	const day = await reportDayOf(db, committeeId);
	const month = lastClosedMonth(today, day);
	const items = await projectItemsOfCommittee(db, committeeId);
	if (items.length === 0) return [];
	const reports = await db
		.select({ projectItemId: progressReports.projectItemId, unitId: progressReports.unitId, month: progressReports.month })
		.from(progressReports)
		.where(and(inArray(progressReports.projectItemId, items.map((i) => i.id)), eq(progressReports.month, month)));
	const missing = reportMissing(
		items.map((i) => ({ id: i.id, status: i.status, createdOn: chinaToday(i.createdAt), withdrawn: i.withdrawn, unitIds: i.units.map((u) => u.id) })),
		reports,
		today,
		day
	);
	return missing.map((m) => {
		const item = items.find((i) => i.id === m.itemId)!;
		return { ...m, itemTitle: item.title, unitName: item.units.find((u) => u.id === m.unitId)?.name ?? '' };
	});
}
