import { describe, expect, it } from 'vitest';
import { strFromU8, unzipSync } from 'fflate';
import { recordDocx } from '../../src/lib/server/export/docx';
import { layoutRecord } from '../../src/lib/server/export/recordBlocks';
import { hostileRecord, longRecord, sampleRecord, SENTENCE } from '../helpers/recordFixture';

const HASH = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';

type Parts = Record<string, string>;

async function render(body = sampleRecord()): Promise<Parts> {
	const buffer = await recordDocx(layoutRecord(body, HASH));
	expect(Buffer.isBuffer(buffer)).toBe(true);
	const files = unzipSync(new Uint8Array(buffer));
	const parts: Parts = {};
	for (const [name, bytes] of Object.entries(files)) if (/\.(xml|rels)$/.test(name)) parts[name] = strFromU8(bytes);
	return parts;
}

const part = (parts: Parts, name: string): string => {
	const xml = parts[name];
	if (xml === undefined) throw new Error(`${name} is missing`);
	return xml;
};

/** The paragraphs of a part (docx writes <w:p> without attributes, and none nest here). */
const paragraphs = (xml: string): string[] => [...xml.matchAll(/<w:p>([\s\S]*?)<\/w:p>/g)].map((m) => m[1] ?? '');
/** The text of a piece of WordprocessingML, entities left as they are. */
const textOf = (xml: string): string => [...xml.matchAll(/<w:t(?:\s[^>]*)?>([^<]*)<\/w:t>/g)].map((m) => m[1]).join('');
const runs = (xml: string): string[] => [...xml.matchAll(/<w:r>([\s\S]*?)<\/w:r>/g)].map((m) => m[1] ?? '');
const paragraphWith = (xml: string, text: string): string => {
	const found = paragraphs(xml).find((p) => textOf(p).includes(text));
	if (!found) throw new Error(`no paragraph with ${text}`);
	return found;
};
const attr = (xml: string, element: string, name: string): string | undefined =>
	new RegExp(`<w:${element}\\b[^>]*\\bw:${name}="([^"]*)"`).exec(xml)?.[1];

/** The run's East Asian face and size in half-points. */
const runLook = (run: string) => ({ eastAsia: attr(run, 'rFonts', 'eastAsia'), ascii: attr(run, 'rFonts', 'ascii'), size: attr(run, 'sz', 'val') });

/**
 * A small well-formedness check: tags nest and close, attributes are quoted and hold no '<',
 * text holds no raw '<' and only the five XML entities or character references.
 */
function assertWellFormed(xml: string): void {
	const stack: string[] = [];
	const token = /<\?[\s\S]*?\?>|<([/]?)([A-Za-z_][\w.:-]*)((?:\s+[\w.:-]+\s*=\s*"[^"<]*")*)\s*(\/?)>|([^<]+)|(<)/g;
	let m: RegExpExecArray | null;
	while ((m = token.exec(xml))) {
		if (m[6]) throw new Error(`stray '<' at ${m.index}: ${xml.slice(m.index, m.index + 40)}`);
		if (m[5] !== undefined) {
			const bad = /&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.exec(m[5]);
			if (bad) throw new Error(`bare '&' in text at ${m.index}`);
			continue;
		}
		if (!m[2]) continue; // declaration
		if (m[1]) {
			const open = stack.pop();
			if (open !== m[2]) throw new Error(`</${m[2]}> closes <${open}>`);
		} else if (!m[4]) stack.push(m[2]);
	}
	if (stack.length) throw new Error(`unclosed ${stack.join(' > ')}`);
}

/** The footer part for a sectPr footerReference type ('default' is the odd pages, 'even' the even ones). */
function footer(parts: Parts, type: 'default' | 'even'): string {
	const document = part(parts, 'word/document.xml');
	const rels = part(parts, 'word/_rels/document.xml.rels');
	const id = new RegExp(`<w:footerReference w:type="${type}" r:id="([^"]+)"`).exec(document)?.[1];
	expect(id, `footerReference ${type}`).toMatch(/^rId\d+$/);
	const target = new RegExp(`<Relationship Id="${id}"[^>]*Target="([^"]+)"`).exec(rels)?.[1];
	expect(target).toMatch(/^footer\d+\.xml$/);
	return part(parts, `word/${target}`);
}

describe('DOCX export (GB/T 9704 纪要)', () => {
	it('sets up an A4 page with the official margins and a 22 × 28 grid', async () => {
		const doc = part(await render(), 'word/document.xml');
		const sect = /<w:sectPr>[\s\S]*<\/w:sectPr>/.exec(doc)?.[0] ?? '';
		expect(sect).toMatch(/<w:pgSz w:w="11906" w:h="16838"/);
		expect(attr(sect, 'pgMar', 'top')).toBe('2098');
		expect(attr(sect, 'pgMar', 'bottom')).toBe('1984');
		expect(attr(sect, 'pgMar', 'left')).toBe('1587');
		expect(attr(sect, 'pgMar', 'right')).toBe('1474');
		expect(attr(sect, 'docGrid', 'type')).toBe('linesAndChars');
		// 22 lines of 579 twips fill the 12756-twip (225 mm) type area.
		const pitch = Number(attr(sect, 'docGrid', 'linePitch'));
		expect(pitch).toBe(579);
		expect(pitch * 22).toBeLessThanOrEqual(16838 - 2098 - 1984);
		expect(pitch * 23).toBeGreaterThan(16838 - 2098 - 1984);
		// 28 characters of (16 pt + charSpace/4096 pt) fill the 8845-twip (156 mm) line.
		const pitchPt = 16 + Number(attr(sect, 'docGrid', 'charSpace')) / 4096;
		expect(Math.abs(pitchPt * 20 * 28 - (11906 - 1587 - 1474))).toBeLessThan(28);
	});

	it('sets the title in 2号小标宋, the number and date in 3号仿宋, centred', async () => {
		const doc = part(await render(), 'word/document.xml');
		const title = paragraphWith(doc, '东湖社区大党委2026年第三次例会纪要');
		expect(paragraphs(doc)[0]).toBe(title);
		expect(title).toContain('<w:jc w:val="center"/>');
		for (const run of runs(title)) expect(runLook(run)).toEqual({ eastAsia: '方正小标宋简体', ascii: 'Times New Roman', size: '44' });
		for (const text of ['〔2026〕第3号', '2026年3月12日']) {
			const p = paragraphWith(doc, text);
			expect(p).toContain('<w:jc w:val="center"/>');
			for (const run of runs(p)) expect(runLook(run)).toMatchObject({ eastAsia: '仿宋_GB2312', size: '32' });
		}
	});

	it('sets body text in 3号仿宋 on the grid with a two-character first-line indent, every run naming its faces', async () => {
		const doc = part(await render(), 'word/document.xml');
		const body = paragraphWith(doc, SENTENCE);
		for (const run of runs(body)) expect(runLook(run)).toEqual({ eastAsia: '仿宋_GB2312', ascii: 'Times New Roman', size: '32' });
		expect(body).toMatch(/<w:spacing [^>]*w:line="579" w:lineRule="exact"/);
		// Two grid characters of ≈ 316 twips.
		const indent = Number(attr(body, 'ind', 'firstLine'));
		expect(indent).toBeGreaterThan(600);
		expect(indent).toBeLessThan(660);
		// Nothing is left for Word to guess: every run with text has an East Asian and a Latin face.
		for (const run of runs(doc).filter((r) => r.includes('<w:t'))) {
			expect(attr(run, 'rFonts', 'eastAsia')).toMatch(/^(方正小标宋简体|仿宋_GB2312|黑体|楷体_GB2312|宋体)$/);
			expect(attr(run, 'rFonts', 'ascii')).toMatch(/^(Times New Roman|宋体)$/);
			expect(attr(run, 'rFonts', 'hAnsi')).toBe(attr(run, 'rFonts', 'ascii'));
		}
		// No embedded fonts.
		expect(doc).not.toContain('embedRegular');
	});

	it('sets headings in 黑体 and 楷体 without adding numbering', async () => {
		const doc = part(await render(), 'word/document.xml');
		const h1 = paragraphWith(doc, '垃圾分类推进情况');
		expect(textOf(h1)).toBe('一、垃圾分类推进情况');
		for (const run of runs(h1)) expect(runLook(run)).toMatchObject({ eastAsia: '黑体', size: '32' });
		const h2 = paragraphWith(doc, '存在问题');
		expect(textOf(h2)).toBe('（一）存在问题');
		for (const run of runs(h2)) expect(runLook(run)).toMatchObject({ eastAsia: '楷体_GB2312', size: '32' });
		expect(doc).not.toContain('<w:numPr>');
	});

	it('puts the attendance in a two-column table before the text', async () => {
		const doc = part(await render(), 'word/document.xml');
		const table = /<w:tbl>[\s\S]*?<\/w:tbl>/.exec(doc)?.[0] ?? '';
		expect(doc.indexOf(table)).toBeLessThan(doc.indexOf('一、垃圾分类推进情况'));
		expect(table.match(/<w:gridCol /g)).toHaveLength(2);
		const text = textOf(table);
		for (const s of ['出席', '张书记、李委员（区第一人民医院）', '请假', '赵委员（区税务局），外出培训', '列席', '孙列席（街道党工委）', '应到5人，实到3人']) expect(text).toContain(s);
	});

	it('writes lists, decisions, tables and links from the blocks', async () => {
		const parts = await render();
		const doc = part(parts, 'word/document.xml');
		expect(textOf(paragraphWith(doc, '部分楼栋分类投放点不足'))).toBe('• 部分楼栋分类投放点不足');
		// The bold mark survives on its run.
		const marked = runs(paragraphWith(doc, '宣传覆盖不够')).find((r) => textOf(r) === '（重点）') ?? '';
		expect(marked).toContain('<w:b/>');

		const decision = paragraphWith(doc, '新增分类投放点10处');
		expect(textOf(decision)).toBe('决议1：由区城管局牵头，6月底前新增分类投放点10处。');
		const [label] = runs(decision);
		expect(textOf(label ?? '')).toBe('决议1：');
		expect(label).toContain('<w:b/>');
		expect(textOf(paragraphs(doc)[paragraphs(doc).indexOf(decision) + 1] ?? '')).toBe('责任单位：区城管局　完成时限：2026年6月30日');

		const tables = [...doc.matchAll(/<w:tbl>[\s\S]*?<\/w:tbl>/g)].map((m) => m[0]);
		const content = tables.find((t) => textOf(t).includes('开展垃圾分类进课堂')) ?? '';
		const [headerRow, dataRow] = [...content.matchAll(/<w:tr>[\s\S]*?<\/w:tr>/g)].map((m) => m[0]);
		expect(textOf(headerRow ?? '')).toBe('单位任务');
		expect(headerRow).toContain('<w:tblHeader/>');
		for (const run of runs(headerRow ?? '')) expect(run).toContain('<w:b/>');
		for (const run of runs(dataRow ?? '')) expect(run).not.toContain('<w:b/>');

		const link = paragraphWith(doc, '区政府网站');
		expect(textOf(link)).toBe('详见区政府网站。');
		const id = /<w:hyperlink [^>]*r:id="([^"]+)"/.exec(link)?.[1];
		expect(part(parts, 'word/_rels/document.xml.rels')).toMatch(new RegExp(`Id="${id}"[^>]*Target="https://example\\.gov\\.cn/notice" TargetMode="External"`));
	});

	it('turns line breaks inside a run into w:br', async () => {
		const body = sampleRecord({
			content: { type: 'doc', content: [{ type: 'paragraph', content: [{ type: 'text', text: '第一行' }, { type: 'hardBreak' }, { type: 'text', text: '第二行' }] }] }
		});
		const p = paragraphWith(part(await render(body), 'word/document.xml'), '第一行');
		expect(textOf(p)).toBe('第一行第二行');
		expect(p.match(/<w:br\/>/g)).toHaveLength(1);
		expect(p.indexOf('<w:br/>')).toBeGreaterThan(p.indexOf('第一行'));
		expect(p.indexOf('<w:br/>')).toBeLessThan(p.indexOf('第二行'));
	});

	it('lists the decisions in a 序号 / 决议内容 / 责任单位 / 完成时限 table', async () => {
		const doc = part(await render(), 'word/document.xml');
		const heading = paragraphWith(doc, '会议决议');
		for (const run of runs(heading)) expect(runLook(run).eastAsia).toBe('黑体');
		const after = doc.slice(doc.indexOf(heading));
		const table = /<w:tbl>[\s\S]*?<\/w:tbl>/.exec(after)?.[0] ?? '';
		const rows = [...table.matchAll(/<w:tr>[\s\S]*?<\/w:tr>/g)].map((m) => m[0]);
		expect(rows).toHaveLength(2);
		const cells = (row: string) => [...row.matchAll(/<w:tc>[\s\S]*?<\/w:tc>/g)].map((m) => textOf(m[0]));
		expect(cells(rows[0] ?? '')).toEqual(['序号', '决议内容', '责任单位', '完成时限']);
		expect(rows[0]).toContain('<w:tblHeader/>');
		expect(cells(rows[1] ?? '')).toEqual(['1', '由区城管局牵头，6月底前新增分类投放点10处。', '区城管局', '2026年6月30日']);
	});

	it('leaves out the decisions section and the annex when there are none', async () => {
		const doc = part(await render(sampleRecord({ decisions: [], opinions: [] })), 'word/document.xml');
		expect(doc).not.toContain('会议决议');
		expect(doc).not.toContain('附件');
		expect(doc).not.toContain('<w:pageBreakBefore/>');
	});

	it('signs with the issuer and date on the right, puts the opinions on a new page, and ends with the hash', async () => {
		const doc = part(await render(), 'word/document.xml');
		const all = paragraphs(doc);
		const issuer = all.findIndex((p) => textOf(p) === '东湖社区大党委');
		expect(issuer).toBeGreaterThan(0);
		expect(all[issuer]).toContain('<w:jc w:val="right"/>');
		expect(textOf(all[issuer + 1] ?? '')).toBe('2026年3月14日');
		expect(all[issuer + 1]).toContain('<w:jc w:val="right"/>');

		// 附件说明 in the text, the annex itself on a new page.
		expect(all.findIndex((p) => textOf(p) === '附件：书面意见')).toBeLessThan(issuer);
		const annex = all.findIndex((p) => p.includes('<w:pageBreakBefore/>'));
		expect(annex).toBeGreaterThan(issuer);
		expect(textOf(all[annex] ?? '')).toBe('附件');
		const annexText = all.slice(annex).map(textOf).join('\n');
		for (const s of ['书面意见', '垃圾分类推进情况', '赵委员（区税务局）', '2026年3月11日', '建议在小区入口增设宣传栏。']) expect(annexText).toContain(s);

		const last = all.at(-1) ?? '';
		expect(textOf(last)).toContain(HASH);
		for (const run of runs(last)) expect(Number(runLook(run).size)).toBeLessThan(32);
	});

	it('numbers pages "— n —" in 4号宋体, right on odd pages and left on even pages', async () => {
		const parts = await render();
		expect(part(parts, 'word/settings.xml')).toContain('<w:evenAndOddHeaders/>');
		for (const [type, side] of [['default', 'right'], ['even', 'left']] as const) {
			const xml = footer(parts, type);
			const [p, ...more] = paragraphs(xml);
			expect(more).toHaveLength(0);
			expect(p).toContain(`<w:jc w:val="${side}"/>`);
			expect(p).toMatch(/<w:instrText[^>]*>\s*PAGE\s*<\/w:instrText>/);
			expect(p).toContain('<w:fldChar w:fldCharType="begin"/>');
			expect(textOf(p ?? '')).toBe('— ' + ' —');
			for (const run of runs(p ?? '')) {
				expect(attr(run, 'rFonts', 'eastAsia')).toBe('宋体');
				expect(attr(run, 'rFonts', 'ascii')).toBe('宋体');
				expect(attr(run, 'sz', 'val')).toBe('28');
			}
		}
	});

	it('keeps a hostile record inert', async () => {
		const parts = await render(hostileRecord());
		for (const [name, xml] of Object.entries(parts)) {
			expect(() => assertWellFormed(xml), name).not.toThrow();
			expect(xml, name).not.toMatch(/<script|<img|<a\s|<b>|<!--|\]\]>/i);
		}
		const doc = part(parts, 'word/document.xml');
		const text = paragraphs(doc).map(textOf).join('\n');
		expect(text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
		expect(text).toContain('&lt;img src=x onerror=alert(1)&gt;');
		expect(text).toContain('提出人：&lt;/w:t&gt;&lt;w:t&gt;');
		expect(text).toContain(']]&gt;&lt;!-- &lt;script&gt;');
		expect(textOf(paragraphs(doc)[0] ?? '')).toContain('&lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt;');
		expect(part(parts, 'docProps/core.xml')).toContain('&lt;script&gt;');
		// The control characters are gone, the rest escaped.
		expect(text).toContain('&amp; &lt; &gt; &quot;');
		expect(doc).not.toMatch(/[\u0000-\u0008\uFFFE]/);

		// Links other than http(s)/mailto are plain text and make no relationship.
		const rels = part(parts, 'word/_rels/document.xml.rels');
		for (const target of [...rels.matchAll(/Target="([^"]*)"/g)].map((m) => m[1] ?? '')) expect(target).not.toMatch(/^\s*(javascript|data|vbscript):/i);
		expect(rels).not.toContain('TargetMode="External"');
		expect(doc).not.toContain('<w:hyperlink');
		expect(text).toContain('点这里');

		// All 200 paragraphs, once each, in order.
		const numbered = paragraphs(doc)
			.map((p) => /^第(\d+)段 /.exec(textOf(p))?.[1])
			.filter((n): n is string => n !== undefined)
			.map(Number);
		expect(numbered).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
		expect(text).toContain('很长'.repeat(3000));
		expect(text).toContain('未知节点的文字');
		expect(doc).not.toContain('onload');
	});

	it('checks links itself, even in a layout that did not come from layoutRecord', async () => {
		const layout = layoutRecord(sampleRecord(), HASH);
		layout.blocks = [
			{ kind: 'paragraph', runs: [{ text: '甲', href: 'javascript:alert(1)' }, { text: '乙', href: 'data:text/html,x' }, { text: '丙', href: ' vbscript:x' }] },
			{ kind: 'quote', blocks: [{ kind: 'paragraph', runs: [{ text: '丁', href: 'mailto:office@example.cn' }] }] }
		];
		const files = unzipSync(new Uint8Array(await recordDocx(layout)));
		const rels = strFromU8(files['word/_rels/document.xml.rels'] ?? new Uint8Array());
		const doc = strFromU8(files['word/document.xml'] ?? new Uint8Array());
		expect(rels).not.toMatch(/javascript:|data:|vbscript:/i);
		expect(rels.match(/TargetMode="External"/g)).toHaveLength(1);
		expect(rels).toContain('Target="mailto:office@example.cn"');
		expect(textOf(paragraphWith(doc, '甲'))).toBe('甲乙丙');
		// The quote is indented on both sides.
		const quote = paragraphWith(doc, '丁');
		expect(Number(attr(quote, 'ind', 'left'))).toBeGreaterThan(600);
		expect(Number(attr(quote, 'ind', 'right'))).toBeGreaterThan(600);
	});

	it('numbers ordered list items, indents nested lists, and draws rules', async () => {
		const layout = layoutRecord(sampleRecord(), HASH);
		const para = (text: string) => ({ kind: 'paragraph' as const, runs: [{ text }] });
		layout.blocks = [
			{
				kind: 'list',
				ordered: true,
				items: [[para('外层一'), { kind: 'list', ordered: false, items: [[para('内层甲')], [para('内层乙')]] }], [para('外层二')]]
			},
			{ kind: 'rule' }
		];
		const doc = strFromU8(unzipSync(new Uint8Array(await recordDocx(layout)))['word/document.xml'] ?? new Uint8Array());
		expect(textOf(paragraphWith(doc, '外层一'))).toBe('1. 外层一');
		expect(textOf(paragraphWith(doc, '外层二'))).toBe('2. 外层二');
		expect(textOf(paragraphWith(doc, '内层甲'))).toBe('• 内层甲');
		expect(attr(paragraphWith(doc, '外层一'), 'ind', 'left')).toBeUndefined();
		expect(Number(attr(paragraphWith(doc, '内层乙'), 'ind', 'left'))).toBeGreaterThan(600);
		const order = ['外层一', '内层甲', '内层乙', '外层二'].map((t) => doc.indexOf(t));
		expect(order).toEqual([...order].sort((a, b) => a - b));
		expect(doc).toMatch(/<w:pBdr><w:bottom [^>]*w:val="single"/);
	});

	it('renders a 30-page record', async () => {
		const doc = part(await render(longRecord(30)), 'word/document.xml');
		expect(paragraphs(doc).filter((p) => textOf(p).includes(SENTENCE + SENTENCE))).toHaveLength(180);
		expect(() => assertWellFormed(doc)).not.toThrow();
	});
});
