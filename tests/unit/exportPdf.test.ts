import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PmNode } from '../../src/lib/domain/record';
import { recordPdf, recordsTocPdf } from '../../src/lib/server/export/pdf';
import { layoutRecord, type RecordLayout } from '../../src/lib/server/export/recordBlocks';
import { hasPoppler } from '../helpers/poppler';
import { SENTENCE, hostileRecord, longRecord, sampleRecord } from '../helpers/recordFixture';

/*
 * The PDF export, read back with poppler (pdftotext, pdffonts, pdfinfo): the words are there as
 * text, the CJK font is embedded as a subset, pages are numbered, nothing overflows the type
 * area, and a hostile record yields nothing active.
 */

const run = promisify(execFile);

const MM = 72 / 25.4;
const PAGE_WIDTH = 210 * MM;
const TYPE_LEFT = 28 * MM;
const TYPE_RIGHT = PAGE_WIDTH - 26 * MM;

const hashOf = (value: unknown): string => createHash('sha256').update(JSON.stringify(value)).digest('hex');
/**
 * pdftotext breaks lines (and may space CJK text), and a paragraph running onto the next page
 * has the page number in the middle: compare without whitespace and without "— n —".
 */
const squash = (text: string): string => text.replace(/—\s*\d+\s*—/g, '').replace(/\s+/g, '');

const text = (t: string, marks?: PmNode[]): PmNode => ({ type: 'text', text: t, ...(marks ? { marks } : {}) });
const p = (...content: PmNode[]): PmNode => ({ type: 'paragraph', content });
const LATIN = 'Supercalifragilisticexpialidocious'.repeat(40);
const URL_LIKE = `https://example.gov.cn/${'a1b2c3d4'.repeat(60)}`;
const CELL = '表格里很长的一段话，'.repeat(400);

/** Long unbroken Latin, a long link, a table cell longer than a page, nested lists, quotes. */
function wrapRecord() {
	return sampleRecord({
		content: {
			type: 'doc',
			content: [
				p(text(LATIN)),
				p(text('硬换行之前'), { type: 'hardBreak' }, text('硬换行之后')),
				p(text(URL_LIKE, [{ type: 'link', attrs: { href: URL_LIKE } }])),
				{
					type: 'orderedList',
					content: [
						{ type: 'listItem', content: [p(text('第一项')), { type: 'bulletList', content: [{ type: 'listItem', content: [p(text(`嵌套${LATIN}`))] }] }] },
						{ type: 'listItem', content: [p(text('第二项'))] }
					]
				},
				{ type: 'blockquote', content: [p(text(`引用${'引文'.repeat(200)}`))] },
				{ type: 'horizontalRule' },
				{
					type: 'table',
					content: [
						{ type: 'tableRow', content: [{ type: 'tableHeader', content: [p(text('单位'))] }, { type: 'tableHeader', content: [p(text('说明'))] }] },
						{ type: 'tableRow', content: [{ type: 'tableCell', content: [p(text(LATIN))] }, { type: 'tableCell', content: [p(text(CELL)), p(text('表格结束'))] }] }
					]
				},
				p(text('全文完'))
			]
		}
	});
}

interface Rendered {
	layout: RecordLayout;
	pdf: Buffer;
	file: string;
	ms: number;
}

interface Word {
	page: number;
	xMin: number;
	yMin: number;
	xMax: number;
	yMax: number;
	text: string;
}

async function pdftotext(file: string, ...args: string[]): Promise<string> {
	return (await run('pdftotext', [...args, file, '-'], { maxBuffer: 64 * 1024 * 1024 })).stdout;
}

async function pdfinfo(file: string): Promise<Record<string, string>> {
	const { stdout } = await run('pdfinfo', [file]);
	return Object.fromEntries(stdout.split('\n').filter((l) => l.includes(':')).map((l) => [l.slice(0, l.indexOf(':')).trim(), l.slice(l.indexOf(':') + 1).trim()]));
}

async function pageCount(file: string): Promise<number> {
	return Number((await pdfinfo(file))['Pages']);
}

/** Every word with its box, from pdftotext -bbox. */
async function words(file: string): Promise<Word[]> {
	const html = await pdftotext(file, '-bbox');
	const out: Word[] = [];
	let page = 0;
	for (const m of html.matchAll(/<page |<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g)) {
		if (m[0].startsWith('<page')) page++;
		else out.push({ page, xMin: Number(m[1]), yMin: Number(m[2]), xMax: Number(m[3]), yMax: Number(m[4]), text: m[5]! });
	}
	return out;
}

/** The text of the words between two x positions (one table column), in reading order. */
function columnText(all: Word[], from: number, to: number): string {
	return all
		.filter((w) => w.xMin >= from - 0.5 && w.xMax <= to + 0.5)
		.sort((a, b) => a.page - b.page || Math.round(a.yMin - b.yMin) || a.xMin - b.xMin)
		.map((w) => w.text)
		.join('');
}

/** The PDF's objects without stream data: every dictionary, action and annotation is here. */
function outsideStreams(pdf: Buffer): string {
	return pdf.toString('latin1').replace(/\bstream\r?\n[\s\S]*?\bendstream\b/g, 'stream endstream');
}

function uris(pdf: Buffer): string[] {
	return [...outsideStreams(pdf).matchAll(/\/URI\s*\(((?:\\.|[^\\)])*)\)/g)].map((m) => m[1]!.replace(/\\(.)/g, '$1'));
}

function expectInert(pdf: Buffer): void {
	const objects = outsideStreams(pdf);
	for (const name of ['JavaScript', 'JS', 'Launch', 'OpenAction', 'AA', 'SubmitForm', 'ImportData', 'GoToR', 'GoToE', 'EmbeddedFile', 'RichMedia', 'AcroForm']) {
		expect(objects, `/${name}`).not.toMatch(new RegExp(`/${name}(?![A-Za-z0-9])`));
	}
	expect(objects).not.toMatch(/javascript:/i);
	// Every link is a plain URI action, written as a literal string we can read.
	expect(objects.match(/\/URI\s*</g) ?? []).toEqual([]);
	expect((objects.match(/\/S\s*\/URI/g) ?? []).length).toBe(uris(pdf).length);
	for (const uri of uris(pdf)) expect(uri).toMatch(/^(https?:\/\/|mailto:)/i);
}

describe.skipIf(!hasPoppler && !process.env.CI)('PDF export', () => {
	let dir = '';
	const pdfs: Record<'sample' | 'long' | 'hostile' | 'wrap', Rendered> = {} as never;

	async function render(name: string, layout: RecordLayout): Promise<Rendered> {
		const started = performance.now();
		const pdf = await recordPdf(layout);
		const ms = performance.now() - started;
		const file = join(dir, `${name}.pdf`);
		await writeFile(file, pdf);
		return { layout, pdf, file, ms };
	}

	beforeAll(async () => {
		dir = await mkdtemp(join(tmpdir(), 'gongjian-pdf-'));
		for (const [name, body] of [
			['sample', sampleRecord()],
			['long', longRecord(10)],
			['hostile', hostileRecord()],
			['wrap', wrapRecord()]
		] as const) {
			pdfs[name] = await render(name, layoutRecord(body, hashOf(body)));
		}
	});

	afterAll(async () => {
		if (dir) await rm(dir, { recursive: true, force: true });
	});

	it('has poppler-utils to read the PDFs back', () => {
		expect(hasPoppler, 'pdftotext, pdffonts and pdfinfo (poppler-utils) must be installed in CI').toBe(true);
	});

	it('writes the record as Chinese text: title, body, decisions, units, attendance, annex, hash', async () => {
		const { layout, file, pdf } = pdfs.sample;
		expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
		const all = squash(await pdftotext(file));
		for (const expected of [
			layout.title,
			layout.number,
			layout.date,
			SENTENCE,
			'决议1：由区城管局牵头，6月底前新增分类投放点10处。',
			'责任单位：区城管局',
			'完成时限：2026-06-30',
			'区城管局',
			'东湖小学',
			'开展垃圾分类进课堂',
			'出席',
			'王委员（东湖小学）［线上］',
			'应到5人，实到3人',
			'会议决议',
			'序号',
			'决议内容',
			'附件：书面意见',
			'建议在小区入口增设宣传栏。',
			layout.issuer,
			layout.finalizedDate,
			`SHA-256:${layout.hash}`
		]) {
			expect(all).toContain(squash(expected));
		}
		const info = await pdfinfo(file);
		expect(info['Title']).toBe(layout.title);
		expect(info['Page size']).toMatch(/^595\.2\d x 841\.8\d pts/);
		expect(Number(info['Pages'])).toBeGreaterThanOrEqual(1);
	});

	it('puts the written opinions on a page of their own, after the decisions and the signature; the hash comes last', async () => {
		const { file } = pdfs.sample;
		const pages = (await pdftotext(file)).split('\f');
		const annex = pages.findIndex((page) => page.includes('附件：书面意见'));
		expect(annex).toBeGreaterThan(0);
		expect(squash(pages[annex]!).startsWith('附件：书面意见')).toBe(true);
		expect(pages.slice(0, annex).join('')).toContain('会议决议');
		// 落款 before the annex (GB/T 9704 7.3.5), the hash after everything.
		expect(squash(pages.slice(0, annex).join(''))).toContain('东湖社区大党委2026年3月14日');
		expect(pages.slice(annex).join('')).toContain('SHA-256');
	});

	it('links only the safe link, as a URI annotation', () => {
		expect(uris(pdfs.sample.pdf)).toEqual(['https://example.gov.cn/notice']);
		expectInert(pdfs.sample.pdf);
	});

	it('embeds the CJK font as a subset with a Unicode map', async () => {
		const { stdout } = await run('pdffonts', [pdfs.sample.file]);
		const rows = stdout.split('\n').slice(2).filter((l) => l.trim());
		expect(rows.length).toBeGreaterThanOrEqual(2);
		for (const row of rows) {
			expect(row).toMatch(/^[A-Z]{6}\+NotoSansHans-(Regular|Bold|Medium)\s+CID Type 0C\s+Identity-H\s+yes\s+yes\s+yes\s/);
		}
		expect(stdout).toMatch(/NotoSansHans-Regular/);
		expect(stdout).toMatch(/NotoSansHans-Bold/);
	});

	it('numbers the pages "— n —", odd ones on the right and even ones on the left', async () => {
		const { file } = pdfs.long;
		const pages = await pageCount(file);
		expect(pages).toBeGreaterThanOrEqual(8);
		expect(pages).toBeLessThanOrEqual(14);
		expect(pdfs.long.pdf.length).toBeLessThan(2 * 1024 * 1024);
		// Poppler's layout mode drops the spaces around a lone digit between CJK dashes; raw keeps them.
		const raw = await pdftotext(file, '-raw');
		expect(raw).toContain('— 1 —');
		expect(raw).toContain(`— ${pages} —`);
		const all = await words(file);
		for (let page = 1; page <= pages; page++) {
			const number = all.find((w) => w.page === page && w.text === String(page) && w.yMin > 297 * MM - 35 * MM);
			expect(number, `page number on page ${page}`).toBeDefined();
			if (page % 2 === 1) expect(number!.xMin).toBeGreaterThan(PAGE_WIDTH / 2);
			else expect(number!.xMax).toBeLessThan(PAGE_WIDTH / 2);
		}
	});

	it('sets 22 lines of 28 characters to a full page of body text', async () => {
		const page = (await pdftotext(pdfs.long.file, '-layout', '-f', '3', '-l', '3')).split('\n').filter((l) => /[\u4e00-\u9fff]/.test(l));
		expect(page).toHaveLength(22);
		expect(Math.max(...page.map((l) => squash(l).length))).toBe(28);
	});

	it('renders a hostile record as inert text', async () => {
		const { file, pdf, layout } = pdfs.hostile;
		const all = squash(await pdftotext(file));
		for (const expected of ['<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '点这里', '未知节点的文字', '很长'.repeat(50), '第200段', ']]><!-- <script>alert(1)</script>']) {
			expect(all).toContain(squash(expected));
		}
		expect(all).toContain(squash(`${'很长'.repeat(3000)}未知节点的文字&<>"'第1段`));
		expect((await pdfinfo(file))['Title']).toBe(layout.title);
		expect(layout.title).toContain('<script>');
		expectInert(pdf);
		expect(uris(pdf)).toEqual([]);
		expect(outsideStreams(pdf)).not.toMatch(/\/Subtype\s*\/Link/);
	});

	it('wraps long lines and long table cells inside the type area', async () => {
		for (const rendered of [pdfs.hostile, pdfs.wrap]) {
			const placed = await words(rendered.file);
			expect(placed.length).toBeGreaterThan(100);
			const outside = placed.filter((w) => w.xMin < TYPE_LEFT - 1 || w.xMax > TYPE_RIGHT + 1);
			expect(outside).toEqual([]);
		}
		const { file, pdf } = pdfs.wrap;
		const all = squash(await pdftotext(file));
		const placed = await words(file);
		for (const expected of [LATIN, URL_LIKE, `嵌套${LATIN}`, `引用${'引文'.repeat(200)}`, '全文完']) expect(all).toContain(expected);
		const before = placed.find((w) => w.text.includes('硬换行之前'))!;
		const after = placed.find((w) => w.text.includes('硬换行之后'))!;
		expect(after.yMin).toBeGreaterThan(before.yMax);
		expect(after.xMin).toBeLessThan(before.xMin);
		// The two-column table splits its long row over several pages, repeating its header row.
		const middle = TYPE_LEFT + (TYPE_RIGHT - TYPE_LEFT) / 2;
		const left = squash(columnText(placed, TYPE_LEFT, middle));
		const right = squash(columnText(placed, middle, TYPE_RIGHT));
		expect(left).toContain(`单位${LATIN.slice(0, 20)}`);
		expect(left.replaceAll('单位', '')).toContain(LATIN);
		expect(right.replaceAll('说明', '')).toContain(`${CELL}表格结束`);
		expect(right.split('说明').length - 1).toBeGreaterThan(3);
		expect(await pageCount(file)).toBeGreaterThan(4);
		expect(uris(pdf)).toContain(URL_LIKE);
		expectInert(pdf);
	});

	it('writes a table of contents for a yearly bundle', async () => {
		const entries = [1, 2, 3].map((seq) => ({
			number: `〔2026〕第${seq}号`,
			title: `东湖社区大党委2026年第${'一二三'[seq - 1]}次例会纪要`,
			date: `2026年${seq}月12日`,
			version: seq === 2 ? 2 : 1,
			hash: hashOf(seq)
		}));
		const pdf = await recordsTocPdf({ heading: '东湖社区大党委 2026年 纪要目录', subheading: '共3份', entries });
		const file = join(dir, 'toc.pdf');
		await writeFile(file, pdf);
		const all = squash(await pdftotext(file));
		expect(all).toContain(squash('东湖社区大党委 2026年 纪要目录'));
		expect(all).toContain('共3份');
		// One row per record; the title column wraps, so it is read as a column.
		const placed = await words(file);
		const header = placed.find((w) => w.text === '标题')!;
		const titles = columnText(placed.filter((w) => w.yMin > header.yMax), header.xMin - 60, header.xMax + 60);
		for (const entry of entries) {
			for (const expected of [entry.number, entry.date, entry.hash.slice(0, 16)]) expect(all).toContain(expected);
			expect(all).not.toContain(entry.hash.slice(0, 17));
			expect(titles).toContain(entry.title);
		}
		expect((await pdfinfo(file))['Title']).toBe('东湖社区大党委 2026年 纪要目录');
		expect(await pdftotext(file, '-raw')).toContain('— 1 —');
		expectInert(pdf);
	});

	it('renders thirty pages', async () => {
		const body = longRecord(30);
		const rendered = await render('long30', layoutRecord(body, hashOf(body)));
		const pages = await pageCount(rendered.file);
		expect(pages).toBeGreaterThanOrEqual(30);
		console.log(`PDF render: sample ${Math.round(pdfs.sample.ms)} ms (first, with font loading), longRecord(30) ${Math.round(rendered.ms)} ms for ${pages} pages, ${rendered.pdf.length} bytes`);
	}, 60_000);
});
