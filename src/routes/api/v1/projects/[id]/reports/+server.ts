import { json } from '@sveltejs/kit';
import { apiError, apiHandler, requireApiUser } from '$lib/server/api';
import { getDb } from '$lib/server/db';
import { fileReport, reportsOf } from '$lib/server/progressReport';
import { readReportRequest, withProjectErrors } from '$lib/server/projectApi';
import { getProjectItem } from '$lib/server/projectItem';
import { visibleCommittee } from '$lib/server/visibility';
import type { RequestHandler } from './$types';

const notFound = () => apiError(404, 'not_found', 'No such project item, or you are not a member of its committee.');

/** The item's monthly reports, newest month first; attachments as metadata with their download path. */
export const GET: RequestHandler = apiHandler(async ({ locals, params }) => {
	const user = requireApiUser(locals);
	const db = await getDb();
	const item = await getProjectItem(db, params.id);
	if (!item || !(await visibleCommittee(db, user, item.committeeId))) return notFound();
	const reports = await reportsOf(db, item.id);
	return json(reports.map((r) => ({ ...r, attachments: r.attachments.map((a) => ({ ...a, href: `/api/v1/attachments/${a.id}` })) })));
});

/** Files or amends a unit's report on a month (multipart/form-data with `attachments` files, or JSON with base64). */
export const POST: RequestHandler = apiHandler(async ({ locals, params, request }) => {
	const user = requireApiUser(locals);
	const db = await getDb();
	const item = await getProjectItem(db, params.id);
	if (!item || !(await visibleCommittee(db, user, item.committeeId))) return notFound();
	const { month, fields, attachments } = await readReportRequest(request);
	return withProjectErrors(async () => json(await fileReport(db, user, item.id, month, fields, attachments), { status: 201 }));
});
