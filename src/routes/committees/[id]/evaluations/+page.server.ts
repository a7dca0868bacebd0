import { error } from '@sveltejs/kit';
import { chinaToday } from '$lib/domain/projectStatus';
import { toLocalInput } from '$lib/format';
import { getDb } from '$lib/server/db';
import { createRound, DEFAULT_CRITERIA, EvaluationError, generateLinks, LINKS_PER_CALL, listRounds, mayManageEvaluations } from '$lib/server/evaluation';
import { printedLinks } from '$lib/server/evaluationExport';
import { requireUser } from '$lib/server/guard';
import { projectItemsOfYear } from '$lib/server/projectItem';
import { visibleCommittee } from '$lib/server/visibility';
import { refusal, roundForm } from './forms';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ params, locals, url }) => {
	const user = requireUser(locals, url);
	const db = await getDb();
	const committee = await visibleCommittee(db, user, params.id);
	if (!committee) error(404, { message: 'not-found', code: 'not_found' });
	const thisYear = Number(chinaToday().slice(0, 4));
	const asked = Number(url.searchParams.get('year'));
	const year = Number.isInteger(asked) && asked >= 2000 && asked <= 2100 ? asked : thisYear;
	const [rounds, items, canManage] = await Promise.all([listRounds(db, committee.id), projectItemsOfYear(db, committee.id, year), mayManageEvaluations(db, user, committee.id)]);
	const now = new Date();
	return {
		committee: { id: committee.id, name: committee.name },
		canManage,
		showForm: url.searchParams.has('new'),
		year,
		rounds: rounds.map((r) => ({ ...r, opensAt: r.opensAt.toISOString(), closesAt: r.closesAt.toISOString() })),
		items: items.map((i) => ({ id: i.id, title: i.title, units: i.units.map((u) => u.name) })),
		defaults: {
			title: `${year}年度共建项目述职评议`,
			criteria: DEFAULT_CRITERIA.map((c) => ({ label: c.label, max: String(c.max) })),
			opensAt: toLocalInput(now),
			// A week: the meeting itself, and a few days for those who score later from the printed code.
			closesAt: toLocalInput(new Date(now.getTime() + 7 * 86_400_000)),
			links: '30'
		},
		linkLimits: LINKS_PER_CALL
	};
};

export const actions: Actions = {
	create: async ({ params, locals, url, request }) => {
		const user = requireUser(locals, url);
		const db = await getDb();
		const { input, round } = roundForm(await request.formData());
		try {
			const count = input.links!.trim() === '' ? 0 : /^\d{1,4}$/.test(input.links!.trim()) ? Number(input.links) : Number.NaN;
			// Checked before the round is made, so a bad number leaves nothing half-created.
			if (!(count === 0 || (count >= LINKS_PER_CALL.min && count <= LINKS_PER_CALL.max))) throw new EvaluationError('evaluation.error.badLinkCount', { ...LINKS_PER_CALL });
			const { id } = await createRound(db, user, params.id, round);
			const links = count > 0 ? await printedLinks(url.origin, await generateLinks(db, user, id, count)) : [];
			return { form: 'create', created: { roundId: id, title: round.title.trim(), links } };
		} catch (err) {
			return refusal(err, 'create', input);
		}
	}
};
