import { fail, type ActionFailure } from '@sveltejs/kit';
import type { FormState } from '$lib/components/admin/formState';
import { CRITERIA_MAX } from '$lib/domain/evaluation';
import { EvaluationError, type RoundInput, type ScoreInput } from '$lib/server/evaluation';
import { field } from '../../../admin/forms';

/*
 * Reading the evaluation forms and turning refusals into form errors, shared by the pages of
 * the committee's evaluations and the public scoring page. Anything but a refusal is rethrown.
 */

/** The round form as posted, kept as text so that a refusal shows it back as typed. */
export function roundForm(data: FormData): { input: Record<string, string>; round: RoundInput; criteriaRows: { label: string; max: string }[] } {
	const labels = data.getAll('criterionLabel').map(String);
	const maxima = data.getAll('criterionMax').map(String);
	// Rows left entirely empty are rows the person did not use, not criteria without a name.
	const criteriaRows = labels.map((label, i) => ({ label, max: maxima[i] ?? '' })).filter((r) => r.label.trim() !== '' || r.max.trim() !== '');
	const projectItemIds = data.getAll('project').filter((v): v is string => typeof v === 'string');
	const input = {
		title: field(data, 'title'),
		year: field(data, 'year'),
		opensAt: field(data, 'opensAt'),
		closesAt: field(data, 'closesAt'),
		links: field(data, 'links'),
		projects: projectItemIds.join(','),
		criteria: JSON.stringify(criteriaRows)
	};
	const year = /^\d{4}$/.test(input.year.trim()) ? Number(input.year.trim()) : Number.NaN;
	return { input, criteriaRows, round: { title: input.title, year, projectItemIds, criteria: criteriaRows, opensAt: input.opensAt, closesAt: input.closesAt } };
}

const ROUND_FIELDS: Record<string, string> = {
	'evaluation.error.titleRequired': 'title',
	'evaluation.error.titleTooLong': 'title',
	'evaluation.error.badYear': 'year',
	'evaluation.error.badOpensAt': 'opensAt',
	'evaluation.error.badClosesAt': 'closesAt',
	'evaluation.error.windowOrder': 'closesAt',
	'evaluation.error.closesInPast': 'closesAt',
	'evaluation.error.noProjects': 'projects',
	'evaluation.error.projectNotEligible': 'projects',
	'evaluation.error.hasScores': 'projects',
	'evaluation.error.badLinkCount': 'links'
};

const STATUS: Record<string, number> = {
	'evaluation.error.notAllowed': 403,
	'evaluation.error.notMember': 403,
	'evaluation.error.notFound': 404,
	'evaluation.error.unknownLink': 404,
	'evaluation.error.alreadyScored': 409,
	'evaluation.error.notOpen': 409,
	'evaluation.error.closed': 409,
	'evaluation.error.tooMany': 429
};

/** A refusal as a form error under the field it concerns (criteria problems under "criteria"). */
export function refusal(err: unknown, form: string, input: Record<string, string>): ActionFailure<FormState> {
	if (!(err instanceof EvaluationError)) throw err;
	const name = err.key.startsWith('evaluation.criteria.') ? 'criteria' : (ROUND_FIELDS[err.key] ?? 'form');
	return fail(STATUS[err.key] ?? 400, { form, input, errors: { [name]: { key: err.key, params: err.params } } });
}

/** A score form: one value per criterion (s0, s1, …) and the comment. */
export function scoreForm(data: FormData): { input: Record<string, string>; score: ScoreInput } {
	const input: Record<string, string> = { projectItemId: field(data, 'projectItemId'), comment: field(data, 'comment') };
	const scores: string[] = [];
	// As many values as were sent; the server compares their number with the round's criteria.
	for (let i = 0; i < CRITERIA_MAX && data.has(`s${i}`); i++) {
		input[`s${i}`] = field(data, `s${i}`);
		scores.push(input[`s${i}`]!);
	}
	return { input, score: { projectItemId: input.projectItemId!, scores, comment: input.comment! } };
}

/** Which form a score result belongs to: one per project. */
export const scoreFormId = (projectItemId: string) => `score:${projectItemId}`;
