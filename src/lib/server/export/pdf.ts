import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import PDFDocument from 'pdfkit';
import { cleanText, plainOf, safeHref, type Block, type HeadingLevel, type RecordLayout, type Run } from './recordBlocks';

/*
 * The record as a PDF, laid out like the Word export (a 纪要 after GB/T 9704-2012): A4, type
 * area 156 × 225 mm, 22 lines of 16 pt a page, Noto Sans Hans standing in for the official
 * faces (Bold for 小标宋 and 黑体, Medium for 楷体). Everything is drawn as text; the only
 * active thing a PDF from here can hold is a link annotation to an http(s) or mailto address.
 */

type Doc = PDFKit.PDFDocument;

const MM = 72 / 25.4;
const PAGE = { width: 210 * MM, height: 297 * MM };
const MARGINS = { top: 37 * MM, bottom: 35 * MM, left: 28 * MM, right: 26 * MM };
const TYPE_WIDTH = PAGE.width - MARGINS.left - MARGINS.right;
const TYPE_HEIGHT = PAGE.height - MARGINS.top - MARGINS.bottom;

/** 3号 body text, 22 lines to the type area. */
const BODY_SIZE = 16;
const PITCH = TYPE_HEIGHT / 22;
const INDENT = 2 * BODY_SIZE;
/** 28 characters to the line (GB/T 9704 7.1): 16 pt faces set a hair tighter than their em. */
const BODY_TRACKING = TYPE_WIDTH / 28 - BODY_SIZE - 0.01;
const TITLE_SIZE = 22;
const TABLE_SIZE = 14;
const TABLE_PITCH = 22;
const PAGE_NUMBER_SIZE = 14;
const HASH_SIZE = 9;

// ── Fonts ─────────────────────────────────────────────────────────────────────────────────

const FONT_FILES = {
	regular: 'NotoSansHans-Regular.otf',
	medium: 'NotoSansHans-Medium.otf',
	bold: 'NotoSansHans-Bold.otf'
} as const;
type FontName = keyof typeof FONT_FILES;

let fontDir: string | undefined;

/**
 * Where @embedpdf/fonts-sc keeps its OTF files, found at run time through Node's resolver from
 * this module's location — the same under vitest/tsx (src/) and in the built server (build/),
 * as long as node_modules is next to it.
 */
function fontDirectory(): string {
	if (!fontDir) {
		const require = createRequire(import.meta.url);
		fontDir = join(dirname(require.resolve('@embedpdf/fonts-sc')), '..', 'fonts');
	}
	return fontDir;
}

const fontData = new Map<FontName, Promise<Buffer>>();

/** Each font file is read once per process; a failed read is retried next time. */
function loadFont(name: FontName): Promise<Buffer> {
	let data = fontData.get(name);
	if (!data) {
		data = readFile(join(fontDirectory(), FONT_FILES[name]));
		data.catch(() => fontData.delete(name));
		fontData.set(name, data);
	}
	return data;
}

async function newDocument(title: string): Promise<{ doc: Doc; done: Promise<Buffer> }> {
	const [regular, medium, bold] = await Promise.all([loadFont('regular'), loadFont('medium'), loadFont('bold')]);
	const doc = new PDFDocument({
		size: 'A4',
		margins: MARGINS,
		bufferPages: true,
		lang: 'zh-CN',
		displayTitle: true,
		info: { Title: title, Creator: 'gongjian', Producer: 'gongjian' }
	});
	const done = new Promise<Buffer>((resolve, reject) => {
		const chunks: Uint8Array[] = [];
		doc.on('data', (chunk: Uint8Array) => chunks.push(chunk));
		doc.on('end', () => resolve(Buffer.concat(chunks)));
		doc.on('error', reject);
	});
	// pdfkit subsets embedded fonts itself (CID Type 0C, only the glyphs used).
	doc.registerFont('regular', regular);
	doc.registerFont('medium', medium);
	doc.registerFont('bold', bold);
	doc.font('regular').fontSize(BODY_SIZE);
	return { doc, done };
}

/** The gap pdfkit adds under a line so that lines of this face and size are `pitch` apart. */
function gapFor(doc: Doc, font: FontName, size: number, pitch: number): number {
	doc.font(font).fontSize(size);
	return Math.max(0, pitch - doc.currentLineHeight(true));
}

// ── Page flow ─────────────────────────────────────────────────────────────────────────────

const maxY = (doc: Doc): number => doc.page.height - doc.page.margins.bottom;
const top = (doc: Doc): number => doc.page.margins.top;

function newPage(doc: Doc): void {
	doc.addPage();
	doc.x = MARGINS.left;
	doc.y = top(doc);
}

/** Starts a new page unless `height` still fits on this one (and this one is not fresh). */
function ensureSpace(doc: Doc, height: number): void {
	if (doc.y + height > maxY(doc) + 0.01 && doc.y > top(doc) + 0.5) newPage(doc);
}

interface Frame {
	/** Left edge of the text (absolute). */
	x: number;
	width: number;
	/** First-line indent for paragraphs in this frame. */
	indent: number;
	depth: number;
}

const BODY_FRAME: Frame = { x: MARGINS.left, width: TYPE_WIDTH, indent: INDENT, depth: 0 };

interface TextStyle {
	font: FontName;
	size: number;
	pitch: number;
	align?: 'left' | 'center' | 'right';
	/** Character spacing, pt (negative to tighten). */
	tracking?: number;
}

const BODY: TextStyle = { font: 'regular', size: BODY_SIZE, pitch: PITCH, tracking: BODY_TRACKING };

/**
 * One paragraph of runs, wrapped by pdfkit (CJK breaks anywhere, over-long words are cut) and
 * flowing onto new pages. Bold runs switch to the Bold face; links become URI annotations only
 * when they are http(s) or mailto, checked again here.
 */
function runsText(doc: Doc, runs: Run[], frame: Frame, style: TextStyle, indent = frame.indent): void {
	// A hard break (a run of "\n", or one inside a run) starts a new line without the indent;
	// pdfkit's continued text would otherwise let the next run carry on the same line.
	const lines: Run[][] = [[]];
	for (const run of runs) {
		run.text.split('\n').forEach((text, i) => {
			if (i > 0) lines.push([]);
			if (text) lines[lines.length - 1]!.push({ ...run, text });
		});
	}
	lines.forEach((parts, i) => runsLine(doc, parts, frame, style, i === 0 ? indent : 0));
}

function runsLine(doc: Doc, parts: Run[], frame: Frame, style: TextStyle, indent: number): void {
	doc.x = frame.x;
	if (parts.length === 0) {
		// An empty paragraph keeps its line.
		ensureSpace(doc, style.pitch);
		doc.y += style.pitch;
		return;
	}
	ensureSpace(doc, style.pitch);
	parts.forEach((run, i) => {
		const font: FontName = run.bold ? 'bold' : style.font;
		const options: PDFKit.Mixins.TextOptions = {
			continued: i < parts.length - 1,
			lineGap: gapFor(doc, font, style.size, style.pitch),
			underline: run.underline === true,
			strike: run.strike === true,
			oblique: run.italic ? 10 : false,
			link: safeHref(run.href) ?? null,
			align: style.align ?? 'left',
			characterSpacing: style.tracking ?? 0
		};
		doc.font(font).fontSize(style.size);
		if (i === 0) doc.text(run.text, frame.x, doc.y, { ...options, width: frame.width, indent });
		else doc.text(run.text, options);
	});
	doc.x = frame.x;
}

function line(doc: Doc, text: string, frame: Frame, style: TextStyle, indent = 0): void {
	runsText(doc, [{ text }], frame, style, indent);
}

const HEADING_FONT: Record<HeadingLevel, FontName> = { 1: 'bold', 2: 'medium', 3: 'bold' };

function renderBlocks(doc: Doc, blocks: Block[], frame: Frame): void {
	for (const block of blocks) renderBlock(doc, block, frame);
}

function renderBlock(doc: Doc, block: Block, frame: Frame, prefix?: Run): void {
	const lead = (runs: Run[]): Run[] => (prefix ? [prefix, ...runs] : runs);
	switch (block.kind) {
		case 'heading':
			// Keep a heading with at least one line of what follows.
			ensureSpace(doc, 2 * PITCH);
			runsText(doc, lead(block.runs), frame, { ...BODY, font: HEADING_FONT[block.level] });
			return;
		case 'paragraph':
			runsText(doc, lead(block.runs), frame, BODY);
			return;
		case 'list': {
			if (prefix) line(doc, prefix.text, frame, { ...BODY, font: prefix.bold ? 'bold' : 'regular' }, frame.indent);
			const shift = frame.depth === 0 ? INDENT : BODY_SIZE * 2;
			const inner: Frame = { x: frame.x + shift, width: Math.max(frame.width - shift, 4 * BODY_SIZE), indent: 0, depth: frame.depth + 1 };
			block.items.forEach((item, i) => {
				const mark: Run = { text: block.ordered ? `${i + 1}. ` : '• ' };
				const [first, ...rest] = item;
				if (!first) line(doc, mark.text, inner, BODY);
				else renderBlock(doc, first, inner, mark);
				renderBlocks(doc, rest, inner);
			});
			return;
		}
		case 'quote': {
			if (prefix) line(doc, prefix.text, frame, BODY, frame.indent);
			const inner: Frame = { ...frame, x: frame.x + INDENT, width: Math.max(frame.width - 2 * INDENT, 4 * BODY_SIZE), depth: frame.depth + 1 };
			renderBlocks(doc, block.blocks, inner);
			return;
		}
		case 'decision': {
			if (prefix) line(doc, prefix.text, frame, BODY, frame.indent);
			const label: Run = { text: `决议${block.number}：`, bold: true };
			const [first, ...rest] = block.blocks;
			if (first && (first.kind === 'paragraph' || first.kind === 'heading')) runsText(doc, [label, ...first.runs], frame, BODY);
			else {
				runsText(doc, [label], frame, BODY);
				if (first) renderBlock(doc, first, frame);
			}
			renderBlocks(doc, rest, frame);
			const meta: string[] = [];
			if (block.units.length > 0) meta.push(`责任单位：${block.units.join('、')}`);
			if (block.dueDate) meta.push(`完成时限：${block.dueDate}`);
			if (meta.length > 0) runsText(doc, [{ text: meta.join('　') }], frame, BODY);
			return;
		}
		case 'table': {
			if (prefix) line(doc, prefix.text, frame, BODY, frame.indent);
			const columns = Math.max(1, ...block.rows.map((r) => r.cells.length));
			const widths = Array.from({ length: columns }, () => frame.width / columns);
			drawTable(
				doc,
				block.rows.map((row) => ({
					header: row.header,
					cells: Array.from({ length: columns }, (_, i) => {
						const paragraphs = row.cells[i] ?? [];
						const allBold = paragraphs.every((runs) => runs.every((r) => r.bold || !r.text.trim()));
						return { text: paragraphs.map(plainOf).join('\n'), bold: row.header || (paragraphs.length > 0 && allBold) };
					})
				})),
				{ x: frame.x, widths }
			);
			return;
		}
		case 'rule': {
			if (prefix) line(doc, prefix.text, frame, BODY, frame.indent);
			ensureSpace(doc, PITCH);
			const y = doc.y + PITCH / 2;
			doc.save().lineWidth(0.75).moveTo(frame.x, y).lineTo(frame.x + frame.width, y).stroke().restore();
			doc.y += PITCH;
			return;
		}
	}
}

// ── Tables ────────────────────────────────────────────────────────────────────────────────

interface Cell {
	text: string;
	bold?: boolean;
	align?: 'left' | 'center' | 'right';
	/** Columns this cell covers (default 1). */
	span?: number;
}

interface Row {
	header?: boolean;
	cells: Cell[];
}

interface TableOptions {
	x: number;
	widths: number[];
	size?: number;
	pitch?: number;
}

const PAD_X = 5;
const PAD_Y = 3;

/**
 * A bordered table drawn cell by cell (pdfkit's own table clips and ellipsizes rows taller
 * than a page; minutes must not lose words). Leading header rows are repeated on every page
 * the table continues on; a row taller than what is left is split across pages, each cell
 * cut where its text stops fitting.
 */
function drawTable(doc: Doc, rows: Row[], options: TableOptions): void {
	const size = options.size ?? TABLE_SIZE;
	const pitch = options.pitch ?? TABLE_PITCH;
	const fontOf = (cell: Cell): FontName => (cell.bold ? 'bold' : 'regular');

	const layout = (row: Row): { x: number; width: number }[] => {
		let col = 0;
		return row.cells.map((cell) => {
			const span = Math.max(1, cell.span ?? 1);
			const x = options.x + options.widths.slice(0, col).reduce((a, b) => a + b, 0);
			const width = options.widths.slice(col, col + span).reduce((a, b) => a + b, 0);
			col += span;
			return { x, width };
		});
	};

	const textHeight = (text: string, font: FontName, width: number): number => {
		if (!text) return 0;
		const lineGap = gapFor(doc, font, size, pitch);
		doc.font(font).fontSize(size);
		return doc.heightOfString(text, { width, lineGap });
	};

	/** The longest prefix of `text` that fits in `height`, never cutting a surrogate pair. */
	const fitPrefix = (text: string, font: FontName, width: number, height: number): number => {
		let lo = 0;
		let hi = text.length;
		while (lo < hi) {
			const mid = Math.ceil((lo + hi) / 2);
			if (textHeight(text.slice(0, mid), font, width) <= height) lo = mid;
			else hi = mid - 1;
		}
		const code = text.charCodeAt(lo - 1);
		if (lo > 0 && lo < text.length && code >= 0xd800 && code <= 0xdbff) lo--;
		return lo;
	};

	const drawSlice = (row: Row, texts: string[], y: number, height: number): void => {
		const boxes = layout(row);
		row.cells.forEach((cell, i) => {
			const box = boxes[i]!;
			doc.save().lineWidth(0.5).rect(box.x, y, box.width, height).stroke().restore();
			const text = texts[i] ?? '';
			if (!text) return;
			const font = fontOf(cell);
			const lineGap = gapFor(doc, font, size, pitch);
			doc.font(font).fontSize(size);
			// `height` keeps pdfkit from paginating on its own: the slice was measured to fit.
			doc.text(text, box.x + PAD_X, y + PAD_Y, { width: box.width - 2 * PAD_X, height: height - 2 * PAD_Y + 1, lineGap, align: cell.align ?? 'left' });
		});
	};

	const rowHeight = (row: Row, texts: string[]): number => {
		const boxes = layout(row);
		const heights = row.cells.map((cell, i) => textHeight(texts[i] ?? '', fontOf(cell), boxes[i]!.width - 2 * PAD_X));
		return Math.max(pitch, ...heights) + 2 * PAD_Y;
	};

	let headerCount = 0;
	while (headerCount < rows.length - 1 && rows[headerCount]!.header) headerCount++;
	const headers = rows.slice(0, headerCount);
	const headerHeight = headers.reduce((sum, row) => sum + rowHeight(row, row.cells.map((c) => c.text)), 0);
	// Headers are repeated only when they leave most of a page for the rows.
	const repeat = headerCount > 0 && headerHeight < TYPE_HEIGHT / 3;

	let y = doc.y;
	let fresh = y <= top(doc) + 0.5;
	const breakPage = (index: number): void => {
		newPage(doc);
		y = doc.y;
		if (repeat && index >= headerCount) {
			for (const row of headers) {
				const h = rowHeight(row, row.cells.map((c) => c.text));
				drawSlice(row, row.cells.map((c) => c.text), y, h);
				y += h;
			}
		}
		fresh = true;
	};

	rows.forEach((row, index) => {
		let texts = row.cells.map((c) => c.text);
		// A table's header rows stay with its first body row.
		if (index === 0 && headerCount > 0 && !fresh) {
			const first = rows[headerCount];
			const need = headerHeight + (first ? Math.min(rowHeight(first, first.cells.map((c) => c.text)), 2 * pitch + 2 * PAD_Y) : 0);
			if (y + need > maxY(doc)) breakPage(index);
		}
		for (;;) {
			const need = rowHeight(row, texts);
			const left = maxY(doc) - y;
			if (need <= left + 0.01) {
				drawSlice(row, texts, y, need);
				y += need;
				fresh = false;
				break;
			}
			if (!fresh && need <= maxY(doc) - top(doc) - (repeat ? headerHeight : 0)) {
				breakPage(index);
				continue;
			}
			// Taller than what is left: fill this page with what fits of every cell.
			const boxes = layout(row);
			const room = left - 2 * PAD_Y;
			const cuts = row.cells.map((cell, i) => (room >= pitch * 0.5 ? fitPrefix(texts[i] ?? '', fontOf(cell), boxes[i]!.width - 2 * PAD_X, room) : 0));
			if (cuts.every((c) => c === 0)) {
				if (fresh) throw new Error('PDF table: a page cannot hold a single line of this row');
				breakPage(index);
				continue;
			}
			drawSlice(row, texts.map((t, i) => t.slice(0, cuts[i])), y, left);
			texts = texts.map((t, i) => t.slice(cuts[i]).replace(/^\n/, ''));
			breakPage(index);
		}
	});
	doc.x = MARGINS.left;
	doc.y = y + PITCH / 4;
}

// ── Finishing ─────────────────────────────────────────────────────────────────────────────

/**
 * 页码: "— 1 —" in 4号 under the type area, odd pages on the right, even pages on the left,
 * one character in from the edge of the type area.
 */
function stampPageNumbers(doc: Doc): void {
	const range = doc.bufferedPageRange();
	for (let i = range.start; i < range.start + range.count; i++) {
		doc.switchToPage(i);
		const number = i + 1;
		const label = `— ${number} —`;
		const bottom = doc.page.margins.bottom;
		// Writing below the bottom margin would make pdfkit start a new page.
		doc.page.margins.bottom = 0;
		doc.font('regular').fontSize(PAGE_NUMBER_SIZE);
		const width = doc.widthOfString(label);
		const y = doc.page.height - bottom + 7 * MM;
		const x = number % 2 === 1 ? doc.page.width - MARGINS.right - PAGE_NUMBER_SIZE - width : MARGINS.left + PAGE_NUMBER_SIZE;
		doc.text(label, x, y, { lineBreak: false });
		doc.page.margins.bottom = bottom;
	}
}

async function finish(doc: Doc, done: Promise<Buffer>): Promise<Buffer> {
	stampPageNumbers(doc);
	doc.end();
	return done;
}

// ── The record ────────────────────────────────────────────────────────────────────────────

function header(doc: Doc, layout: RecordLayout): void {
	doc.y = top(doc);
	line(doc, layout.title, BODY_FRAME, { font: 'bold', size: TITLE_SIZE, pitch: TITLE_SIZE * 1.5, align: 'center' });
	doc.y += PITCH / 2;
	const centred: TextStyle = { ...BODY, align: 'center' };
	if (layout.number) line(doc, layout.number, BODY_FRAME, centred);
	if (layout.dateLine) line(doc, layout.dateLine, BODY_FRAME, centred);
	doc.y += PITCH / 2;
}

function attendance(doc: Doc, layout: RecordLayout): void {
	const rows: Row[] = layout.attendance.filter((a) => a.people.trim()).map((a) => ({ cells: [{ text: a.label, bold: true, align: 'center' }, { text: a.people }] }));
	if (layout.attendanceSummary) rows.push({ cells: [{ text: layout.attendanceSummary, span: 2 }] });
	if (rows.length === 0) return;
	const label = 4 * TABLE_SIZE;
	drawTable(doc, rows, { x: MARGINS.left, widths: [label, TYPE_WIDTH - label] });
	doc.y += PITCH / 4;
}

function decisionsTable(doc: Doc, layout: RecordLayout): void {
	if (layout.decisions.length === 0) return;
	doc.y += PITCH / 2;
	ensureSpace(doc, PITCH + 3 * TABLE_PITCH);
	line(doc, '会议决议', BODY_FRAME, { ...BODY, font: 'bold', align: 'center' });
	const widths = [3 * TABLE_SIZE, 0, 7 * TABLE_SIZE, 7 * TABLE_SIZE];
	widths[1] = TYPE_WIDTH - widths[0]! - widths[2]! - widths[3]!;
	const head = (text: string): Cell => ({ text, bold: true, align: 'center' });
	drawTable(
		doc,
		[
			{ header: true, cells: [head('序号'), head('决议内容'), head('责任单位'), head('完成时限')] },
			...layout.decisions.map((d) => ({
				cells: [{ text: String(d.number), align: 'center' as const }, { text: d.text }, { text: d.units }, { text: d.dueDate, align: 'center' as const }]
			}))
		],
		{ x: MARGINS.left, widths }
	);
}

function opinionsAnnex(doc: Doc, layout: RecordLayout): void {
	if (layout.opinions.length === 0) return;
	newPage(doc);
	line(doc, '附件：书面意见', BODY_FRAME, { ...BODY, font: 'bold' });
	doc.y += PITCH / 2;
	for (const opinion of layout.opinions) {
		ensureSpace(doc, 3 * PITCH);
		if (opinion.agendaItem) runsText(doc, [{ text: `议题：${opinion.agendaItem}`, bold: true }], BODY_FRAME, BODY, 0);
		for (const paragraph of opinion.body.split('\n')) runsText(doc, [{ text: paragraph }], BODY_FRAME, BODY);
		line(doc, [opinion.author, opinion.date].filter(Boolean).join('　'), { ...BODY_FRAME, width: TYPE_WIDTH - INDENT }, { ...BODY, font: 'medium', align: 'right' });
		doc.y += PITCH / 2;
	}
}

/** 落款: the date four characters in from the right, the issuer centred over it (before any annex, GB/T 9704 7.3.5). */
function signature(doc: Doc, layout: RecordLayout): void {
	doc.y += PITCH;
	doc.font('regular').fontSize(BODY_SIZE);
	const dateWidth = Math.min(doc.widthOfString(layout.finalizedDate), TYPE_WIDTH);
	const issuerWidth = Math.min(doc.widthOfString(layout.issuer), TYPE_WIDTH);
	const issuerLines = Math.ceil(doc.heightOfString(layout.issuer || ' ', { width: TYPE_WIDTH }) / doc.currentLineHeight(true));
	ensureSpace(doc, (issuerLines + 2) * PITCH);
	const right = MARGINS.left + TYPE_WIDTH - 4 * BODY_SIZE;
	const dateX = Math.max(MARGINS.left, right - dateWidth);
	const centre = dateX + dateWidth / 2;
	const issuerX = Math.max(MARGINS.left, Math.min(centre - issuerWidth / 2, MARGINS.left + TYPE_WIDTH - issuerWidth));
	if (layout.issuer) line(doc, layout.issuer, { ...BODY_FRAME, x: issuerX, width: MARGINS.left + TYPE_WIDTH - issuerX }, BODY);
	if (layout.finalizedDate) line(doc, layout.finalizedDate, { ...BODY_FRAME, x: dateX, width: MARGINS.left + TYPE_WIDTH - dateX }, BODY);
}

/** The record's SHA-256, last, so a paper copy can be checked against the archive. */
function hashLine(doc: Doc, layout: RecordLayout): void {
	doc.y += PITCH / 2;
	doc.fillColor('#555555');
	line(doc, `SHA-256: ${layout.hash}`, BODY_FRAME, { font: 'regular', size: HASH_SIZE, pitch: HASH_SIZE * 1.5 });
	doc.fillColor('black');
}

/** The record as an A4 PDF (纪要 after GB/T 9704-2012). */
export async function recordPdf(layout: RecordLayout): Promise<Buffer> {
	const { doc, done } = await newDocument(layout.title);
	header(doc, layout);
	attendance(doc, layout);
	renderBlocks(doc, layout.blocks, BODY_FRAME);
	decisionsTable(doc, layout);
	signature(doc, layout);
	opinionsAnnex(doc, layout);
	hashLine(doc, layout);
	return finish(doc, done);
}

// ── The yearly table of contents ──────────────────────────────────────────────────────────

export interface RecordsToc {
	heading: string;
	subheading: string;
	entries: { number: string; title: string; date: string; version: number; hash: string }[];
}

/** The contents page of a yearly archive bundle: one row per record, with its hash prefix. */
export async function recordsTocPdf(toc: RecordsToc): Promise<Buffer> {
	const heading = cleanText(toc.heading);
	const { doc, done } = await newDocument(heading);
	doc.y = top(doc);
	line(doc, heading, BODY_FRAME, { font: 'bold', size: TITLE_SIZE, pitch: TITLE_SIZE * 1.5, align: 'center' });
	const subheading = cleanText(toc.subheading);
	if (subheading) line(doc, subheading, BODY_FRAME, { ...BODY, font: 'medium', align: 'center' });
	doc.y += PITCH / 2;
	const size = 10.5;
	const head = (text: string): Cell => ({ text, bold: true, align: 'center' });
	const header: Cell[] = [head('编号'), head('标题'), head('日期'), head('版本'), head('SHA-256（前16位）')];
	const rows: Cell[][] = toc.entries.map((e) => [
		{ text: cleanText(e.number) },
		{ text: cleanText(e.title) },
		{ text: cleanText(e.date), align: 'center' },
		{ text: Number.isFinite(e.version) ? String(e.version) : '', align: 'center' },
		{ text: cleanText(e.hash).slice(0, 16), align: 'center' }
	]);
	// Every column but the title is as wide as its widest cell (within reason); the title takes the rest.
	const natural = (column: number, max: number): number => {
		let width = 2 * size;
		for (const cells of [header, ...rows]) {
			const cell = cells[column]!;
			doc.font(cell.bold ? 'bold' : 'regular').fontSize(size);
			width = Math.max(width, ...cell.text.split('\n').map((t) => doc.widthOfString(t)));
		}
		return Math.min(width + 2 * PAD_X + 1, max);
	};
	const widths = [natural(0, 9 * size), 0, natural(2, 9 * size), natural(3, 4 * size), natural(4, 12 * size)];
	widths[1] = TYPE_WIDTH - widths.reduce((a, b) => a + b, 0);
	drawTable(doc, [{ header: true, cells: header }, ...rows.map((cells) => ({ cells }))], { x: MARGINS.left, widths, size, pitch: 16 });
	return finish(doc, done);
}
