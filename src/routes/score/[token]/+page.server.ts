import { error } from '@sveltejs/kit';
import { getDb } from '$lib/server/db';
import { scoringPage, submitLinkScore } from '$lib/server/evaluation';
import { refusal, scoreForm, scoreFormId } from '../../committees/[id]/evaluations/forms';
import type { Actions, PageServerLoad } from './$types';

/*
 * The public scoring page: no account, no session needed (nothing here calls requireUser, and
 * the hooks only resolve a session when there is one). The token is the only credential.
 */

export const load: PageServerLoad = async ({ params, setHeaders }) => {
	// The token is in the URL: keep it out of Referer headers to other sites and out of shared
	// caches. Not "no-referrer": that makes browsers send `Origin: null` with a plain form post,
	// which SvelteKit's CSRF check refuses — and the form must work without JavaScript.
	setHeaders({ 'referrer-policy': 'same-origin', 'cache-control': 'private, no-store' });
	const page = await scoringPage(await getDb(), params.token);
	// Unknown, forged and deleted links look the same: which tokens exist is not told.
	if (!page) error(404, { message: 'not-found', code: 'not_found' });
	return { ...page, opensAt: page.opensAt.toISOString() };
};

export const actions: Actions = {
	default: async ({ params, request, getClientAddress }) => {
		const { input, score } = scoreForm(await request.formData());
		const form = scoreFormId(input.projectItemId!);
		try {
			// The address only keys the rate limit; it is not stored with the score.
			await submitLinkScore(await getDb(), params.token, getClientAddress(), score);
			return { form, done: 'evaluation.score.saved' };
		} catch (err) {
			return refusal(err, form, input);
		}
	}
};
