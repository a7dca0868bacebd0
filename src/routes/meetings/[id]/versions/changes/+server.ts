import { error, json } from '@sveltejs/kit';
import { ApiFailure, readJsonObject } from '$lib/server/api';
import type { SessionUser } from '$lib/server/auth/session';
import { getDb, type DbOrTx } from '$lib/server/db';
import { changesSince, markSeen } from '$lib/server/docVersion';
import { isUuid } from '$lib/server/meeting';
import { readableVersions, type VersionedDoc } from '../access.server';
import type { RequestHandler } from './$types';

/*
 * "What changed since my last visit" for the meeting page's banner: the minutes' and the
 * agenda's changes since the version each person last marked seen. A first visit has nothing
 * to compare with; it becomes the starting point.
 */

const DOCS: VersionedDoc[] = ['minutes', 'agenda'];

function signedIn(locals: App.Locals, id: string): SessionUser {
	if (!locals.user) error(401, { message: 'unauthenticated', code: 'unauthenticated' });
	if (!isUuid(id)) error(404, { message: 'not-found', code: 'not_found' });
	return locals.user;
}

/** A meeting whose documents the person may read none of is, to them, no meeting: 404, as on its page's API. */
async function readableMeeting(db: DbOrTx, user: SessionUser, id: string): Promise<void> {
	for (const doc of DOCS) if (await readableVersions(db, user, id, doc)) return;
	error(404, { message: 'not-found', code: 'not_found' });
}

export const GET: RequestHandler = async ({ locals, params }) => {
	const user = signedIn(locals, params.id);
	const db = await getDb();
	await readableMeeting(db, user, params.id);
	const result: Record<string, unknown> = {};
	for (const doc of DOCS) {
		// A document this person may not read (minutes hidden from them) has no changes to show.
		const access = await readableVersions(db, user, params.id, doc);
		if (!access) {
			result[doc] = { since: null, count: 0, diff: null, authors: [] };
			continue;
		}
		const { name } = access;
		let since = await changesSince(db, user.id, name);
		if (since.since === null && since.versionId === null) {
			await markSeen(db, user.id, name);
			since = await changesSince(db, user.id, name);
		}
		result[doc] = { since: since.since?.toISOString() ?? null, count: since.count, diff: since.diff, authors: since.authors };
	}
	return json(result);
};

/** Marks both documents seen as they are now ("全部标为已读"). */
export const POST: RequestHandler = async ({ locals, params, request }) => {
	const user = signedIn(locals, params.id);
	// A JSON body cannot be sent cross-site without a preflight, which this endpoint never grants.
	try {
		await readJsonObject(request);
	} catch (err) {
		if (err instanceof ApiFailure) return err.response;
		throw err;
	}
	const db = await getDb();
	await readableMeeting(db, user, params.id);
	for (const doc of DOCS) {
		const access = await readableVersions(db, user, params.id, doc);
		if (access) await markSeen(db, user.id, access.name);
	}
	return json({ ok: true });
};
