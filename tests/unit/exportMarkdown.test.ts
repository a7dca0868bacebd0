import { describe, expect, it } from 'vitest';
import { recordMarkdown, yamlString, type MarkdownMeta } from '../../src/lib/server/export/markdown';
import { layoutRecord, type RecordLayout } from '../../src/lib/server/export/recordBlocks';
import { hostileRecord, longRecord, sampleRecord } from '../helpers/recordFixture';

const HASH = 'a'.repeat(64);
const META: MarkdownMeta = { committee: '东湖社区大党委', number: '〔2026〕第3号', version: 1, date: '2026-03-12', finalizedAt: '2026-03-14T08:00:00.000Z', hash: HASH };

/** A tiny reader for the front matter this exporter writes: `key: "double-quoted"` or `key: 123`. */
function readFrontMatter(md: string): { fm: Record<string, string | number>; rest: string } {
	const lines = md.split('\n');
	expect(lines[0]).toBe('---');
	const end = lines.indexOf('---', 1);
	expect(end).toBeGreaterThan(0);
	const fm: Record<string, string | number> = {};
	for (const line of lines.slice(1, end)) {
		const m = /^([a-z_0-9]+): (.*)$/.exec(line);
		expect(m, line).not.toBeNull();
		const key = m![1]!;
		const value = m![2]!;
		expect(fm).not.toHaveProperty(key);
		fm[key] = value.startsWith('"') ? unquote(value) : Number(value);
	}
	return { fm, rest: lines.slice(end + 1).join('\n') };
}

/** YAML double-quoted scalar, the escapes yamlString uses; anything after the closing quote fails. */
function unquote(value: string): string {
	const m = /^"((?:[^"\\]|\\(?:[\\"nrt]|u[0-9a-f]{4}))*)"$/.exec(value);
	expect(m, value).not.toBeNull();
	return m![1]!.replace(/\\(?:([\\"])|([nrt])|u([0-9a-f]{4}))/g, (_, lit, c, hex) =>
		lit ? lit : c ? ({ n: '\n', r: '\r', t: '\t' } as Record<string, string>)[c] : String.fromCharCode(parseInt(hex, 16))
	);
}

/** Lines that are exactly `---` at column 0. */
const ruleLines = (md: string) => md.split('\n').flatMap((line, i) => (line === '---' ? [i] : []));

describe('Markdown export', () => {
	const layout = layoutRecord(sampleRecord(), HASH);
	const md = recordMarkdown(layout, META);

	it('opens with a front matter block that reads back to the metadata', () => {
		const { fm } = readFrontMatter(md);
		expect(fm).toEqual({ committee: '东湖社区大党委', number: '〔2026〕第3号', version: 1, date: '2026-03-12', finalized_at: '2026-03-14T08:00:00.000Z', sha256: HASH });
		expect(md.split('\n').slice(0, 8)).toEqual([
			'---',
			'committee: "东湖社区大党委"',
			'number: "〔2026〕第3号"',
			'version: 1',
			'date: "2026-03-12"',
			'finalized_at: "2026-03-14T08:00:00.000Z"',
			`sha256: "${HASH}"`,
			'---'
		]);
	});

	it('quotes front matter values so user text can neither end the block nor add keys', () => {
		const evil = 'x"\nsha256: "forged\\\n---\ttitle: injected\u2028\u0007';
		const out = recordMarkdown(layout, { ...META, committee: evil });
		const { fm } = readFrontMatter(out);
		expect(fm.committee).toBe(evil);
		expect(fm.sha256).toBe(HASH);
		expect(ruleLines(out)[1]).toBe(7);
		expect(yamlString('a"b\\c\nd')).toBe('"a\\"b\\\\c\\nd"');
	});

	it('lays out title, number, date, attendance, body, decisions, signature, annex and hash', () => {
		const { rest } = readFrontMatter(md);
		const lines = rest.split('\n');
		expect(lines).toContain(`# ${layout.title}`);
		expect(rest).toContain('〔2026〕第3号  \n会议日期：2026年3月12日');
		expect(rest).toContain('**出席：** 张书记、李委员（区第一人民医院）、王委员（东湖小学）［线上］');
		expect(rest).toContain('应到5人，实到3人');
		expect(lines).toContain('## 一、垃圾分类推进情况');
		expect(lines).toContain('### （一）存在问题');
		expect(lines).toContain('- 部分楼栋分类投放点不足');
		// Bold that CommonMark would not open (punctuation after a CJK letter) is kept as a tag.
		expect(lines).toContain('- 宣传覆盖不够<strong>（重点）</strong>');
		expect(lines).toContain('**决议1：** 由区城管局牵头，6月底前新增分类投放点10处。');
		expect(lines).toContain('责任单位：区城管局　完成时限：2026-06-30');
		expect(rest).toContain('| 单位 | 任务 |\n| --- | --- |\n| 东湖小学 | 开展垃圾分类进课堂 |');
		expect(lines).toContain('详见[区政府网站](https://example.gov.cn/notice)。');
		expect(rest).toContain('| 序号 | 决议内容 | 责任单位 | 完成时限 |');
		expect(lines).toContain('| 1 | 由区城管局牵头，6月底前新增分类投放点10处。 | 区城管局 | 2026-06-30 |');
		expect(lines).toContain('## 附件：书面意见');
		expect(lines).toContain('建议在小区入口增设宣传栏。');
		expect(rest).toContain('赵委员（区税务局）　2026年3月11日');
		expect(rest).toContain('东湖社区大党委  \n2026年3月14日');
		expect(lines.filter((l) => l !== '').at(-1)).toBe(`SHA-256: ${HASH}`);
		// Sections come in the document's order; the signature (落款) precedes the annex (GB/T 9704).
		const order = ['# ', '〔2026〕', '**出席', '## 一、', '**决议1', '| 序号', '东湖社区大党委  ', '## 附件', 'SHA-256'].map((s) => lines.findIndex((l) => l.startsWith(s)));
		expect(order).toEqual([...order].sort((a, b) => a - b));
		expect(order.every((i) => i >= 0)).toBe(true);
	});

	it('escapes Markdown in user text and encodes link targets', () => {
		const custom: RecordLayout = {
			...layout,
			blocks: [
				{ kind: 'paragraph', runs: [{ text: '*星* _下_ `码` [链](x) #号 a|b ~~删~~ 1\\2 &amp; www.example.com https://evil.test' }] },
				{ kind: 'paragraph', runs: [{ text: '- 不是列表\n+ 也不是\n1. 不是编号\n# 不是标题\n> 不是引用\n===' }] },
				{ kind: 'paragraph', runs: [{ text: '链接', href: 'https://example.com/a b)(c|d' }] },
				{ kind: 'list', ordered: false, items: [[{ kind: 'paragraph', runs: [{ text: '一' }] }, { kind: 'list', ordered: true, items: [[{ kind: 'paragraph', runs: [{ text: '甲\n乙' }] }]] }]] },
				{ kind: 'quote', blocks: [{ kind: 'paragraph', runs: [{ text: '引文' }] }, { kind: 'paragraph', runs: [{ text: '第二段' }] }] },
				{ kind: 'table', rows: [{ header: false, cells: [[[{ text: 'a|b' }]], [[{ text: '多' }], [{ text: '段' }]]] }] },
				{ kind: 'heading', level: 3, runs: [{ text: '小标题 #' }] },
				{ kind: 'rule' }
			]
		};
		const out = readFrontMatter(recordMarkdown(custom, META)).rest;
		const lines = out.split('\n');
		expect(out).toContain(
			'\\*星\\* \\_下\\_ \\`码\\` \\[链\\]\\(x\\) \\#号 a\\|b \\~\\~删\\~\\~ 1\\\\2 &amp;amp; www\\.example.com https\\://evil.test'
		);
		expect(out).toContain('\\- 不是列表  \n\\+ 也不是  \n1\\. 不是编号  \n\\# 不是标题  \n&gt; 不是引用  \n\\===');
		expect(lines).toContain('[链接](https://example.com/a%20b%29%28c%7Cd)');
		expect(out).toContain('- 一\n\n  1. 甲  \n     乙');
		expect(out).toContain('> 引文\n>\n> 第二段');
		expect(out).toContain('|   |   |\n| --- | --- |\n| a\\|b | 多 段 |');
		expect(lines).toContain('#### 小标题 \\#');
		expect(ruleLines(out)).toHaveLength(1);
	});

	it('keeps a hostile record inert', () => {
		const hostile = recordMarkdown(layoutRecord(hostileRecord(), HASH), { ...META, committee: '社区/../大党委<b>' });
		const { fm, rest } = readFrontMatter(hostile);
		expect(fm.committee).toBe('社区/../大党委<b>');
		expect(rest).not.toMatch(/<script/i);
		expect(rest).not.toMatch(/<img/i);
		expect(rest).not.toMatch(/<a[\s>]/i);
		expect(rest).not.toMatch(/<b>/i);
		expect(hostile).not.toMatch(/\]\(\s*javascript:/i);
		expect(hostile).not.toMatch(/\]\(\s*data:/i);
		// The only raw HTML is the exporter's own inline formatting tags.
		expect(rest.match(/<\/?[a-z][^>]*>/gi)?.every((tag) => /^<\/?(strong|em|del)>$/.test(tag)) ?? true).toBe(true);
		expect(rest).toContain('&lt;script&gt;alert\\(1\\)&lt;/script&gt;');
		// The injected front matter stays paragraph text: no key at line start, no extra `---`.
		const lines = hostile.split('\n');
		expect(lines).not.toContain('title: injected');
		expect(lines.some((l) => /^title:/.test(l))).toBe(false);
		expect(ruleLines(hostile)).toEqual([0, 7]);
		expect(rest).toContain('\\---  \ntitle\\: injected  \n\\---');
		// Unsafe links were dropped by the layout; their words remain.
		expect(rest).toContain('点这里');
		expect(rest).toContain('未知节点的文字');
		expect(rest).toContain('很长'.repeat(3000));
		for (let i = 1; i <= 200; i++) expect(rest).toContain(`第${i}段 `);
		expect(lines).toContain('\\]\\]&gt;&lt;\\!-- &lt;script&gt;alert\\(1\\)&lt;/script&gt;');
	});

	it('renders a long record completely', () => {
		const out = recordMarkdown(layoutRecord(longRecord(10), HASH), META);
		// "1. …" paragraphs are text, not an ordered list.
		expect(out).toContain('\n1\\. 会议听取了');
		expect(out).toContain('\n60\\. 会议听取了');
		expect(out.split('\n').filter((l) => /^## /.test(l))).toHaveLength(5 + 2);
	});
});
