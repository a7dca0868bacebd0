import { json } from '@sveltejs/kit';
import { apiHandler, requireApiUser } from '$lib/server/api';
import { getDb } from '$lib/server/db';
import { myItems } from '$lib/server/progressReport';
import type { RequestHandler } from './$types';

/** "My items": items whose responsible unit the person represents, across committees, with this month's report state. */
export const GET: RequestHandler = apiHandler(async ({ locals }) => {
	const user = requireApiUser(locals);
	return json(await myItems(await getDb(), user));
});
