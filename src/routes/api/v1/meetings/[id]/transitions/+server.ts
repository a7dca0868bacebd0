import { json } from '@sveltejs/kit';
import { translate } from '$lib/i18n';
import { apiError, apiHandler, readJsonObject, requireApiUser } from '$lib/server/api';
import { getDb } from '$lib/server/db';
import { isTransition, LifecycleError, transitionMeeting, TRANSITIONS } from '$lib/server/meetingLifecycle';
import { visibleMeeting } from '$lib/server/visibility';
import type { RequestHandler } from './$types';

/** Moves a meeting through its lifecycle: start, review, finalize (or, without every confirmation, an override reason), reopen (with a reason). */
export const POST: RequestHandler = apiHandler(async ({ locals, params, request }) => {
	const user = requireApiUser(locals);
	const db = await getDb();
	// Another committee's meeting gets the answer of an unknown id (guard.ts), in this route's codes.
	if (!(await visibleMeeting(db, user, params.id))) return apiError(404, 'notFound', translate('en', 'lifecycle.notFound'));
	const body = await readJsonObject(request);
	const transition = typeof body.transition === 'string' ? body.transition : '';
	if (!isTransition(transition)) return apiError(400, 'invalid_transition', `transition must be one of ${TRANSITIONS.join(', ')}.`);
	if (body.reason !== undefined && typeof body.reason !== 'string') return apiError(400, 'invalid_body', 'reason must be a string.');
	if (body.override !== undefined && typeof body.override !== 'string') return apiError(400, 'invalid_body', 'override must be a string.');
	try {
		const result = await transitionMeeting(db, {
			meetingId: params.id,
			transition,
			actor: user,
			reason: body.reason as string | undefined,
			override: body.override as string | undefined
		});
		return json(result);
	} catch (err) {
		if (!(err instanceof LifecycleError)) throw err;
		const status = err.key === 'lifecycle.notFound' ? 404 : err.key === 'lifecycle.notAllowed' ? 403 : err.key === 'lifecycle.wrongState' ? 409 : 400;
		const problems = err.problems.map((p) => ({ ...p, message: translate('en', p.key, { position: p.position, excerpt: p.excerpt }) }));
		const extra = { ...(problems.length ? { problems } : {}), ...(err.unconfirmed.length ? { unconfirmed: err.unconfirmed } : {}) };
		return apiError(status, err.key.replace('lifecycle.', ''), translate('en', err.key), extra);
	}
});
