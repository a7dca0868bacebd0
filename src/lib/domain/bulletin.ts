import type { PmNode } from './record';

/*
 * The quarterly supervision bulletin's generated parts, pure: the figures as tables and
 * sentences, the first draft around them, and the refresh that replaces only those parts.
 */

export type Quarter = 1 | 2 | 3 | 4;

/** The block attribute naming the generated part a block belongs to (see docs/generatedMarker.ts). */
export const GENERATED_ATTR = 'generated';

export interface BulletinFigures {
	/** 东湖社区大党委, or the district's name. */
	scopeName: string;
	district: boolean;
	year: number;
	quarter: Quarter;
	/** The China date the figures are as of (the quarter's last day, or today if earlier). */
	asOf: string;
	total: number;
	done: number;
	inProgress: number;
	notStarted: number;
	overdue: number;
	onHold: number;
	/** Monthly reports due and not filed, counted per unit and month. */
	missing: number;
	/** Done of all, 0–1. */
	completion: number;
	perUnit: { unitName: string; total: number; done: number; inProgress: number; overdue: number; missing: number; completion: number }[];
	/** District bulletins: one row per committee. */
	perCommittee: { name: string; total: number; done: number; overdue: number; missing: number; completion: number }[];
	overdueItems: { title: string; committeeName: string; units: string[]; dueDate: string; days: number }[];
	missingReports: { title: string; unitName: string; month: string }[];
}

export const GENERATED_KEYS = ['asOf', 'summary', 'committees', 'units', 'overdue', 'missing'] as const;
export type GeneratedKey = (typeof GENERATED_KEYS)[number];

const QUARTER_NAMES = ['一', '二', '三', '四'] as const;

export function quarterName(quarter: Quarter): string {
	return `第${QUARTER_NAMES[quarter - 1]}季度`;
}

/** The first and last China dates of a quarter. */
export function quarterBounds(year: number, quarter: Quarter): { first: string; last: string } {
	const firstMonth = (quarter - 1) * 3 + 1;
	const lastMonth = firstMonth + 2;
	const lastDay = new Date(Date.UTC(year, lastMonth, 0)).getUTCDate();
	const pad = (n: number) => String(n).padStart(2, '0');
	return { first: `${year}-${pad(firstMonth)}-01`, last: `${year}-${pad(lastMonth)}-${pad(lastDay)}` };
}

export function quarterOf(day: string): { year: number; quarter: Quarter } {
	return { year: Number(day.slice(0, 4)), quarter: (Math.floor((Number(day.slice(5, 7)) - 1) / 3) + 1) as Quarter };
}

/** Figures of a quarter are as of its last day; a quarter still running, as of today. */
export function figuresDate(year: number, quarter: Quarter, today: string): string {
	const { last } = quarterBounds(year, quarter);
	return today < last ? today : last;
}

export function bulletinTitle(f: Pick<BulletinFigures, 'scopeName' | 'year' | 'quarter'>): string {
	return `${f.scopeName}${f.year}年${quarterName(f.quarter)}共建项目督查通报`;
}

const percent = (rate: number) => `${Math.round(rate * 1000) / 10}%`;
const dateLabel = (day: string) => `${Number(day.slice(0, 4))}年${Number(day.slice(5, 7))}月${Number(day.slice(8, 10))}日`;
const monthLabel = (month: string) => `${Number(month.slice(0, 4))}年${Number(month.slice(5, 7))}月`;

const text = (value: string): PmNode[] => (value ? [{ type: 'text', text: value }] : []);
const marked = (key: GeneratedKey) => ({ [GENERATED_ATTR]: key });
const paragraph = (value: string, key?: GeneratedKey): PmNode => ({ type: 'paragraph', ...(key ? { attrs: marked(key) } : {}), content: text(value) });
const heading = (level: number, value: string): PmNode => ({ type: 'heading', attrs: { level }, content: text(value) });
const cell = (value: string, header: boolean): PmNode => ({ type: header ? 'tableHeader' : 'tableCell', content: [paragraph(value)] });

function table(key: GeneratedKey, head: string[], rows: string[][]): PmNode {
	return {
		type: 'table',
		attrs: marked(key),
		content: [{ type: 'tableRow', content: head.map((h) => cell(h, true)) }, ...rows.map((r) => ({ type: 'tableRow', content: r.map((v) => cell(v, false)) }))]
	};
}

/** Every generated part, by key; each block carries its key. */
export function generatedParts(f: BulletinFigures): Record<GeneratedKey, PmNode[]> {
	const summary =
		`截至${dateLabel(f.asOf)}，${f.year}年度共跟踪共建项目${f.total}个，` +
		`已完成${f.done}个，完成率${percent(f.completion)}；推进中${f.inProgress}个，未启动${f.notStarted}个，逾期未完成${f.overdue}个，暂缓${f.onHold}个。` +
		(f.missing > 0 ? `月度进展应报未报${f.missing}次。` : '各责任单位均按时报送了月度进展。');
	return {
		asOf: [paragraph(`（数据截至${dateLabel(f.asOf)}）`, 'asOf')],
		summary: [paragraph(summary, 'summary')],
		committees: f.district
			? f.perCommittee.length === 0
				? [paragraph('暂无委员会数据。', 'committees')]
				: [table('committees', ['委员会', '项目数', '已完成', '逾期', '未报', '完成率'], f.perCommittee.map((c) => [c.name, String(c.total), String(c.done), String(c.overdue), String(c.missing), percent(c.completion)]))]
			: [],
		units:
			f.perUnit.length === 0
				? [paragraph('本季度暂无责任单位的项目。', 'units')]
				: [
						table(
							'units',
							['责任单位', '项目数', '已完成', '推进中', '逾期', '未报', '完成率'],
							f.perUnit.map((u) => [u.unitName, String(u.total), String(u.done), String(u.inProgress), String(u.overdue), String(u.missing), percent(u.completion)])
						)
					],
		overdue:
			f.overdueItems.length === 0
				? [paragraph('本季度无逾期项目。', 'overdue')]
				: [
						table(
							'overdue',
							f.district ? ['项目', '委员会', '责任单位', '完成时限', '逾期天数'] : ['项目', '责任单位', '完成时限', '逾期天数'],
							f.overdueItems.map((o) => [o.title, ...(f.district ? [o.committeeName] : []), o.units.join('、'), dateLabel(o.dueDate), String(o.days)])
						)
					],
		missing:
			f.missingReports.length === 0
				? [paragraph('无应报未报的月度进展。', 'missing')]
				: [table('missing', ['项目', '责任单位', '月份'], f.missingReports.map((m) => [m.title, m.unitName, monthLabel(m.month)]))]
	};
}

/** The first draft: the title, the generated parts under their headings, and the sections people write. */
export function bulletinDraft(f: BulletinFigures): PmNode {
	const parts = generatedParts(f);
	const content: PmNode[] = [heading(1, bulletinTitle(f)), ...parts.asOf, heading(2, '一、总体情况'), ...parts.summary];
	let n = 1;
	const numeral = () => '一二三四五六七八九十'[n++]!;
	if (f.district) content.push(heading(2, `${numeral()}、各委员会推进情况`), ...parts.committees);
	content.push(heading(2, `${numeral()}、各责任单位推进情况`), ...parts.units);
	content.push(heading(2, `${numeral()}、逾期项目`), ...parts.overdue);
	content.push(heading(2, `${numeral()}、月度进展报送情况`), ...parts.missing);
	content.push(heading(2, `${numeral()}、工作亮点`), paragraph(''));
	content.push(heading(2, `${numeral()}、下一步工作要求`), paragraph(''));
	return { type: 'doc', content };
}

const keyOf = (node: PmNode): GeneratedKey | null => {
	const value = node.attrs?.[GENERATED_ATTR];
	return typeof value === 'string' && (GENERATED_KEYS as readonly string[]).includes(value) ? (value as GeneratedKey) : null;
};

/**
 * The document with its generated parts replaced by `f`'s, everything else as it was. A part
 * people deleted comes back after the part before it (or under the title); a part with no
 * place in this kind of bulletin (committees in a committee's) is dropped.
 */
export function refreshedBulletin(current: PmNode, f: BulletinFigures): PmNode {
	const parts = generatedParts(f);
	const blocks = current.content ?? [];
	const out: PmNode[] = [];
	const placed = new Set<GeneratedKey>();
	for (const block of blocks) {
		const key = keyOf(block);
		if (!key) {
			out.push(block);
			continue;
		}
		if (placed.has(key)) continue;
		placed.add(key);
		out.push(...parts[key]);
	}
	for (const key of GENERATED_KEYS) {
		if (placed.has(key) || parts[key].length === 0) continue;
		const before = GENERATED_KEYS.slice(0, GENERATED_KEYS.indexOf(key)).filter((k) => placed.has(k));
		const anchor = before.length > 0 ? before[before.length - 1]! : null;
		let at = anchor ? out.map(keyOf).lastIndexOf(anchor) + 1 : out[0]?.type === 'heading' ? 1 : 0;
		if (at < 0) at = out.length;
		out.splice(at, 0, ...parts[key]);
		placed.add(key);
	}
	return { ...current, content: out };
}
