import { error } from '@sveltejs/kit';
import { toLocalInput } from '$lib/format';
import { getDb } from '$lib/server/db';
import { closeRound, evaluationResults, getRound, listLinks, mayManageEvaluations, memberScored, openRound, submitMemberScore, updateRound } from '$lib/server/evaluation';
import { evaluationReports, freezeEvaluationReport } from '$lib/server/evaluationReport';
import { requireUser } from '$lib/server/guard';
import { membershipOf } from '$lib/server/committee';
import { visibleCommittee } from '$lib/server/visibility';
import { field } from '../../../../admin/forms';
import { refusal, roundForm, scoreForm, scoreFormId } from '../forms';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ params, locals, url }) => {
	const user = requireUser(locals, url);
	const db = await getDb();
	const committee = await visibleCommittee(db, user, params.id);
	if (!committee) error(404, { message: 'not-found', code: 'not_found' });
	const round = await getRound(db, params.roundId);
	if (!round || round.committeeId !== committee.id) error(404, { message: 'not-found', code: 'not_found' });
	const [results, links, canManage, seat, scored, reports] = await Promise.all([
		evaluationResults(db, round.id),
		listLinks(db, round.id),
		mayManageEvaluations(db, user, committee.id),
		membershipOf(db, user.id, committee.id),
		memberScored(db, user.id, round.id),
		evaluationReports(db, round.id)
	]);
	if (!results) error(404, { message: 'not-found', code: 'not_found' });
	return {
		committee: { id: committee.id, name: committee.name },
		round: { ...round, opensAt: round.opensAt.toISOString(), closesAt: round.closesAt.toISOString(), opensAtInput: toLocalInput(round.opensAt), closesAtInput: toLocalInput(round.closesAt) },
		results,
		links: { total: links.length, used: links.filter((l) => l.scored > 0).length },
		canManage,
		reports,
		// Members score as themselves (observers sit in without a vote); not their own unit's projects.
		member: seat && seat.role !== 'observer' ? { unitId: seat.unitId, scored } : null
	};
};

export const actions: Actions = {
	score: async ({ params, locals, url, request }) => {
		const user = requireUser(locals, url);
		const { input, score } = scoreForm(await request.formData());
		const form = scoreFormId(input.projectItemId!);
		try {
			await submitMemberScore(await getDb(), user, params.roundId, score);
			return { form, done: 'evaluation.score.saved' };
		} catch (err) {
			return refusal(err, form, input);
		}
	},
	report: async ({ params, locals, url }) => {
		const user = requireUser(locals, url);
		try {
			const ref = await freezeEvaluationReport(await getDb(), user, params.roundId);
			return { form: 'report', done: 'evaluation.report.done', number: ref.label };
		} catch (err) {
			return refusal(err, 'report', {});
		}
	},
	close: async ({ params, locals, url }) => {
		const user = requireUser(locals, url);
		try {
			await closeRound(await getDb(), user, params.roundId);
			return { form: 'state', done: 'evaluation.round.closed' };
		} catch (err) {
			return refusal(err, 'state', {});
		}
	},
	open: async ({ params, locals, url, request }) => {
		const user = requireUser(locals, url);
		const input = { closesAt: field(await request.formData(), 'closesAt') };
		try {
			await openRound(await getDb(), user, params.roundId, input.closesAt || null);
			return { form: 'state', done: 'evaluation.round.opened' };
		} catch (err) {
			return refusal(err, 'state', input);
		}
	},
	edit: async ({ params, locals, url, request }) => {
		const user = requireUser(locals, url);
		const db = await getDb();
		const { input, round } = roundForm(await request.formData());
		try {
			const current = await getRound(db, params.roundId);
			if (!current) error(404, { message: 'not-found', code: 'not_found' });
			// The edit form carries title and window only: criteria and projects stay as they are.
			await updateRound(db, user, params.roundId, { ...round, year: current.year, criteria: current.criteria, projectItemIds: current.projects.map((p) => p.id) });
			return { form: 'edit', done: 'evaluation.round.saved' };
		} catch (err) {
			return refusal(err, 'edit', input);
		}
	}
};
