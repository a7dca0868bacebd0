import { json } from '@sveltejs/kit';
import { apiError, apiHandler, requireApiUser } from '$lib/server/api';
import { getDb } from '$lib/server/db';
import { getProjectItem, itemHistory } from '$lib/server/projectItem';
import { visibleCommittee } from '$lib/server/visibility';
import type { RequestHandler } from './$types';

/** The item's history, oldest first: creation, status / due-date / unit changes, reports, claims. */
export const GET: RequestHandler = apiHandler(async ({ locals, params }) => {
	const user = requireApiUser(locals);
	const db = await getDb();
	const item = await getProjectItem(db, params.id);
	if (!item || !(await visibleCommittee(db, user, item.committeeId))) return apiError(404, 'not_found', 'No such project item, or you are not a member of its committee.');
	return json(await itemHistory(db, item.id));
});
