import { describe, expect, it } from 'vitest';
import { DEFAULT_CRITERIA, aggregateProject, competitionRanks, maxTotal, rankUnits, roundPhase, validScores, validateCriteria } from '../../src/lib/domain/evaluation';

describe('criteria', () => {
	it('accepts the default four, trimmed, and strings as forms send them', () => {
		expect(validateCriteria(DEFAULT_CRITERIA)).toEqual({ ok: true, criteria: [...DEFAULT_CRITERIA] });
		expect(validateCriteria([{ label: ' 完成情况 ', max: '30' }])).toEqual({ ok: true, criteria: [{ label: '完成情况', max: 30 }] });
		expect(maxTotal(DEFAULT_CRITERIA)).toBe(100);
	});

	it('refuses none, more than eight, empty, long or repeated labels and maxima outside 1–100', () => {
		const one = { label: '效果', max: 10 };
		expect(validateCriteria([])).toMatchObject({ ok: false, problem: { key: 'evaluation.criteria.count' } });
		expect(validateCriteria(Array.from({ length: 9 }, (_, i) => ({ label: `第${i}项`, max: 10 })))).toMatchObject({ ok: false, problem: { key: 'evaluation.criteria.count' } });
		expect(validateCriteria(Array.from({ length: 8 }, (_, i) => ({ label: `第${i}项`, max: 10 }))).ok).toBe(true);
		expect(validateCriteria([one, { label: '  ', max: 10 }])).toEqual({ ok: false, problem: { key: 'evaluation.criteria.labelRequired', params: { index: 2 } } });
		expect(validateCriteria([{ label: '字'.repeat(20), max: 10 }]).ok).toBe(true);
		expect(validateCriteria([{ label: '字'.repeat(21), max: 10 }])).toMatchObject({ ok: false, problem: { key: 'evaluation.criteria.labelTooLong', params: { index: 1, max: 20 } } });
		expect(validateCriteria([one, { label: '效果', max: 5 }])).toMatchObject({ ok: false, problem: { key: 'evaluation.criteria.labelDuplicate', params: { index: 2 } } });
		for (const bad of [0, 101, 2.5, -1, '', 'abc', null]) expect(validateCriteria([{ label: 'x', max: bad }])).toMatchObject({ ok: false, problem: { key: 'evaluation.criteria.badMax' } });
		expect(validateCriteria([{ label: 'x', max: 1 }, { label: 'y', max: 100 }]).ok).toBe(true);
	});
});

describe('score values', () => {
	it('are whole numbers from 0 to each criterion’s maximum, one per criterion', () => {
		const criteria = [
			{ label: 'a', max: 25 },
			{ label: 'b', max: 10 }
		];
		expect(validScores(criteria, ['25', 0])).toEqual([25, 0]);
		expect(validScores(criteria, [26, 0])).toBeNull();
		expect(validScores(criteria, [20, 11])).toBeNull();
		expect(validScores(criteria, [20])).toBeNull();
		expect(validScores(criteria, [20, 5, 1])).toBeNull();
		expect(validScores(criteria, [20, 2.5])).toBeNull();
		expect(validScores(criteria, [20, -1])).toBeNull();
		expect(validScores(criteria, ['', 1])).toBeNull();
	});
});

describe('round phase', () => {
	const round = { state: 'open', opensAt: new Date('2026-12-20T01:00:00Z'), closesAt: new Date('2026-12-20T05:00:00Z') };
	it('follows the window, and a closed round is closed whatever the time', () => {
		expect(roundPhase(round, new Date('2026-12-20T00:59:59Z'))).toBe('pending');
		expect(roundPhase(round, new Date('2026-12-20T01:00:00Z'))).toBe('open');
		expect(roundPhase(round, new Date('2026-12-20T05:00:00Z'))).toBe('closed');
		expect(roundPhase({ ...round, state: 'closed' }, new Date('2026-12-20T02:00:00Z'))).toBe('closed');
	});
});

describe('aggregation', () => {
	const criteria = [
		{ label: 'a', max: 25 },
		{ label: 'b', max: 25 }
	];
	it('means per criterion and of the total, with the count', () => {
		const agg = aggregateProject(criteria, [
			{ projectItemId: 'p', scores: [20, 10], total: 30 },
			{ projectItemId: 'p', scores: [25, 15], total: 40 },
			{ projectItemId: 'p', scores: [18, 17], total: 35 }
		]);
		expect(agg.count).toBe(3);
		expect(agg.means[0]).toBeCloseTo(21, 10);
		expect(agg.means[1]).toBeCloseTo(14, 10);
		expect(agg.meanTotal).toBeCloseTo(35, 10);
		expect(aggregateProject(criteria, [])).toEqual({ count: 0, means: [null, null], meanTotal: null });
	});

	it('ranks with ties the standard competition way (1, 2, 2, 4), null unranked', () => {
		expect(competitionRanks([90, 80, 80, 70])).toEqual([1, 2, 2, 4]);
		expect(competitionRanks([70, 80, null, 90, 90])).toEqual([4, 3, null, 1, 1]);
		expect(competitionRanks([])).toEqual([]);
		// A mean of thirds that floating point puts a hair under 21 still ties with 21.
		expect(competitionRanks([21, (20.1 + 20.9 + 22) / 3])).toEqual([1, 1]);
	});

	it('averages a unit over its projects (each project weighs the same) and ranks units', () => {
		const means = new Map<string, number | null>([
			['p1', 80],
			['p2', 60],
			['p3', 70],
			['p4', 90],
			['p5', null]
		]);
		const result = rankUnits(
			[
				{ unitId: 'u1', unitName: '甲单位', projectItemIds: ['p1', 'p2'] }, // 70
				{ unitId: 'u2', unitName: '乙单位', projectItemIds: ['p3'] }, // 70
				{ unitId: 'u3', unitName: '丙单位', projectItemIds: ['p4', 'p5'] }, // 90 (p5 unscored)
				{ unitId: 'u4', unitName: '丁单位', projectItemIds: ['p2'] }, // 60
				{ unitId: 'u5', unitName: '戊单位', projectItemIds: ['p5'] } // none
			],
			means
		);
		expect(result.map((u) => [u.unitName, u.average, u.rank, u.scoredCount, u.projectCount])).toEqual([
			['丙单位', 90, 1, 1, 2],
			['甲单位', 70, 2, 2, 2],
			['乙单位', 70, 2, 1, 1],
			['丁单位', 60, 4, 1, 1],
			['戊单位', null, null, 0, 1]
		]);
	});
});
