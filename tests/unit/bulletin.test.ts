import { describe, expect, it } from 'vitest';
import { bulletinDraft, figuresDate, generatedParts, quarterBounds, quarterOf, refreshedBulletin, type BulletinFigures } from '../../src/lib/domain/bulletin';
import type { PmNode } from '../../src/lib/domain/record';

const figures = (over: Partial<BulletinFigures> = {}): BulletinFigures => ({
	scopeName: '东湖社区大党委',
	district: false,
	year: 2026,
	quarter: 4,
	asOf: '2026-11-28',
	total: 5,
	done: 1,
	inProgress: 1,
	notStarted: 1,
	overdue: 1,
	onHold: 1,
	missing: 2,
	completion: 0.2,
	perUnit: [{ unitName: '东湖小学', total: 2, done: 1, inProgress: 1, overdue: 0, missing: 0, completion: 0.5 }],
	perCommittee: [],
	overdueItems: [{ title: '开放停车场', committeeName: '东湖社区大党委', units: ['区城管局'], dueDate: '2026-11-08', days: 20 }],
	missingReports: [{ title: '课业辅导', unitName: '东湖小学', month: '2026-10' }],
	...over
});

const text = (node: PmNode): string => (node.type === 'text' ? (node.text ?? '') : (node.content ?? []).map(text).join(node.type === 'doc' ? '\n' : ''));

describe('quarters', () => {
	it('knows their first and last days, including a leap February', () => {
		expect(quarterBounds(2024, 1)).toEqual({ first: '2024-01-01', last: '2024-03-31' });
		expect(quarterBounds(2026, 4)).toEqual({ first: '2026-10-01', last: '2026-12-31' });
		expect(quarterBounds(2026, 2)).toEqual({ first: '2026-04-01', last: '2026-06-30' });
		expect(quarterOf('2026-11-28')).toEqual({ year: 2026, quarter: 4 });
		expect(quarterOf('2027-01-01')).toEqual({ year: 2027, quarter: 1 });
	});

	it('states figures as of the quarter’s end, or today while it runs', () => {
		expect(figuresDate(2026, 4, '2026-11-28')).toBe('2026-11-28');
		expect(figuresDate(2026, 3, '2026-11-28')).toBe('2026-09-30');
	});
});

describe('the bulletin draft and its refresh', () => {
	it('drafts title, figures, tables and the sections people write', () => {
		const doc = bulletinDraft(figures());
		const all = text(doc);
		expect(doc.content![0]).toMatchObject({ type: 'heading', attrs: { level: 1 } });
		expect(all).toContain('东湖社区大党委2026年第四季度共建项目督查通报');
		expect(all).toContain('已完成1个，完成率20%');
		expect(all).toContain('工作亮点');
		expect(doc.content!.filter((b) => b.attrs?.generated).map((b) => b.attrs!.generated)).toEqual(['asOf', 'summary', 'units', 'overdue', 'missing']);
		// A district bulletin has a table per committee too.
		expect(bulletinDraft(figures({ district: true, perCommittee: [{ name: '甲', total: 1, done: 1, overdue: 0, missing: 0, completion: 1 }] })).content!.some((b) => b.attrs?.generated === 'committees')).toBe(true);
	});

	it('replaces generated parts in place, keeps everything else, brings back a deleted part, and drops duplicates', () => {
		const draft = bulletinDraft(figures());
		const written: PmNode = { type: 'paragraph', content: [{ type: 'text', text: '亮点：东湖小学垃圾分类进课堂。' }] };
		// Someone wrote a highlight, deleted the overdue table and pasted the summary twice.
		const edited: PmNode = {
			...draft,
			content: [...draft.content!.filter((b) => b.attrs?.generated !== 'overdue'), written, draft.content!.find((b) => b.attrs?.generated === 'summary')!]
		};
		const next = refreshedBulletin(edited, figures({ done: 2, completion: 0.4, overdueItems: [] }));
		const all = text(next);
		expect(all).toContain('亮点：东湖小学垃圾分类进课堂。');
		expect(all).toContain('已完成2个，完成率40%');
		expect(all).not.toContain('已完成1个');
		expect(all.match(/共跟踪共建项目/g)).toHaveLength(1);
		// The overdue part is back, right after the units table.
		const keys = next.content!.map((b) => (b.attrs?.generated as string | undefined) ?? null).filter(Boolean);
		expect(keys).toEqual(['asOf', 'summary', 'units', 'overdue', 'missing']);
		expect(generatedParts(figures({ overdueItems: [] })).overdue[0]!.content![0]!.text).toBe('本季度无逾期项目。');
		// Headings and other blocks are the same objects as before: untouched.
		expect(next.content![0]).toBe(edited.content![0]);
	});
});
