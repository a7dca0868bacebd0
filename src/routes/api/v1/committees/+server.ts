import { json } from '@sveltejs/kit';
import { apiHandler, requireApiUser } from '$lib/server/api';
import { committeeJson } from '$lib/server/apiViews';
import { getDb } from '$lib/server/db';
import { visibleCommittees } from '$lib/server/visibility';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = apiHandler(async ({ locals }) => {
	const user = requireApiUser(locals);
	const committees = await visibleCommittees(await getDb(), user);
	return json({ items: committees.map(committeeJson) });
});
