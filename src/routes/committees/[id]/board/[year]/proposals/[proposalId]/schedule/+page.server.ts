import { fail, redirect } from '@sveltejs/kit';
import { getDb } from '$lib/server/db';
import { requireUser } from '$lib/server/guard';
import { ProposalError, putProposalOnAgenda } from '$lib/server/proposal';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ params }) => redirect(303, `/committees/${params.id}/board/${params.year}`);

/** "Put on the next meeting's agenda": one action from the board. */
export const actions: Actions = {
	default: async ({ params, locals, url }) => {
		const user = requireUser(locals, url);
		const year = Number(params.year);
		if (!Number.isInteger(year)) return fail(404, { scheduleError: 'proposal.notFound' });
		try {
			const placed = await putProposalOnAgenda(await getDb(), { committeeId: params.id, year, proposalId: params.proposalId, actor: user });
			return { scheduled: params.proposalId, meetingId: placed.meetingId };
		} catch (err) {
			if (err instanceof ProposalError) return fail(err.key === 'proposal.notAllowed' ? 403 : 400, { scheduleError: err.key, proposalId: params.proposalId });
			throw err;
		}
	}
};
