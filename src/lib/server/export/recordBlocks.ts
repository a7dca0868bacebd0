import { chinaDateLabel, recordNumberLabel, type PmNode, type RecordBody } from '../../domain/record';

/*
 * A frozen record flattened into the few blocks an official document has, once, so that the
 * DOCX, PDF, Markdown and HTML exporters lay out the same thing. Everything that comes out of
 * here is inert: text with control characters removed, links kept only for http(s) and mailto
 * (anything else — javascript:, data:, vbscript: — becomes plain text), unknown nodes reduced
 * to their text.
 */

export interface Run {
	text: string;
	bold?: boolean;
	italic?: boolean;
	underline?: boolean;
	strike?: boolean;
	/** Only http(s) and mailto survive; the exporters may link it. */
	href?: string;
}

/**
 * Heading levels of GB/T 9704 body text: 1 is 一、 (黑体), 2 is （一） (楷体), 3 is 1. (仿宋, bold).
 * The minutes write their own numbering; the level only chooses the face.
 */
export type HeadingLevel = 1 | 2 | 3;

export type Block =
	| { kind: 'heading'; level: HeadingLevel; runs: Run[] }
	| { kind: 'paragraph'; runs: Run[] }
	| { kind: 'list'; ordered: boolean; items: Block[][] }
	| { kind: 'quote'; blocks: Block[] }
	/** A decision (决议), numbered in document order, with its responsible units and due date. */
	| { kind: 'decision'; number: number; blocks: Block[]; units: string[]; dueDate: string | null }
	| { kind: 'table'; rows: { header: boolean; cells: Run[][][] }[] }
	| { kind: 'rule' };

export interface RecordLayout {
	/** 东湖社区大党委2026年第三次例会纪要 */
	title: string;
	/** 〔2026〕第3号, with （第2版） when reissued. */
	number: string;
	/** 东湖社区大党委 */
	issuer: string;
	/** 2026年3月12日 (the meeting's date; a bulletin's or report's own date) */
	date: string;
	/** The line under the number: 会议日期：… for minutes, 印发日期：… for the other kinds. */
	dateLine: string;
	/** The finalization date, for the signature line. */
	finalizedDate: string;
	blocks: Block[];
	/** 出席 / 请假 / 列席 rows: label and the people, as one line each; empty for other kinds than minutes. */
	attendance: { label: string; people: string }[];
	attendanceSummary: string;
	/** The decisions table: number, text, responsible units, due date. */
	decisions: { number: number; text: string; units: string; dueDate: string }[];
	/** 书面意见 for the annex. */
	opinions: { agendaItem: string; author: string; body: string; date: string }[];
	hash: string;
}

// C0/C1 controls except tab and newline, lone surrogates, and the non-characters Word refuses.
const UNSAFE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function cleanText(value: unknown): string {
	return typeof value === 'string' ? value.replace(UNSAFE, '') : '';
}

const SAFE_HREF = /^(https?:\/\/|mailto:)[^\s<>"]*$/i;

export function safeHref(value: unknown): string | undefined {
	if (typeof value !== 'string') return undefined;
	const href = value.trim();
	return SAFE_HREF.test(href) ? href : undefined;
}

function runsOf(node: PmNode, out: Run[] = []): Run[] {
	for (const child of node.content ?? []) {
		if (child.type === 'text') {
			const text = cleanText(child.text);
			if (!text) continue;
			const run: Run = { text };
			for (const mark of child.marks ?? []) {
				if (mark.type === 'bold') run.bold = true;
				else if (mark.type === 'italic') run.italic = true;
				else if (mark.type === 'underline') run.underline = true;
				else if (mark.type === 'strike') run.strike = true;
				else if (mark.type === 'link') {
					const href = safeHref(mark.attrs?.href);
					if (href) run.href = href;
				}
			}
			out.push(run);
		} else if (child.type === 'hardBreak') {
			out.push({ text: '\n' });
		} else {
			// Inline nodes we do not know: their text, nothing else.
			runsOf(child, out);
		}
	}
	return out;
}

export function plainOf(runs: Run[]): string {
	return runs.map((r) => r.text).join('');
}

function headingLevel(level: unknown): HeadingLevel {
	const n = typeof level === 'number' ? level : 2;
	return n <= 2 ? 1 : n === 3 ? 2 : 3;
}

function blocksOf(nodes: PmNode[] | undefined, counter: { decisions: number }, units: Map<string, RecordBody['decisions'][number]>): Block[] {
	const out: Block[] = [];
	for (const node of nodes ?? []) {
		switch (node.type) {
			case 'paragraph':
				out.push({ kind: 'paragraph', runs: runsOf(node) });
				break;
			case 'heading':
				out.push({ kind: 'heading', level: headingLevel(node.attrs?.level), runs: runsOf(node) });
				break;
			case 'bulletList':
			case 'orderedList':
				out.push({ kind: 'list', ordered: node.type === 'orderedList', items: (node.content ?? []).map((item) => blocksOf(item.content, counter, units)) });
				break;
			case 'blockquote':
				out.push({ kind: 'quote', blocks: blocksOf(node.content, counter, units) });
				break;
			case 'horizontalRule':
				out.push({ kind: 'rule' });
				break;
			case 'decision': {
				const number = ++counter.decisions;
				const id = typeof node.attrs?.id === 'string' ? node.attrs.id : '';
				const known = units.get(id);
				const due = known?.dueDate ?? (typeof node.attrs?.dueDate === 'string' && node.attrs.dueDate ? node.attrs.dueDate : null);
				out.push({ kind: 'decision', number, blocks: blocksOf(node.content, counter, units), units: (known?.units ?? []).map(cleanText), dueDate: due ? cleanText(due) : null });
				break;
			}
			case 'table':
				out.push({
					kind: 'table',
					rows: (node.content ?? []).map((row) => ({
						header: (row.content ?? []).every((cell) => cell.type === 'tableHeader'),
						cells: (row.content ?? []).map((cell) => (cell.content ?? []).map((p) => runsOf(p)))
					}))
				});
				break;
			case 'text': {
				const text = cleanText(node.text);
				if (text) out.push({ kind: 'paragraph', runs: [{ text }] });
				break;
			}
			default: {
				// A node this exporter does not know (a newer schema, a malicious peer): keep its
				// words as paragraphs so nothing said in the meeting is dropped, and nothing else.
				const nested = blocksOf(node.content, counter, units);
				const inline = runsOf(node);
				if (nested.some((b) => b.kind !== 'paragraph' || b.runs.length > 0)) out.push(...nested);
				else if (inline.length > 0) out.push({ kind: 'paragraph', runs: inline });
			}
		}
	}
	return out;
}

const joinNames = (people: { name: string; unit: string | null }[]): string =>
	people.map((p) => (p.unit ? `${cleanText(p.name)}（${cleanText(p.unit)}）` : cleanText(p.name))).join('、');

/** The layout every exporter renders. */
export function layoutRecord(body: RecordBody, hash: string): RecordLayout {
	const counter = { decisions: 0 };
	const decisionsById = new Map(body.decisions.map((d) => [d.blockId, d]));
	let blocks = blocksOf(body.content.content, counter, decisionsById);
	const issuer = cleanText(body.committee.name);
	let title = `${issuer}${cleanText(body.meeting.title)}`;
	// The minutes open with their own title (the skeleton's first heading): it becomes the
	// document's title instead of being printed twice.
	const first = blocks[0];
	if (first && first.kind === 'heading' && first.level === 1 && body.content.content?.[0]?.attrs?.level === 1) {
		const own = plainOf(first.runs).trim();
		if (own) title = own.startsWith(issuer) ? own : `${issuer}${own}`;
		blocks = blocks.slice(1);
	}
	// Minutes are titled …纪要; a bulletin or report carries its own title.
	if (body.kind === 'minutes' && !title.endsWith('纪要')) title += '纪要';
	const a = body.attendance;
	const attendance = !a ? [] : [
		{ label: '出席', people: a.present.map((p) => `${p.unit ? `${cleanText(p.name)}（${cleanText(p.unit)}）` : cleanText(p.name)}${p.remote ? '［线上］' : ''}`).join('、') },
		{
			label: '请假',
			people: a.excused
				.map((p) => {
					const who = p.unit ? `${cleanText(p.name)}（${cleanText(p.unit)}）` : cleanText(p.name);
					if (p.delegatedTo) return `${who}，委托${cleanText(p.delegatedTo)}`;
					return p.reason ? `${who}，${cleanText(p.reason)}` : who;
				})
				.join('；')
		},
		{ label: '列席', people: joinNames(a.observers) }
	];
	return {
		title,
		number: `${recordNumberLabel(body.year, body.seq, body.kind)}${body.version > 1 ? `（第${body.version}版）` : ''}`,
		issuer,
		date: chinaDateLabel(body.meeting.startsAt),
		dateLine: body.kind === 'minutes' ? `会议日期：${chinaDateLabel(body.meeting.startsAt)}` : `印发日期：${chinaDateLabel(body.finalizedAt)}`,
		finalizedDate: chinaDateLabel(body.finalizedAt),
		blocks,
		attendance,
		attendanceSummary: a ? `应到${a.expected}人，实到${a.attending}人` : '',
		decisions: body.decisions
			.slice()
			.sort((x, y) => x.position - y.position)
			.map((d, i) => ({ number: i + 1, text: cleanText(d.text), units: d.units.map(cleanText).join('、'), dueDate: d.dueDate ? cleanText(d.dueDate) : '' })),
		opinions: body.opinions.map((o) => ({
			agendaItem: cleanText(o.agendaItem),
			author: o.unit ? `${cleanText(o.author)}（${cleanText(o.unit)}）` : cleanText(o.author),
			body: cleanText(o.body),
			date: chinaDateLabel(o.writtenAt)
		})),
		hash
	};
}
