import { error, type ActionFailure } from '@sveltejs/kit';
import { PROJECTS_DEPENDENCY } from '$lib/collab/dependencies';
import type { FieldError, FormState } from '$lib/components/admin/formState';
import { isMessageKey, translate, translator, type Locale } from '$lib/i18n';
import { monthLabel } from '$lib/components/project/format';
import { getDb } from '$lib/server/db';
import { requireUser } from '$lib/server/guard';
import { ATTACHMENT_MAX_BYTES, ATTACHMENTS_PER_REPORT, fileReport, REPORT_TEXT_MAX, reportsOf, type AttachmentUpload } from '$lib/server/progressReport';
import { claimItem, claimsOf, decideClaim } from '$lib/server/projectClaim';
import { changeDueDate, changeStatus, getProjectItem, itemHistory, PERSON_NAME_MAX, ProjectItemError, REASON_MAX, reassign } from '$lib/server/projectItem';
import { itemPermissions, itemSources, reportCalendar } from '$lib/server/projectPage';
import { visibleCommittee } from '$lib/server/visibility';
import { done, field, invalid } from '../../admin/forms';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ params, locals, url, depends }) => {
	// Status, reports and history change under the page (other units, the convener): watchProjects reloads.
	depends(PROJECTS_DEPENDENCY);
	const user = requireUser(locals, url);
	const db = await getDb();
	const item = await getProjectItem(db, params.id);
	if (!item) error(404, { message: 'not-found', code: 'not_found' });
	// Whoever may see the committee may see its items.
	if (!(await visibleCommittee(db, user, item.committeeId))) error(404, { message: 'not-found', code: 'not_found' });
	const [sources, history, reports, claims] = await Promise.all([itemSources(db, item.id), itemHistory(db, item.id), reportsOf(db, item.id), claimsOf(db, item.id)]);
	const [permissions, calendar] = await Promise.all([itemPermissions(db, user, item, claims), reportCalendar(db, item, reports)]);
	return {
		item,
		sources,
		history,
		reports,
		claims,
		permissions,
		calendar,
		limits: { maxBytes: ATTACHMENT_MAX_BYTES, perReport: ATTACHMENTS_PER_REPORT, text: REPORT_TEXT_MAX, reason: REASON_MAX, person: PERSON_NAME_MAX }
	};
};

/**
 * A refusal of the project modules as a 400 with its message under the field it concerns.
 * Parameters that are themselves catalogue keys (a field's label) are translated here, so the
 * page can show the message with the plain translator. Anything but a refusal is a bug: rethrown.
 */
function refusedBy(err: unknown, form: string, input: Record<string, string>, locale: Locale, fieldOf: (key: string, params: Record<string, string | number>) => string): ActionFailure<FormState> {
	if (!(err instanceof ProjectItemError)) throw err;
	const params = Object.fromEntries(Object.entries(err.params).map(([k, v]) => [k, typeof v === 'string' && isMessageKey(v) ? translate(locale, v) : v]));
	const problem: FieldError = { key: err.key, params };
	return invalid(form, input, { [fieldOf(err.key, err.params)]: problem });
}

const REASON_KEYS = ['project.error.reasonRequired', 'project.error.reasonTooLong', 'project.error.holdReasonRequired'];

const REPORT_FIELDS: Record<string, string> = {
	'project.report.unitRequired': 'unitId',
	'project.report.unitNotResponsible': 'unitId',
	'project.report.badMonth': 'month',
	'project.report.futureMonth': 'month',
	'project.report.beforeItem': 'month',
	'project.report.windowClosed': 'month',
	'project.report.badProgress': 'progress',
	'project.report.doneRequired': 'done'
};
const TOO_LONG_FIELD: Record<string, string> = {
	'project.report.field.done': 'done',
	'project.report.field.problems': 'problems',
	'project.report.field.helpNeeded': 'helpNeeded'
};

/** The files of a multipart form; an empty file input still sends one nameless, empty part. */
async function uploadsOf(data: FormData): Promise<AttachmentUpload[]> {
	const files = data.getAll('attachments').filter((v): v is File => typeof v !== 'string' && (v.size > 0 || v.name !== ''));
	return Promise.all(files.map(async (f) => ({ filename: f.name, declaredType: f.type, data: new Uint8Array(await f.arrayBuffer()) })));
}

export const actions: Actions = {
	status: async ({ params, locals, url, request }) => {
		const user = requireUser(locals, url);
		const data = await request.formData();
		const input = { status: field(data, 'status'), reason: field(data, 'reason') };
		try {
			await changeStatus(await getDb(), user, params.id, input);
			return done('status', 'projectPage.status.saved');
		} catch (err) {
			return refusedBy(err, 'status', input, locals.locale, (key) =>
				REASON_KEYS.includes(key) ? 'reason' : key === 'project.error.unknownStatus' || key === 'project.error.unchanged' ? 'status' : 'form'
			);
		}
	},
	due: async ({ params, locals, url, request }) => {
		const user = requireUser(locals, url);
		const data = await request.formData();
		const input = { dueDate: field(data, 'dueDate'), reason: field(data, 'reason') };
		try {
			const item = await changeDueDate(await getDb(), user, params.id, input);
			return done('due', 'projectPage.due.saved', { date: item.dueDate ?? '' });
		} catch (err) {
			return refusedBy(err, 'due', input, locals.locale, (key) =>
				REASON_KEYS.includes(key) ? 'reason' : key === 'project.error.badDate' || key === 'project.error.unchanged' ? 'dueDate' : 'form'
			);
		}
	},
	reassign: async ({ params, locals, url, request }) => {
		const user = requireUser(locals, url);
		const data = await request.formData();
		const unitIds = data.getAll('unit').filter((v): v is string => typeof v === 'string');
		const units = unitIds.map((unitId) => ({ unitId, personName: field(data, `person:${unitId}`) }));
		// Kept as text so that a refusal shows the boxes as they were ticked.
		const input: Record<string, string> = { reason: field(data, 'reason'), units: unitIds.join(',') };
		for (const [name, value] of data.entries()) if (name.startsWith('person:') && typeof value === 'string') input[name] = value;
		try {
			await reassign(await getDb(), user, params.id, { units, reason: input.reason! });
			return done('reassign', 'projectPage.reassign.saved');
		} catch (err) {
			return refusedBy(err, 'reassign', input, locals.locale, (key) => (REASON_KEYS.includes(key) ? 'reason' : key.startsWith('project.error.') && key !== 'project.error.notAllowed' && key !== 'project.error.withdrawn' ? 'units' : 'form'));
		}
	},
	report: async ({ params, locals, url, request }) => {
		const user = requireUser(locals, url);
		const data = await request.formData();
		const input = {
			unitId: field(data, 'unitId'),
			month: field(data, 'month'),
			done: field(data, 'done'),
			progress: field(data, 'progress'),
			problems: field(data, 'problems'),
			helpNeeded: field(data, 'helpNeeded')
		};
		const remove = data.getAll('removeAttachment').filter((v): v is string => typeof v === 'string');
		// "45" → 45; anything else (empty, "4.5", "abc") becomes NaN, which fileReport refuses with its message.
		const progress = /^\s*\d{1,3}\s*$/.test(input.progress) ? Number(input.progress) : Number.NaN;
		try {
			const report = await fileReport(await getDb(), user, params.id, input.month, {
				unitId: input.unitId || undefined,
				done: input.done,
				progress,
				problems: input.problems,
				helpNeeded: input.helpNeeded,
				removeAttachmentIds: remove
			}, await uploadsOf(data));
			return done('report', 'projectPage.report.saved', { unit: report.unitName, month: monthLabel(report.month, translator(locals.locale)) });
		} catch (err) {
			return refusedBy(err, 'report', input, locals.locale, (key, p) => {
				if (key.startsWith('project.attachment.')) return 'attachments';
				if (key === 'project.report.tooLong') return TOO_LONG_FIELD[String(p.field)] ?? 'form';
				return REPORT_FIELDS[key] ?? 'form';
			});
		}
	},
	claim: async ({ params, locals, url, request }) => {
		const user = requireUser(locals, url);
		const data = await request.formData();
		const input = { personName: field(data, 'personName'), note: field(data, 'note') };
		try {
			await claimItem(await getDb(), user, params.id, input);
			return done('claim', 'projectPage.claim.sent');
		} catch (err) {
			return refusedBy(err, 'claim', input, locals.locale, (key) =>
				key === 'project.error.personTooLong' ? 'personName' : key === 'project.error.reasonTooLong' ? 'note' : 'form'
			);
		}
	},
	decideClaim: async ({ locals, url, request }) => {
		const user = requireUser(locals, url);
		const data = await request.formData();
		const claimId = field(data, 'claimId');
		const confirm = field(data, 'decision') === 'confirm';
		const input = { reason: field(data, 'reason') };
		const form = `decide:${claimId}`;
		try {
			const claim = await decideClaim(await getDb(), user, claimId, { confirm, reason: input.reason });
			return done(form, confirm ? 'projectPage.claim.confirmed' : 'projectPage.claim.rejected', { unit: claim.unitName });
		} catch (err) {
			return refusedBy(err, form, input, locals.locale, (key) => (REASON_KEYS.includes(key) ? 'reason' : 'form'));
		}
	}
};
