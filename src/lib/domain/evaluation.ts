/*
 * Year-end evaluation (年终述职评议): the rules that need no database — which criteria a round may
 * have, which scores a form may carry, and how scores roll up per project and per unit. Pure, so
 * that the browser's criteria editor and the server apply the same limits.
 */

/** One criterion: its label and the highest score (0 … max, whole points). */
export interface Criterion {
	label: string;
	max: number;
}

export const CRITERIA_MIN = 1;
export const CRITERIA_MAX = 8;
export const CRITERION_LABEL_MAX = 20;
export const CRITERION_POINTS_MAX = 100;
export const COMMENT_MAX = 500;
export const TITLE_MAX = 60;

/** The four criteria most districts use, 25 points each (100 in all). */
export const DEFAULT_CRITERIA: readonly Criterion[] = [
	{ label: '完成情况', max: 25 },
	{ label: '实际效果', max: 25 },
	{ label: '群众满意度', max: 25 },
	{ label: '协作配合', max: 25 }
];

export type CriteriaProblem =
	| { key: 'evaluation.criteria.count'; params: { min: number; max: number } }
	| { key: 'evaluation.criteria.labelRequired'; params: { index: number } }
	| { key: 'evaluation.criteria.labelTooLong'; params: { index: number; max: number } }
	| { key: 'evaluation.criteria.labelDuplicate'; params: { index: number } }
	| { key: 'evaluation.criteria.badMax'; params: { index: number; max: number } };

/**
 * Checks criteria as entered (labels trimmed); the first problem found, or the cleaned list.
 * `index` in a problem counts from 1, as the editor numbers its rows.
 */
export function validateCriteria(raw: readonly { label: unknown; max: unknown }[]): { ok: true; criteria: Criterion[] } | { ok: false; problem: CriteriaProblem } {
	if (raw.length < CRITERIA_MIN || raw.length > CRITERIA_MAX) return { ok: false, problem: { key: 'evaluation.criteria.count', params: { min: CRITERIA_MIN, max: CRITERIA_MAX } } };
	const criteria: Criterion[] = [];
	for (const [i, c] of raw.entries()) {
		const index = i + 1;
		const label = typeof c.label === 'string' ? c.label.trim() : '';
		if (!label) return { ok: false, problem: { key: 'evaluation.criteria.labelRequired', params: { index } } };
		// Counted in code points: a CJK label of 20 characters is 20, whatever UTF-16 makes of it.
		if ([...label].length > CRITERION_LABEL_MAX) return { ok: false, problem: { key: 'evaluation.criteria.labelTooLong', params: { index, max: CRITERION_LABEL_MAX } } };
		if (criteria.some((x) => x.label === label)) return { ok: false, problem: { key: 'evaluation.criteria.labelDuplicate', params: { index } } };
		const max = typeof c.max === 'number' ? c.max : typeof c.max === 'string' && /^\s*\d{1,3}\s*$/.test(c.max) ? Number(c.max) : Number.NaN;
		if (!Number.isInteger(max) || max < 1 || max > CRITERION_POINTS_MAX) return { ok: false, problem: { key: 'evaluation.criteria.badMax', params: { index, max: CRITERION_POINTS_MAX } } };
		criteria.push({ label, max });
	}
	return { ok: true, criteria };
}

/** The highest total a project can get in a round. */
export const maxTotal = (criteria: readonly Criterion[]): number => criteria.reduce((sum, c) => sum + c.max, 0);

/**
 * The points of one score form, one per criterion, as whole numbers within 0 … max; null when
 * any is missing, not a whole number or out of range. Strings are accepted as forms send them.
 */
export function validScores(criteria: readonly Criterion[], raw: readonly unknown[]): number[] | null {
	if (raw.length !== criteria.length) return null;
	const out: number[] = [];
	for (const [i, v] of raw.entries()) {
		const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d{1,3}\s*$/.test(v) ? Number(v) : Number.NaN;
		if (!Number.isInteger(n) || n < 0 || n > criteria[i]!.max) return null;
		out.push(n);
	}
	return out;
}

/** Phase of a round at a moment: its state and its window together. */
export type RoundPhase = 'pending' | 'open' | 'closed';

export function roundPhase(round: { state: string; opensAt: Date; closesAt: Date }, now = new Date()): RoundPhase {
	if (round.state === 'closed') return 'closed';
	if (now.getTime() < round.opensAt.getTime()) return 'pending';
	if (now.getTime() >= round.closesAt.getTime()) return 'closed';
	return 'open';
}

// ---------------------------------------------------------------- aggregation

export interface ScoreRow {
	projectItemId: string;
	scores: readonly number[];
	total: number;
}

export interface ProjectAggregate {
	count: number;
	/** Mean per criterion, in criteria order; null without scores. */
	means: (number | null)[];
	meanTotal: number | null;
}

const mean = (xs: readonly number[]): number | null => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length);

/** Mean per criterion, mean total and count of one project's scores. */
export function aggregateProject(criteria: readonly Criterion[], scores: readonly ScoreRow[]): ProjectAggregate {
	return {
		count: scores.length,
		means: criteria.map((_, i) => mean(scores.map((s) => s.scores[i] ?? 0))),
		meanTotal: mean(scores.map((s) => s.total))
	};
}

/**
 * Standard competition ranking ("1224"): equal values share a rank and the next value skips
 * as many places as shared it. Higher is better; null values get no rank. Values are compared
 * at two decimals — what the results table shows — so that 21 and 20.99999999999 (a mean of
 * thirds) tie as the reader sees them tie.
 */
export function competitionRanks(values: readonly (number | null)[]): (number | null)[] {
	const key = (v: number) => Math.round(v * 100);
	const ranked = values.filter((v): v is number => v !== null).map(key);
	return values.map((v) => (v === null ? null : 1 + ranked.filter((other) => other > key(v)).length));
}

export interface UnitInput {
	unitId: string;
	unitName: string;
	projectItemIds: readonly string[];
}

export interface UnitResult {
	unitId: string;
	unitName: string;
	/** Projects of the round the unit is responsible for. */
	projectCount: number;
	/** Of those, projects with at least one score. */
	scoredCount: number;
	/** Mean of its scored projects' mean totals (each project weighs the same); null if none scored. */
	average: number | null;
	rank: number | null;
}

/** Per unit: the average over its projects' mean totals, ranked (1, 2, 2, 4), best first, unranked last by name. */
export function rankUnits(unitsIn: readonly UnitInput[], meanTotals: ReadonlyMap<string, number | null>): UnitResult[] {
	const rows = unitsIn.map((u) => {
		const scored = u.projectItemIds.map((id) => meanTotals.get(id) ?? null).filter((v): v is number => v !== null);
		return { unitId: u.unitId, unitName: u.unitName, projectCount: u.projectItemIds.length, scoredCount: scored.length, average: mean(scored) };
	});
	const ranks = competitionRanks(rows.map((r) => r.average));
	return rows
		.map((r, i) => ({ ...r, rank: ranks[i]! }))
		.sort((a, b) => (a.rank ?? Infinity) - (b.rank ?? Infinity) || a.unitName.localeCompare(b.unitName, 'zh-CN'));
}

/** Two decimals, for tables and the workbook. */
export const round2 = (v: number | null): number | null => (v === null ? null : Math.round(v * 100) / 100);
