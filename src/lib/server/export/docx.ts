import {
	AlignmentType,
	BorderStyle,
	Document,
	DocumentGridType,
	ExternalHyperlink,
	Footer,
	LineRuleType,
	Packer,
	PageNumber,
	Paragraph,
	Table,
	TableCell,
	TableLayoutType,
	TableRow,
	TextRun,
	VerticalAlign,
	WidthType,
	type IRunOptions,
	type ParagraphChild
} from 'docx';
import { safeHref, type Block, type RecordLayout, type Run } from './recordBlocks';

/*
 * The record as a Word file laid out as a 纪要 after GB/T 9704-2012: A4, a 156 × 225 mm type
 * area of 22 lines × 28 characters in 3号仿宋, headings in 黑体 / 楷体 / bold 仿宋, page numbers
 * "— 1 —" in 4号宋体, right on odd pages and left on even ones. Fonts are named, never embedded:
 * every run names its East Asian face and Times New Roman for Latin text, so Word (or WPS) picks
 * the installed 方正 / GB2312 faces and falls back sensibly where they are missing.
 *
 * All text comes from the layout, which is already inert (no control characters, links only
 * http(s)/mailto); docx escapes it as XML text. Links are checked once more before they become
 * relationships.
 */

const MM = 56.6929; // twips per millimetre
const twips = (mm: number): number => Math.round(mm * MM);

const PAGE = { width: 11906, height: 16838 } as const; // A4
const MARGIN = { top: twips(37), bottom: twips(35), left: twips(28), right: twips(26) } as const; // 2098 / 1984 / 1587 / 1474
const TYPE_WIDTH = PAGE.width - MARGIN.left - MARGIN.right; // 8845 ≈ 156 mm
const TYPE_HEIGHT = PAGE.height - MARGIN.top - MARGIN.bottom; // 12756 ≈ 225 mm

const LINES_PER_PAGE = 22;
const CHARS_PER_LINE = 28;
/** One grid line: 22 of them fill the type area (579 twips ≈ 28.95 pt). */
const LINE = Math.floor(TYPE_HEIGHT / LINES_PER_PAGE);
/** One grid character: 28 of them fill a line (≈ 315.9 twips ≈ 15.8 pt). */
const CHAR = TYPE_WIDTH / CHARS_PER_LINE;

/** Half-points. */
const SIZE = { er: 44, san: 32, si: 28, wu: 21 } as const; // 2号 22 pt, 3号 16 pt, 4号 14 pt, 5号 10.5 pt
/**
 * w:charSpace is the difference between the grid's character pitch and the default font's size
 * (3号, 16 pt), in 1/4096 pt: 28 characters of ≈ 15.8 pt fill the 156 mm line.
 */
const CHAR_SPACE = Math.round((CHAR / 20 - SIZE.san / 2) * 4096);

const FACE = {
	title: '方正小标宋简体',
	body: '仿宋_GB2312',
	hei: '黑体',
	kai: '楷体_GB2312',
	song: '宋体'
} as const;
const LATIN = 'Times New Roman';

type Face = (typeof FACE)[keyof typeof FACE];

/**
 * Every slot named: the face for Chinese, Times New Roman for Latin. The eastAsia hint makes Word
 * set the characters both scripts share (“” ‘’ — … ·) in the Chinese face, full width.
 */
const fontOf = (face: Face, latin: string = LATIN) => ({ ascii: latin, hAnsi: latin, cs: latin, eastAsia: face, hint: 'eastAsia' });

/** The look of the runs of one paragraph. */
interface Look {
	face: Face;
	size: number;
	bold?: boolean;
}

const BODY: Look = { face: FACE.body, size: SIZE.san };
const TABLE_TEXT: Look = { face: FACE.body, size: SIZE.si };
const HEADING_LOOK: Record<1 | 2 | 3, Look> = {
	1: { face: FACE.hei, size: SIZE.san },
	2: { face: FACE.kai, size: SIZE.san },
	3: { face: FACE.body, size: SIZE.san, bold: true }
};

/** Exact line spacing on the grid line, so every paragraph keeps to 22 lines a page. */
const ON_GRID = { line: LINE, lineRule: LineRuleType.EXACT, before: 0, after: 0 } as const;
/** Table text is 4号 with a tighter exact spacing: tables need not keep to the page grid. */
const IN_TABLE = { line: Math.round(SIZE.si * 10 * 1.5), lineRule: LineRuleType.EXACT, before: 0, after: 0 } as const;

/** Runs of plain text with the look's fonts; "\n" becomes a line break. */
function textRuns(text: string, look: Look, extra: Partial<IRunOptions> = {}): TextRun[] {
	return text.split('\n').map(
		(segment, i) =>
			new TextRun({
				text: segment,
				...(i > 0 ? { break: 1 } : {}),
				font: fontOf(look.face),
				size: look.size,
				...(look.bold ? { bold: true } : {}),
				...extra
			})
	);
}

function runChildren(runs: Run[], look: Look): ParagraphChild[] {
	const out: ParagraphChild[] = [];
	for (const run of runs) {
		const extra: Partial<IRunOptions> = {
			...(run.bold ? { bold: true } : {}),
			...(run.italic ? { italics: true } : {}),
			...(run.underline ? { underline: {} } : {}),
			...(run.strike ? { strike: true } : {})
		};
		// The layout only keeps http(s) and mailto links; check again before writing a relationship.
		const href = safeHref(run.href);
		if (href) {
			out.push(new ExternalHyperlink({ link: href, children: textRuns(run.text, look, { ...extra, underline: {} }) }));
		} else {
			out.push(...textRuns(run.text, look, extra));
		}
	}
	return out;
}

/** Where a block sits: extra left indent in characters (quotes, nested lists). */
interface Place {
	left: number;
	right: number;
}

const TOP: Place = { left: 0, right: 0 };

function indentOf(place: Place, firstLineChars = 2): { left?: number; right?: number; firstLine?: number } {
	return {
		...(place.left ? { left: Math.round(place.left * CHAR) } : {}),
		...(place.right ? { right: Math.round(place.right * CHAR) } : {}),
		...(firstLineChars ? { firstLine: Math.round(firstLineChars * CHAR) } : {})
	};
}

function bodyParagraph(children: ParagraphChild[], place: Place = TOP, options: { keepNext?: boolean } = {}): Paragraph {
	return new Paragraph({
		children,
		alignment: AlignmentType.JUSTIFIED,
		spacing: ON_GRID,
		indent: indentOf(place),
		...(options.keepNext ? { keepNext: true } : {})
	});
}

function headingParagraph(level: 1 | 2 | 3, children: ParagraphChild[]): Paragraph {
	return new Paragraph({
		children,
		alignment: AlignmentType.JUSTIFIED,
		spacing: ON_GRID,
		indent: indentOf(TOP),
		keepNext: true,
		outlineLevel: level - 1
	});
}

type Output = Paragraph | Table;

function renderBlocks(blocks: Block[], place: Place, out: Output[]): Output[] {
	for (const block of blocks) renderBlock(block, place, out);
	return out;
}

function renderBlock(block: Block, place: Place, out: Output[]): void {
	switch (block.kind) {
		case 'paragraph':
			out.push(bodyParagraph(runChildren(block.runs, BODY), place));
			break;
		case 'heading': {
			const look = HEADING_LOOK[block.level] ?? HEADING_LOOK[1];
			out.push(headingParagraph(block.level, runChildren(block.runs, look)));
			break;
		}
		case 'list':
			renderList(block, place, out);
			break;
		case 'quote':
			renderBlocks(block.blocks, { left: place.left + 2, right: place.right + 2 }, out);
			break;
		case 'decision':
			renderDecision(block, place, out);
			break;
		case 'table':
			out.push(contentTable(block.rows));
			break;
		case 'rule':
			out.push(
				new Paragraph({
					children: [],
					spacing: { ...ON_GRID, line: Math.round(LINE / 2) },
					border: { bottom: { style: BorderStyle.SINGLE, size: 6, color: '000000', space: 1 } }
				})
			);
			break;
	}
}

function renderList(block: Extract<Block, { kind: 'list' }>, place: Place, out: Output[]): void {
	// Nested lists (a list inside a list item) step in two characters further.
	const nested: Place = { left: place.left + 2, right: place.right };
	block.items.forEach((item, i) => {
		const prefix = block.ordered ? `${i + 1}.` : '•';
		const [first, ...rest] = item;
		if (first && first.kind === 'paragraph') {
			out.push(bodyParagraph([...textRuns(`${prefix} `, BODY), ...runChildren(first.runs, BODY)], place));
		} else {
			out.push(bodyParagraph(textRuns(prefix, BODY), place));
			if (first) rest.unshift(first);
		}
		for (const inner of rest) renderBlock(inner, inner.kind === 'list' ? nested : place, out);
	});
}

/** 2026-06-30 → 2026年6月30日; anything else as it is. */
function dateLabel(value: string): string {
	const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.trim());
	return m ? `${m[1]}年${Number(m[2])}月${Number(m[3])}日` : value;
}

function renderDecision(block: Extract<Block, { kind: 'decision' }>, place: Place, out: Output[]): void {
	const label = textRuns(`决议${block.number}：`, { ...BODY, bold: true });
	const [first, ...rest] = block.blocks;
	if (first && first.kind === 'paragraph') {
		out.push(bodyParagraph([...label, ...runChildren(first.runs, BODY)], place));
	} else {
		out.push(bodyParagraph(label, place));
		if (first) rest.unshift(first);
	}
	renderBlocks(rest, place, out);
	const units = block.units.filter((u) => u.trim()).join('、') || '未指定';
	const due = block.dueDate ? dateLabel(block.dueDate) : '未定';
	out.push(bodyParagraph(textRuns(`责任单位：${units}　完成时限：${due}`, BODY), place));
}

// ---------------------------------------------------------------------------------------------
// Tables

const BORDER = { style: BorderStyle.SINGLE, size: 4, color: '000000' } as const;
const TABLE_BORDERS = { top: BORDER, bottom: BORDER, left: BORDER, right: BORDER, insideHorizontal: BORDER, insideVertical: BORDER };

function cellParagraphs(paragraphs: ParagraphChild[][], alignment: (typeof AlignmentType)[keyof typeof AlignmentType]): Paragraph[] {
	const list = paragraphs.length ? paragraphs : [[]];
	return list.map((children) => new Paragraph({ children, alignment, spacing: IN_TABLE }));
}

function cell(paragraphs: ParagraphChild[][], width: number, alignment: (typeof AlignmentType)[keyof typeof AlignmentType] = AlignmentType.LEFT): TableCell {
	return new TableCell({
		children: cellParagraphs(paragraphs, alignment),
		width: { size: width, type: WidthType.DXA },
		verticalAlign: VerticalAlign.CENTER,
		margins: { left: 100, right: 100, top: 40, bottom: 40 }
	});
}

function fixedTable(widths: number[], rows: TableRow[]): Table {
	return new Table({
		rows,
		width: { size: TYPE_WIDTH, type: WidthType.DXA },
		columnWidths: widths,
		layout: TableLayoutType.FIXED,
		alignment: AlignmentType.CENTER,
		borders: TABLE_BORDERS
	});
}

/** Column widths that add up to the type width: the fixed ones given, the rest share what is left. */
function spread(count: number, fixed: number[] = []): number[] {
	const used = fixed.reduce((a, b) => a + b, 0);
	const free = count - fixed.length;
	const each = free > 0 ? Math.floor((TYPE_WIDTH - used) / free) : 0;
	const widths = [...fixed, ...Array.from({ length: free }, () => each)];
	const last = widths.length - 1;
	widths[last] = (widths[last] ?? 0) + TYPE_WIDTH - widths.reduce((a, b) => a + b, 0);
	return widths;
}

const widthAt = (widths: number[], i: number): number => widths[Math.min(i, widths.length - 1)] ?? 0;

function contentTable(rows: Extract<Block, { kind: 'table' }>['rows']): Output {
	const columns = Math.max(1, ...rows.map((r) => r.cells.length));
	const widths = spread(columns);
	const tableRows = rows
		.filter((row) => row.cells.length > 0)
		.map((row, index, all) => {
			const look: Look = row.header ? { ...TABLE_TEXT, bold: true } : TABLE_TEXT;
			// Only the leading header rows repeat on the next page.
			const leading = row.header && all.slice(0, index).every((r) => r.header);
			const cells = row.cells.map((paragraphs, c) =>
				cell(
					paragraphs.map((runs) => runChildren(runs, look)),
					widthAt(widths, c),
					row.header ? AlignmentType.CENTER : AlignmentType.LEFT
				)
			);
			// A short row is padded so every row spans the grid.
			for (let c = cells.length; c < columns; c++) cells.push(cell([], widthAt(widths, c)));
			return new TableRow({ children: cells, ...(leading ? { tableHeader: true } : {}), cantSplit: true });
		});
	if (tableRows.length === 0) return bodyParagraph([]);
	return fixedTable(widths, tableRows);
}

function attendanceTable(layout: RecordLayout): Table {
	const widths = spread(2, [Math.round(CHAR * 4)]);
	const rows = [...layout.attendance, { label: '人数', people: layout.attendanceSummary }].map(
		({ label, people }) =>
			new TableRow({
				cantSplit: true,
				children: [
					cell([textRuns(label, { ...TABLE_TEXT, bold: true })], widthAt(widths, 0), AlignmentType.CENTER),
					cell([textRuns(people.trim() || '无', TABLE_TEXT)], widthAt(widths, 1))
				]
			})
	);
	return fixedTable(widths, rows);
}

function decisionsTable(layout: RecordLayout): Table {
	// 序号 narrow, 责任单位 and 完成时限 six characters each, the text takes the rest.
	const narrow = Math.round(CHAR * 2.5);
	const wide = Math.round(CHAR * 6);
	const widths = [narrow, TYPE_WIDTH - narrow - 2 * wide, wide, wide];
	const header = new TableRow({
		tableHeader: true,
		cantSplit: true,
		children: ['序号', '决议内容', '责任单位', '完成时限'].map((h, i) => cell([textRuns(h, { ...TABLE_TEXT, bold: true })], widthAt(widths, i), AlignmentType.CENTER))
	});
	const rows = layout.decisions.map(
		(d) =>
			new TableRow({
				cantSplit: true,
				children: [
					cell([textRuns(String(d.number), TABLE_TEXT)], widthAt(widths, 0), AlignmentType.CENTER),
					cell([textRuns(d.text, TABLE_TEXT)], widthAt(widths, 1)),
					cell([textRuns(d.units || '未指定', TABLE_TEXT)], widthAt(widths, 2), AlignmentType.CENTER),
					cell([textRuns(d.dueDate ? dateLabel(d.dueDate) : '未定', TABLE_TEXT)], widthAt(widths, 3), AlignmentType.CENTER)
				]
			})
	);
	return fixedTable(widths, [header, ...rows]);
}

// ---------------------------------------------------------------------------------------------
// The parts of the document

function centred(text: string, look: Look, spacing: object = ON_GRID): Paragraph {
	return new Paragraph({ children: textRuns(text, look), alignment: AlignmentType.CENTER, spacing });
}

const blank = (): Paragraph => new Paragraph({ children: [], spacing: ON_GRID });

/** Display width in characters: CJK and full-width forms one, the rest half. */
function widthOf(text: string): number {
	let w = 0;
	for (const ch of text) w += /[\u0000-\u00ff\uff61-\uff9f]/.test(ch) ? 0.5 : 1;
	return w;
}

/**
 * The issuer two characters in from the right, and under it the date starting two characters to
 * the right of where the issuer starts (GB/T 9704 7.3.5.2); when the date is the wider one, it
 * goes to the right edge and the issuer moves in.
 */
function signature(layout: RecordLayout): Paragraph[] {
	const wIssuer = widthOf(layout.issuer);
	const wDate = widthOf(layout.finalizedDate);
	let rightIssuer = 2;
	let rightDate = rightIssuer + wIssuer - 2 - wDate;
	if (rightDate < 0) {
		rightDate = 0;
		rightIssuer = wDate + 2 - wIssuer;
	}
	const line = (text: string, right: number) =>
		new Paragraph({ children: textRuns(text, BODY), alignment: AlignmentType.RIGHT, spacing: ON_GRID, indent: { right: Math.round(right * CHAR) } });
	return [blank(), line(layout.issuer, rightIssuer), line(layout.finalizedDate, rightDate)];
}

function annex(layout: RecordLayout): Paragraph[] {
	const out: Paragraph[] = [
		// 附件 on a new page: "附件" top left in 黑体, its title centred in 小标宋.
		new Paragraph({ children: textRuns('附件', { face: FACE.hei, size: SIZE.san }), pageBreakBefore: true, spacing: ON_GRID }),
		blank(),
		new Paragraph({ children: textRuns('书面意见', { face: FACE.title, size: SIZE.er }), alignment: AlignmentType.CENTER, spacing: ON_GRID, outlineLevel: 0 }),
		blank()
	];
	layout.opinions.forEach((o, i) => {
		// Numbered 一、二、… unless the agenda item brings its own number.
		const item = o.agendaItem.trim() || '（未注明议题）';
		const number = /^([一二三四五六七八九十百]+、|[0-9０-９]+[.、．])/.test(item) ? '' : i < 10 ? `${'一二三四五六七八九十'[i]}、` : `${i + 1}.`;
		out.push(headingParagraph(1, textRuns(`${number}${item}`, HEADING_LOOK[1])));
		out.push(bodyParagraph(textRuns(`提出人：${o.author}　日期：${o.date}`, BODY)));
		for (const para of o.body.split(/\n+/)) if (para.trim()) out.push(bodyParagraph(textRuns(para, BODY)));
	});
	return out;
}

function pageFooter(alignment: (typeof AlignmentType)[keyof typeof AlignmentType]): Footer {
	// 4号半角宋体阿拉伯数字 between 一字线 (full-width em dashes, through the eastAsia hint).
	const look = { font: fontOf(FACE.song, FACE.song), size: SIZE.si };
	// 单页码居右空一字，双页码居左空一字 (one 4号 character is 280 twips).
	const indent = alignment === AlignmentType.RIGHT ? { right: SIZE.si * 10 } : { left: SIZE.si * 10 };
	return new Footer({
		children: [
			new Paragraph({
				alignment,
				indent,
				children: [new TextRun({ ...look, text: '— ' }), new TextRun({ ...look, children: [PageNumber.CURRENT] }), new TextRun({ ...look, text: ' —' })]
			})
		]
	});
}

/** The record as a .docx file. */
export async function recordDocx(layout: RecordLayout): Promise<Buffer> {
	const children: Output[] = [
		new Paragraph({ children: textRuns(layout.title, { face: FACE.title, size: SIZE.er }), alignment: AlignmentType.CENTER, spacing: ON_GRID, outlineLevel: 0 }),
		blank(),
		centred(layout.number, BODY),
		centred(layout.dateLine, BODY),
		blank(),
		// Minutes only: a bulletin or report has no attendance.
		...(layout.attendance.length > 0 ? [attendanceTable(layout), blank()] : [])
	];
	renderBlocks(layout.blocks, TOP, children);

	if (layout.decisions.length > 0) {
		children.push(blank(), headingParagraph(1, textRuns('会议决议', HEADING_LOOK[1])), decisionsTable(layout));
	}
	if (layout.opinions.length > 0) {
		// 附件说明: under the text, two characters in (GB/T 9704 7.3.4).
		children.push(blank(), bodyParagraph(textRuns('附件：书面意见', BODY)));
	}
	children.push(...signature(layout));
	if (layout.opinions.length > 0) children.push(...annex(layout));
	children.push(
		blank(),
		new Paragraph({
			children: textRuns(`本纪要定稿文本 SHA-256：${layout.hash}`, { face: FACE.body, size: SIZE.wu }),
			alignment: AlignmentType.LEFT,
			spacing: { line: 300, lineRule: LineRuleType.EXACT, before: 0, after: 0 }
		})
	);

	const doc = new Document({
		title: layout.title,
		creator: layout.issuer,
		evenAndOddHeaderAndFooters: true,
		styles: {
			default: {
				document: {
					run: { font: fontOf(FACE.body), size: SIZE.san, language: { value: 'en-US', eastAsia: 'zh-CN' } },
					paragraph: { spacing: ON_GRID }
				}
			}
		},
		sections: [
			{
				properties: {
					page: {
						size: { width: PAGE.width, height: PAGE.height },
						// The footer sits so that its dashes are about 7 mm under the type area.
						margin: { ...MARGIN, header: twips(15), footer: twips(25.5), gutter: 0 }
					},
					grid: { type: DocumentGridType.LINES_AND_CHARS, linePitch: LINE, charSpace: CHAR_SPACE }
				},
				footers: { default: pageFooter(AlignmentType.RIGHT), even: pageFooter(AlignmentType.LEFT) },
				children
			}
		]
	});
	return Packer.toBuffer(doc);
}
