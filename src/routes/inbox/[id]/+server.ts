import { error, redirect } from '@sveltejs/kit';
import { getDb } from '$lib/server/db';
import { requireUser } from '$lib/server/guard';
import { markRead } from '$lib/server/notification';
import { safeLink } from '$lib/domain/notification';
import type { RequestHandler } from './$types';

/*
 * Opening a notification: marks it read, then goes where it leads. A plain link (not a form) so
 * it works before hydration and on long-press "open in new tab"; marking read twice is harmless.
 */
export const GET: RequestHandler = async ({ locals, url, params }) => {
	const user = requireUser(locals, url);
	const target = await markRead(await getDb(), user.id, params.id);
	if (!target) error(404, { message: 'not found', code: 'notFound' });
	redirect(303, safeLink(target.link));
};
