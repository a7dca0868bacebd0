import { json } from '@sveltejs/kit';
import { ApiFailure, apiError, apiHandler, readJsonObject, requireApiUser } from '$lib/server/api';
import { CommentError, deleteComment, editComment, listThreads, openThread, reply, setResolved } from '$lib/server/comment';
import { listMembers } from '$lib/server/committee';
import { getDb } from '$lib/server/db';
import type { RequestHandler } from './$types';

/*
 * Comment threads of one live document (minutes, agenda, board). The meeting page calls it with
 * its session cookie; other clients with a bearer token. Errors carry the catalogue key as
 * `code`, so the page shows the message in the reader's language.
 */

function refusal(err: unknown): never {
	if (err instanceof CommentError) {
		const status = err.key === 'comment.notFound' ? 404 : err.key === 'comment.forbidden' || err.key === 'comment.notAuthor' ? 403 : err.key === 'comment.anchorGone' ? 409 : 400;
		throw new ApiFailure(apiError(status, err.key, err.key, { params: err.params }));
	}
	throw err;
}

export const GET: RequestHandler = apiHandler(async ({ locals, url }) => {
	const user = requireApiUser(locals);
	const doc = url.searchParams.get('doc') ?? '';
	const db = await getDb();
	try {
		const list = await listThreads(db, user, doc);
		// The mention picker: only those who may comment need the member list.
		const members = list.canComment ? (await listMembers(db, list.committeeId)).map((m) => ({ id: m.userId, name: m.displayName, role: m.role })) : [];
		return json({ ...list, members, me: user.id });
	} catch (err) {
		refusal(err);
	}
});

export const POST: RequestHandler = apiHandler(async ({ locals, request }) => {
	const user = requireApiUser(locals);
	const body = await readJsonObject(request);
	const db = await getDb();
	try {
		switch (body.op) {
			case 'open':
				return json(await openThread(db, user, { docName: String(body.doc ?? ''), anchor: body.anchor, body: body.body, mentions: body.mentions }), { status: 201 });
			case 'reply':
				return json(await reply(db, user, { threadId: body.threadId, body: body.body, mentions: body.mentions }), { status: 201 });
			case 'edit':
				await editComment(db, user, { commentId: body.commentId, body: body.body });
				return json({ ok: true });
			case 'delete':
				await deleteComment(db, user, { commentId: body.commentId });
				return json({ ok: true });
			case 'resolve':
			case 'reopen':
				await setResolved(db, user, { threadId: body.threadId, resolved: body.op === 'resolve' });
				return json({ ok: true });
			default:
				return apiError(400, 'comment.badOperation', 'op must be one of open, reply, edit, delete, resolve, reopen.');
		}
	} catch (err) {
		refusal(err);
	}
});
