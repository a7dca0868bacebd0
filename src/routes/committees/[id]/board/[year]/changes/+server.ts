import { error, json } from '@sveltejs/kit';
import { boardDocName } from '$lib/docs/board';
import { ApiFailure, readJsonObject } from '$lib/server/api';
import { getDb } from '$lib/server/db';
import { resolveDocAccess } from '$lib/server/docAccess';
import { changesSince, markSeen } from '$lib/server/docVersion';
import type { SessionUser } from '$lib/server/auth/session';
import type { RequestHandler } from './$types';

/*
 * "What changed on this board since my last visit": the needs, resources and proposals added,
 * changed or removed since the version the person last marked seen. A first visit becomes the
 * starting point. Same rules as the meeting page's banner.
 */

async function boardName(locals: App.Locals, params: { id: string; year: string }): Promise<{ user: SessionUser; name: string }> {
	if (!locals.user) error(401, { message: 'unauthenticated', code: 'unauthenticated' });
	if (!/^\d{4}$/.test(params.year) || !/^[0-9a-f-]{36}$/i.test(params.id)) error(404, { message: 'not-found', code: 'not_found' });
	const year = Number(params.year);
	const access = await resolveDocAccess(await getDb(), locals.user, { kind: 'board', committeeId: params.id, year });
	if (!access.found || access.access === 'none') error(404, { message: 'not-found', code: 'not_found' });
	return { user: locals.user, name: boardDocName(params.id, year) };
}

export const GET: RequestHandler = async ({ locals, params }) => {
	const { user, name } = await boardName(locals, params);
	const db = await getDb();
	let since = await changesSince(db, user.id, name);
	if (since.since === null && since.versionId === null) {
		await markSeen(db, user.id, name);
		since = await changesSince(db, user.id, name);
	}
	return json({ since: since.since?.toISOString() ?? null, count: since.count, diff: since.diff, authors: since.authors });
};

/** Marks the board seen as it is now. */
export const POST: RequestHandler = async ({ locals, params, request }) => {
	const { user, name } = await boardName(locals, params);
	// A JSON body cannot be sent cross-site without a preflight, which this endpoint never grants.
	try {
		await readJsonObject(request);
	} catch (err) {
		if (err instanceof ApiFailure) return err.response;
		throw err;
	}
	await markSeen(await getDb(), user.id, name);
	return json({ ok: true });
};
