import { error } from '@sveltejs/kit';
import { getDb } from '$lib/server/db';
import { EvaluationError, generateLinks, getRound, LINKS_PER_CALL, listLinks, mayManageEvaluations } from '$lib/server/evaluation';
import { printedLinks } from '$lib/server/evaluationExport';
import { requireUser } from '$lib/server/guard';
import { visibleCommittee } from '$lib/server/visibility';
import { field } from '../../../../../admin/forms';
import { refusal } from '../../forms';
import type { Actions, PageServerLoad } from './$types';

/*
 * The links of a round. Tokens are not stored (only their hashes), so the QR sheet can only be
 * printed from the answer to "generate": the page lists serials and use, and makes new links.
 */

export const load: PageServerLoad = async ({ params, locals, url }) => {
	const user = requireUser(locals, url);
	const db = await getDb();
	const committee = await visibleCommittee(db, user, params.id);
	if (!committee || !(await mayManageEvaluations(db, user, committee.id))) error(404, { message: 'not-found', code: 'not_found' });
	const round = await getRound(db, params.roundId);
	if (!round || round.committeeId !== committee.id) error(404, { message: 'not-found', code: 'not_found' });
	return {
		committee: { id: committee.id, name: committee.name },
		round: { id: round.id, title: round.title },
		links: (await listLinks(db, round.id)).map((l) => ({ ...l, createdAt: l.createdAt.toISOString() })),
		limits: LINKS_PER_CALL
	};
};

export const actions: Actions = {
	generate: async ({ params, locals, url, request }) => {
		const user = requireUser(locals, url);
		const input = { count: field(await request.formData(), 'count') };
		try {
			const db = await getDb();
			const round = await getRound(db, params.roundId);
			if (!round || round.committeeId !== params.id) throw new EvaluationError('evaluation.error.notFound');
			const count = /^\s*\d{1,4}\s*$/.test(input.count) ? Number(input.count) : Number.NaN;
			const links = await printedLinks(url.origin, await generateLinks(db, user, round.id, count));
			return { form: 'generate', title: round.title, links };
		} catch (err) {
			return refusal(err, 'generate', input);
		}
	}
};
