import { isMessageKey, translate, type Locale } from '../i18n';
import { ApiFailure, apiError } from './api';
import { ProjectItemError } from './projectItem';
import type { AttachmentUpload, ReportFields } from './progressReport';

/*
 * What the /api/v1/projects routes share: turning a ProjectItemError into the API's error shape,
 * and reading a monthly report from either a multipart form (files as parts) or JSON (files as
 * base64), so that the routes stay thin.
 */

const STATUS_BY_KEY: Partial<Record<ProjectItemError['key'], number>> = {
	'project.error.notFound': 404,
	'project.attachment.notFound': 404,
	'project.claim.notFound': 404,
	'project.error.notAllowed': 403,
	'project.report.notAllowed': 403,
	'project.claim.notAllowed': 403,
	'project.error.unchanged': 409,
	'project.error.withdrawn': 409,
	'project.report.windowClosed': 409,
	'project.claim.pending': 409,
	'project.claim.decided': 409,
	'project.claim.closed': 409,
	'project.attachment.tooLarge': 413
};

/** A message in `locale`; parameters that are themselves message keys (a field's label) are translated too. */
export function projectErrorMessage(err: ProjectItemError, locale: Locale): string {
	const params = Object.fromEntries(Object.entries(err.params).map(([k, v]) => [k, typeof v === 'string' && isMessageKey(v) ? translate(locale, v) : v]));
	return translate(locale, err.key, params);
}

/** The API response for a refusal: `{"error": {"code": "report.windowClosed" (or "notAllowed" for project.error.notAllowed), "message", "params"}}`. */
export function projectErrorResponse(err: ProjectItemError): Response {
	return apiError(STATUS_BY_KEY[err.key] ?? 400, err.key.replace(/^project\.(error\.)?/, ''), projectErrorMessage(err, 'en'), { params: err.params });
}

/** Runs `fn`, answering a ProjectItemError with its API response; anything else propagates (a logged 500). */
export async function withProjectErrors(fn: () => Promise<Response>): Promise<Response> {
	try {
		return await fn();
	} catch (err) {
		if (err instanceof ProjectItemError) return projectErrorResponse(err);
		throw err;
	}
}

export interface ReportRequest {
	month: string;
	fields: ReportFields;
	attachments: AttachmentUpload[];
}

const bad = (message: string) => new ApiFailure(apiError(400, 'invalid_body', message));

function optionalString(value: unknown, name: string): string | undefined {
	if (value === undefined || value === null) return undefined;
	if (typeof value !== 'string') throw bad(`${name} must be a string.`);
	return value;
}

/** A progress value as a form sends it ("45") or JSON (45); anything else is left for the domain check to refuse. */
function progressOf(value: unknown): number {
	if (typeof value === 'number') return value;
	if (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) return Number(value);
	return Number.NaN;
}

/**
 * Reads a report from `multipart/form-data` (fields month, unitId, done, progress, problems,
 * helpNeeded, removeAttachmentIds (repeatable); files as repeated `attachments` parts) or from
 * JSON (`attachments: [{filename, type, base64}]`).
 */
export async function readReportRequest(request: Request): Promise<ReportRequest> {
	const type = (request.headers.get('content-type') ?? '').toLowerCase();
	if (type.includes('multipart/form-data')) {
		let form: FormData;
		try {
			form = await request.formData();
		} catch {
			throw bad('The multipart body could not be read.');
		}
		const field = (name: string) => {
			const v = form.get(name);
			return typeof v === 'string' ? v : undefined;
		};
		const attachments: AttachmentUpload[] = [];
		for (const part of form.getAll('attachments')) {
			// Browsers send an empty, nameless part when the file input was left empty (parsed as a
			// File or, by some parsers, as an empty string).
			if (part === '' || (typeof part !== 'string' && part.size === 0 && !part.name)) continue;
			if (typeof part === 'string') throw bad('attachments parts must be files.');
			attachments.push({ filename: part.name, declaredType: part.type, data: new Uint8Array(await part.arrayBuffer()) });
		}
		return {
			month: field('month') ?? '',
			fields: {
				unitId: field('unitId') || undefined,
				done: field('done') ?? '',
				progress: progressOf(field('progress')),
				problems: field('problems'),
				helpNeeded: field('helpNeeded'),
				removeAttachmentIds: form.getAll('removeAttachmentIds').filter((v): v is string => typeof v === 'string')
			},
			attachments
		};
	}
	if (!type.includes('application/json')) {
		throw new ApiFailure(apiError(415, 'unsupported_media_type', 'Send the report as multipart/form-data or as JSON (Content-Type: application/json).'));
	}
	let body: unknown;
	try {
		body = await request.json();
	} catch {
		throw bad('The request body is not valid JSON.');
	}
	if (!body || typeof body !== 'object' || Array.isArray(body)) throw bad('The request body must be a JSON object.');
	const b = body as Record<string, unknown>;
	const files = b.attachments ?? [];
	if (!Array.isArray(files)) throw bad('attachments must be an array.');
	const attachments = files.map((f, i): AttachmentUpload => {
		if (!f || typeof f !== 'object') throw bad(`attachments[${i}] must be an object {filename, type, base64}.`);
		const o = f as Record<string, unknown>;
		const base64 = optionalString(o.base64, `attachments[${i}].base64`) ?? '';
		if (!/^[A-Za-z0-9+/=\s]*$/.test(base64)) throw bad(`attachments[${i}].base64 is not base64.`);
		return { filename: optionalString(o.filename, `attachments[${i}].filename`) ?? '', declaredType: optionalString(o.type, `attachments[${i}].type`) ?? '', data: new Uint8Array(Buffer.from(base64, 'base64')) };
	});
	const remove = b.removeAttachmentIds ?? [];
	if (!Array.isArray(remove) || remove.some((x) => typeof x !== 'string')) throw bad('removeAttachmentIds must be an array of ids.');
	return {
		month: optionalString(b.month, 'month') ?? '',
		fields: {
			unitId: optionalString(b.unitId, 'unitId'),
			done: optionalString(b.done, 'done') ?? '',
			progress: progressOf(b.progress),
			problems: optionalString(b.problems, 'problems'),
			helpNeeded: optionalString(b.helpNeeded, 'helpNeeded'),
			removeAttachmentIds: remove as string[]
		},
		attachments
	};
}
