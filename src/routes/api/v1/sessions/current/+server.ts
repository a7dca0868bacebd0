import { apiHandler, requireApiUser } from '$lib/server/api';
import { invalidateSession } from '$lib/server/auth/session';
import { getDb } from '$lib/server/db';
import type { RequestHandler } from './$types';

/** Signs the calling token out. */
export const DELETE: RequestHandler = apiHandler(async ({ locals }) => {
	requireApiUser(locals);
	if (locals.session) await invalidateSession(await getDb(), locals.session.id);
	return new Response(null, { status: 204 });
});
