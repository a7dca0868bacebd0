import { describe, expect, it } from 'vitest';
import type { AttendanceSummary } from '../../src/lib/domain/attendance';
import { minutesSchema } from '../../src/lib/docs/minutes';
import {
	CLOSING_TEXT_MAX,
	DEFAULT_TITLE_PATTERNS,
	SPECIAL_TITLE_PATTERN,
	TITLE_PATTERN_MAX,
	beijingYearBounds,
	buildMinutesSkeleton,
	checkTemplate,
	chineseNumeral,
	formatChineseDateTime,
	minutesTitle,
	renderTitle,
	titlePatternFor,
	type PmJson,
	type SkeletonInput
} from '../../src/lib/docs/minutesTemplate';
import { plainText } from '../../src/lib/server/minutes';

const vars = { committee: '幸福社区大党委', year: 2026, n: 3, kind: '例会', date: '2026年3月12日' };

function summary(over: Partial<AttendanceSummary> = {}): AttendanceSummary {
	return {
		members: 0,
		present: [],
		remote: [],
		absent: [],
		delegated: [],
		notRecorded: [],
		units: [],
		attending: 0,
		quorumPercent: 50,
		quorumMet: false,
		...over
	};
}

const baseInput: SkeletonInput = {
	title: '幸福社区大党委2026年第3次工作例会纪要',
	startsAt: '2026-12-10T06:30:00.000Z',
	place: '社区党群服务中心三楼会议室',
	onlineLink: '',
	host: '王书记',
	recorder: '李记录',
	attendance: null,
	agenda: [],
	closingText: ''
};

/** Validates against the minutes schema (throws on anything the editor would not accept). */
function valid(json: PmJson): void {
	minutesSchema().nodeFromJSON(json).check();
}

/** The document as lines: "h1:…", "p:…", so layout assertions read like the minutes. */
function lines(json: PmJson): string[] {
	return (json.content ?? []).map((node) => {
		const tag = node.type === 'heading' ? `h${String(node.attrs?.level)}` : 'p';
		const body = (node.content ?? []).map((c) => (c.type === 'hardBreak' ? '\n' : plainText(c))).join('');
		return `${tag}:${body}`;
	});
}

describe('title patterns', () => {
	it('renders every placeholder, repeatedly, leaving other text alone', () => {
		expect(renderTitle(DEFAULT_TITLE_PATTERNS.community, vars)).toBe('幸福社区大党委2026年第3次工作例会纪要');
		expect(renderTitle('{committee}（{date}）{kind}纪要 {n}/{n}', vars)).toBe('幸福社区大党委（2026年3月12日）例会纪要 3/3');
		expect(renderTitle('无占位符', vars)).toBe('无占位符');
	});

	it('titles the minutes from the meeting, in Beijing time', () => {
		// 2025-12-31 20:00 UTC is already 2026-01-01 in Beijing.
		const meeting = { committeeName: '和平街道大工委', kind: 'regular' as const, startsAt: '2025-12-31T20:00:00Z', ordinal: 1 };
		expect(minutesTitle(DEFAULT_TITLE_PATTERNS.street, meeting)).toBe('和平街道大工委2026年第1次工作会议纪要');
		expect(minutesTitle('{committee}{date}{kind}', meeting)).toBe('和平街道大工委2026年1月1日例会');
	});

	it('gives special meetings their own title unless the pattern names the kind', () => {
		expect(titlePatternFor(DEFAULT_TITLE_PATTERNS.community, 'special')).toBe(SPECIAL_TITLE_PATTERN);
		expect(titlePatternFor(DEFAULT_TITLE_PATTERNS.community, 'regular')).toBe(DEFAULT_TITLE_PATTERNS.community);
		const special = { committeeName: '幸福社区大党委', kind: 'special' as const, startsAt: '2026-05-01T02:00:00Z', ordinal: 2 };
		expect(minutesTitle(DEFAULT_TITLE_PATTERNS.community, special)).toBe('幸福社区大党委专题会议纪要');
		expect(minutesTitle('{committee}{year}年第{n}次{kind}纪要', special)).toBe('幸福社区大党委2026年第2次专题会议纪要');
	});

	it('validates patterns: required, length, known placeholders, balanced braces', () => {
		expect(checkTemplate({ titlePattern: '  {committee}\n纪要 ', closingText: ' 抄送：\r\n街道 \n' })).toEqual({
			ok: true,
			value: { titlePattern: '{committee} 纪要', closingText: '抄送：\n街道' }
		});
		const errorOf = (titlePattern: string, closingText = '') => {
			const r = checkTemplate({ titlePattern, closingText });
			return r.ok ? null : r.errors;
		};
		expect(errorOf('   ')?.titlePattern?.key).toBe('template.error.titleRequired');
		expect(errorOf('字'.repeat(TITLE_PATTERN_MAX))).toBeNull();
		expect(errorOf('字'.repeat(TITLE_PATTERN_MAX + 1))?.titlePattern).toEqual({ key: 'template.error.titleTooLong', params: { max: TITLE_PATTERN_MAX } });
		expect(errorOf('{committee}{month}纪要')?.titlePattern).toEqual({ key: 'template.error.unknownPlaceholder', params: { name: '{month}' } });
		expect(errorOf('{Committee}纪要')?.titlePattern?.key).toBe('template.error.unknownPlaceholder');
		expect(errorOf('{committee纪要')?.titlePattern?.key).toBe('template.error.strayBrace');
		expect(errorOf('{year}年}')?.titlePattern?.key).toBe('template.error.strayBrace');
		// Characters, not UTF-16 units: a CJK extension character counts once.
		expect(errorOf('纪要', '𠀀'.repeat(CLOSING_TEXT_MAX))).toBeNull();
		expect(errorOf('纪要', 'a'.repeat(CLOSING_TEXT_MAX + 1))?.closingText).toEqual({ key: 'template.error.closingTooLong', params: { max: CLOSING_TEXT_MAX } });
	});
});

describe('dates and numerals', () => {
	it('formats time in Beijing time', () => {
		expect(formatChineseDateTime('2026-12-10T06:30:00Z')).toBe('2026年12月10日 14:30');
		expect(formatChineseDateTime('2026-03-04T17:05:00Z')).toBe('2026年3月5日 1:05');
		expect(formatChineseDateTime('not a date')).toBe('');
	});

	it('bounds a Beijing year', () => {
		expect(beijingYearBounds(2026)).toEqual({ start: new Date('2025-12-31T16:00:00Z'), end: new Date('2026-12-31T16:00:00Z') });
	});

	it('writes section numbers the official way', () => {
		const cases: [number, string][] = [
			[1, '一'],
			[2, '二'],
			[9, '九'],
			[10, '十'],
			[11, '十一'],
			[19, '十九'],
			[20, '二十'],
			[21, '二十一'],
			[99, '九十九'],
			[100, '一百'],
			[101, '一百零一'],
			[110, '一百一十'],
			[1001, '一千零一'],
			[1010, '一千零一十'],
			[2300, '二千三百']
		];
		for (const [n, text] of cases) expect(chineseNumeral(n), String(n)).toBe(text);
		expect(chineseNumeral(0)).toBe('0');
		expect(chineseNumeral(12345)).toBe('12345');
	});
});

describe('the skeleton', () => {
	it('lays out empty input as a valid document with one placeholder section', () => {
		const json = buildMinutesSkeleton({ ...baseInput, title: '', place: '', host: '', recorder: '' });
		valid(json);
		expect(lines(json)).toEqual([
			'h1:',
			'p:时间：2026年12月10日 14:30',
			'p:地点：',
			'p:主持人：',
			'p:记录人：',
			'p:出席：',
			'p:请假：',
			'h2:会议议题',
			'h3:一、（议题）',
			'p:'
		]);
	});

	it('lays out a full meeting in the official order', () => {
		const json = buildMinutesSkeleton({
			...baseInput,
			onlineLink: 'https://meeting.example.cn/j/123',
			attendance: summary({
				members: 7,
				present: ['王书记', '李记录', '张委员'],
				remote: ['赵委员'],
				absent: [
					{ name: '钱委员', reason: '出差' },
					{ name: '孙委员', reason: '' }
				],
				delegated: [{ name: '周委员', to: '张委员' }],
				attending: 4,
				quorumMet: true
			}),
			agenda: [
				{ title: '传达上级会议精神', presenter: '王书记', durationMinutes: 15, notes: '' },
				{ title: '  研究需求清单\n', presenter: '', durationMinutes: 30, notes: '第一行\n\n第二行' },
				...Array.from({ length: 9 }, (_, i) => ({ title: `议题${i + 3}`, presenter: '', durationMinutes: 5, notes: '' }))
			],
			closingText: '报送：区委组织部\n\n抄送：各驻区单位'
		});
		valid(json);
		const all = lines(json);
		expect(all.slice(0, 12)).toEqual([
			'h1:幸福社区大党委2026年第3次工作例会纪要',
			'p:时间：2026年12月10日 14:30',
			'p:地点：社区党群服务中心三楼会议室',
			'p:线上会议：https://meeting.example.cn/j/123',
			'p:主持人：王书记',
			'p:记录人：李记录',
			'p:出席：王书记、李记录、张委员（现场）',
			'p:线上：赵委员',
			'p:请假：钱委员（出差）、孙委员',
			'p:委托：周委员 委托 张委员',
			'p:应到 7 人，实到 4 人，已达到法定人数',
			'h2:会议议题'
		]);
		expect(all.slice(12, 19)).toEqual(['h3:一、传达上级会议精神', 'p:汇报人：王书记', 'p:', 'h3:二、研究需求清单', 'p:第一行\n第二行', 'p:', 'h3:三、议题3']);
		expect(all.filter((l) => l.startsWith('h3:')).at(-1)).toBe('h3:十一、议题11');
		expect(all.slice(-3)).toEqual(['p:', 'p:报送：区委组织部', 'p:抄送：各驻区单位']);
	});

	it('says so when the quorum is not met, and gives no verdict before attendance is taken', () => {
		const short = buildMinutesSkeleton({ ...baseInput, attendance: summary({ members: 5, present: ['甲'], attending: 1, quorumMet: false, notRecorded: ['乙', '丙', '丁', '戊'] }) });
		valid(short);
		expect(lines(short)).toContain('p:应到 5 人，实到 1 人，未达到法定人数');
		const none = buildMinutesSkeleton({ ...baseInput, attendance: summary({ members: 5, notRecorded: ['甲', '乙', '丙', '丁', '戊'] }) });
		valid(none);
		expect(lines(none).slice(5, 8)).toEqual(['p:出席：', 'p:请假：', 'p:应到 5 人']);
		// Only online attendance: the present line stays as a label.
		const remote = buildMinutesSkeleton({ ...baseInput, attendance: summary({ members: 2, remote: ['甲', '乙'], attending: 2, quorumMet: true }) });
		expect(lines(remote).slice(5, 8)).toEqual(['p:出席：', 'p:线上：甲、乙', 'p:应到 2 人，实到 2 人，已达到法定人数']);
	});

	it('lists carried-over tracked items under 上次会议决议落实情况 before the topics, numbered apart', () => {
		const json = buildMinutesSkeleton({
			...baseInput,
			agenda: [
				{ title: '督办：错时停车', presenter: '', durationMinutes: 5, notes: '督办原因：已逾期', followUp: { title: '协调共建单位开放停车场', units: ['区生态环境分局', '区人民医院'], dueDate: '2026-11-08', status: '逾期', progress: 30, helpNeeded: ['请街道协调开放时段'] } },
				{ title: '社区食堂选址', presenter: '王书记', durationMinutes: 20, notes: '' },
				{ title: '督办：楼道照明', presenter: '', durationMinutes: 5, notes: '', followUp: { title: '楼道照明改造', units: [], dueDate: '', status: '进行中', progress: 60, helpNeeded: [] } }
			]
		});
		valid(json);
		expect(lines(json).slice(7)).toEqual([
			'h2:上次会议决议落实情况',
			'p:1. 协调共建单位开放停车场（责任单位：区生态环境分局、区人民医院；完成时限：2026-11-08；目前：逾期，进度 30%）',
			'p:需协调：请街道协调开放时段',
			'p:',
			'p:2. 楼道照明改造（目前：进行中，进度 60%）',
			'p:',
			'h2:会议议题',
			'h3:一、社区食堂选址',
			'p:汇报人：王书记',
			'p:'
		]);
		// Only follow-ups: no empty topic is invented.
		const only = buildMinutesSkeleton({ ...baseInput, agenda: [{ title: '督办', presenter: '', durationMinutes: 5, notes: '', followUp: { title: '甲', units: [], dueDate: '', status: '逾期', progress: 0, helpNeeded: [] } }] });
		expect(lines(only).slice(-1)).toEqual(['h2:会议议题']);
	});
});
