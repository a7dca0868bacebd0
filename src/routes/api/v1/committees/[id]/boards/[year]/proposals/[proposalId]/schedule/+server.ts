import { json } from '@sveltejs/kit';
import { translate } from '$lib/i18n';
import { apiError, apiHandler, requireApiUser } from '$lib/server/api';
import { getDb } from '$lib/server/db';
import { ProposalError, putProposalOnAgenda } from '$lib/server/proposal';
import type { RequestHandler } from './$types';

/** Puts a board proposal on the committee's next meeting's agenda. */
export const POST: RequestHandler = apiHandler(async ({ locals, params }) => {
	const user = requireApiUser(locals);
	const year = Number(params.year);
	if (!Number.isInteger(year) || year < 2000 || year > 2100) return apiError(404, 'not_found', 'No such board.');
	try {
		return json(await putProposalOnAgenda(await getDb(), { committeeId: params.id, year, proposalId: params.proposalId, actor: user }));
	} catch (err) {
		if (!(err instanceof ProposalError)) throw err;
		const status = err.key === 'proposal.notAllowed' ? 403 : err.key === 'proposal.notFound' ? 404 : 409;
		return apiError(status, err.key.replace('proposal.', ''), translate('en', err.key));
	}
});
