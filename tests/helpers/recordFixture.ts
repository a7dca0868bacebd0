import { RECORD_FORMAT, type PmNode, type RecordBody } from '../../src/lib/domain/record';

/*
 * Frozen record bodies for exporter tests: an ordinary one, one of a given length in pages,
 * and a hostile one (script tags, javascript: links, very long lines, 200 paragraphs).
 */

const text = (t: string, marks?: PmNode[]): PmNode => ({ type: 'text', text: t, ...(marks ? { marks } : {}) });
const p = (...content: PmNode[]): PmNode => ({ type: 'paragraph', content });
const h = (level: number, t: string): PmNode => ({ type: 'heading', attrs: { level }, content: [text(t)] });

export const SENTENCE = '会议听取了各驻区单位关于垃圾分类和老旧小区改造的工作汇报，研究部署下一阶段共建任务。';

export function sampleRecord(overrides: Partial<RecordBody> = {}): RecordBody {
	return {
		format: RECORD_FORMAT,
		kind: 'minutes',
		year: 2026,
		seq: 3,
		version: 1,
		committee: { id: '00000000-0000-4000-8000-000000000001', name: '东湖社区大党委', kind: 'community' },
		meeting: { id: '00000000-0000-4000-8000-000000000002', title: '2026年第三次例会', kind: 'regular', startsAt: '2026-03-12T06:30:00.000Z', place: '社区党群服务中心二楼会议室' },
		attendance: {
			present: [
				{ name: '张书记', unit: null, remote: false },
				{ name: '李委员', unit: '区第一人民医院', remote: false },
				{ name: '王委员', unit: '东湖小学', remote: true }
			],
			excused: [
				{ name: '赵委员', unit: '区税务局', reason: '外出培训', delegatedTo: null },
				{ name: '钱委员', unit: '区城管局', reason: '', delegatedTo: '李委员' }
			],
			observers: [{ name: '孙列席', unit: '街道党工委' }],
			expected: 5,
			attending: 3
		},
		content: {
			type: 'doc',
			content: [
				h(2, '一、垃圾分类推进情况'),
				p(text(SENTENCE)),
				h(3, '（一）存在问题'),
				{ type: 'bulletList', content: [{ type: 'listItem', content: [p(text('部分楼栋分类投放点不足'))] }, { type: 'listItem', content: [p(text('宣传覆盖不够'), text('（重点）', [{ type: 'bold' }]))] }] },
				{
					type: 'decision',
					attrs: { id: 'd1', units: 'u1', dueDate: '2026-06-30', proposalId: '' },
					content: [p(text('由区城管局牵头，6月底前新增分类投放点10处。'))]
				},
				{
					type: 'table',
					content: [
						{ type: 'tableRow', content: [{ type: 'tableHeader', content: [p(text('单位'))] }, { type: 'tableHeader', content: [p(text('任务'))] }] },
						{ type: 'tableRow', content: [{ type: 'tableCell', content: [p(text('东湖小学'))] }, { type: 'tableCell', content: [p(text('开展垃圾分类进课堂'))] }] }
					]
				},
				p(text('详见'), text('区政府网站', [{ type: 'link', attrs: { href: 'https://example.gov.cn/notice' } }]), text('。'))
			]
		},
		decisions: [{ blockId: 'd1', position: 1, text: '由区城管局牵头，6月底前新增分类投放点10处。', units: ['区城管局'], dueDate: '2026-06-30' }],
		opinions: [{ agendaItem: '垃圾分类推进情况', author: '赵委员', unit: '区税务局', body: '建议在小区入口增设宣传栏。', writtenAt: '2026-03-11T02:00:00.000Z' }],
		confirmations: [
			{ party: '区第一人民医院', kind: 'unit', status: 'confirmed', reason: '', answeredBy: '李委员', answeredAt: '2026-03-13T02:00:00.000Z' },
			{ party: '区税务局', kind: 'unit', status: 'none', reason: '', answeredBy: null, answeredAt: null }
		],
		override: null,
		finalizedBy: '张书记',
		finalizedAt: '2026-03-14T08:00:00.000Z',
		...overrides
	};
}

/** About `pages` A4 pages of body text (22 lines × 28 characters a page). */
export function longRecord(pages: number): RecordBody {
	const paragraphs: PmNode[] = [];
	for (let i = 0; i < pages * 6; i++) {
		if (i % 12 === 0) paragraphs.push(h(2, `${'一二三四五六七八九十'[Math.floor(i / 12) % 10]}、第${i / 12 + 1}项议题`));
		paragraphs.push(p(text(`${i + 1}. ${SENTENCE}${SENTENCE}`)));
	}
	return sampleRecord({ content: { type: 'doc', content: paragraphs } });
}

/** Everything a malicious member could type or push into the minutes. */
export function hostileRecord(): RecordBody {
	const paragraphs: PmNode[] = [
		p(text('<script>alert(1)</script>')),
		p(text('点这里', [{ type: 'link', attrs: { href: 'javascript:alert(document.cookie)' } }])),
		p(text('数据', [{ type: 'link', attrs: { href: 'data:text/html,<script>alert(1)</script>' } }])),
		p(text('<img src=x onerror=alert(1)>')),
		p(text('---\ntitle: injected\n---')),
		p(text('[x](javascript:alert(1)) ![y](javascript:alert(2)) <a href="javascript:alert(3)">z</a>')),
		p(text('很长'.repeat(3000))),
		{ type: 'unknownNode', attrs: { onload: 'alert(1)' }, content: [text('未知节点的文字')] },
		{ type: 'paragraph', attrs: { style: 'x' }, content: [text('& < > " \' \u0000 \u0008 \uFFFE')] }
	];
	for (let i = 0; i < 200; i++) paragraphs.push(p(text(`第${i + 1}段 ${SENTENCE}`)));
	return sampleRecord({
		meeting: { id: '00000000-0000-4000-8000-000000000002', title: '<script>alert("title")</script>', kind: 'regular', startsAt: '2026-03-12T06:30:00.000Z', place: '"><img src=x onerror=alert(1)>' },
		committee: { id: '00000000-0000-4000-8000-000000000001', name: '社区/../大党委<b>', kind: 'community' },
		content: { type: 'doc', content: paragraphs },
		opinions: [{ agendaItem: '<script>', author: '</w:t><w:t>', unit: null, body: ']]><!-- <script>alert(1)</script>', writtenAt: '2026-03-11T02:00:00.000Z' }]
	});
}
