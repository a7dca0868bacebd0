import type { Block, RecordLayout, Run } from './recordBlocks';

/*
 * The record as Markdown (CommonMark + GFM tables): a YAML front matter block, then the
 * document in the same order as the DOCX/PDF. User text is inert: every character that could
 * start Markdown syntax is backslash-escaped, `<`/`>` become entities (no HTML), nothing that a
 * GFM renderer would autolink is left as is, and lines cannot start a list, heading, setext
 * underline or thematic break. Links come only from runs with an href (already http(s)/mailto).
 */

export interface MarkdownMeta {
	committee: string;
	number: string;
	version: number;
	/** YYYY-MM-DD */
	date: string;
	/** ISO 8601 */
	finalizedAt: string;
	hash: string;
}

// ---------------------------------------------------------------------------------------------
// YAML

/** A YAML double-quoted scalar: nothing inside can end the string, the line or the document. */
export function yamlString(value: string): string {
	let out = '"';
	for (const ch of value) {
		const code = ch.codePointAt(0)!;
		if (ch === '\\') out += '\\\\';
		else if (ch === '"') out += '\\"';
		else if (ch === '\n') out += '\\n';
		else if (ch === '\r') out += '\\r';
		else if (ch === '\t') out += '\\t';
		else if (code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029 || code === 0xfeff || (code >= 0xd800 && code <= 0xdfff) || code === 0xfffe || code === 0xffff)
			out += `\\u${code.toString(16).padStart(4, '0')}`;
		else out += ch;
	}
	return out + '"';
}

function frontMatter(meta: MarkdownMeta): string {
	const version = Number.isSafeInteger(meta.version) ? String(meta.version) : yamlString(String(meta.version));
	return [
		'---',
		`committee: ${yamlString(meta.committee)}`,
		`number: ${yamlString(meta.number)}`,
		`version: ${version}`,
		`date: ${yamlString(meta.date)}`,
		`finalized_at: ${yamlString(meta.finalizedAt)}`,
		`sha256: ${yamlString(meta.hash)}`,
		'---'
	].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Inline text

/** Escapes one line of user text (no newlines) for any position inside a Markdown line. */
function escapeInline(text: string): string {
	return (
		text
			// An ampersand that could start an entity is shown as typed.
			.replace(/&(?=[#A-Za-z0-9])/g, '&amp;')
			.replace(/</g, '&lt;')
			.replace(/>/g, '&gt;')
			// Emphasis, code, links, images, tables, strikethrough, headings, math, autolinks.
			.replace(/[\\`*_[\]()#!|~$@]/g, '\\$&')
			// GFM extended autolinks: scheme:// and www.
			.replace(/(?<=[A-Za-z]):/g, '\\:')
			.replace(/(?<=\bwww)\./gi, '\\.')
	);
}

/** A line that starts with user text must not start a block (list, setext, indented code). */
function escapeLineStart(line: string): string {
	return line
		.replace(/^[ \t]+/, (ws) => ws.replace(/ /g, '&#32;').replace(/\t/g, '&#9;'))
		.replace(/^[-+=]/, '\\$&')
		.replace(/^(\d+)\./, '$1\\.');
}

const PUNCT = /[\p{P}\p{S}\s]/u;

function sameMarks(a: Run, b: Run): boolean {
	return !!a.bold === !!b.bold && !!a.italic === !!b.italic && !!a.strike === !!b.strike && !!a.underline === !!b.underline && a.href === b.href;
}

/** Adjacent runs with the same marks become one (no `**a****b**`). */
function mergeRuns(runs: Run[]): Run[] {
	const out: Run[] = [];
	for (const run of runs) {
		const last = out[out.length - 1];
		if (last && sameMarks(last, run)) out[out.length - 1] = { ...last, text: last.text + run.text };
		else out.push({ ...run });
	}
	return out;
}

/**
 * Marks around already-escaped text. CommonMark only opens `**` before punctuation when it
 * follows whitespace or punctuation, which Chinese text rarely gives (`不够**（重点）**` stays
 * literal); when the text's edges are punctuation, or the previous run also ended with
 * delimiters, the marks are written as the equivalent inline tags instead.
 */
function withMarks(escaped: string, raw: string, run: Run, afterDelimiter: boolean): { text: string; delimiter: boolean } {
	if (!run.bold && !run.italic && !run.strike) return { text: escaped, delimiter: false };
	const trimmed = raw.trim();
	if (!trimmed) return { text: escaped, delimiter: false };
	const chars = [...trimmed];
	const useTags = afterDelimiter || PUNCT.test(chars[0] ?? '') || PUNCT.test(chars.at(-1) ?? '');
	// Keep edge whitespace outside the markers (`** a**` does not open).
	const lead = escaped.match(/^\s*/)![0];
	const tail = escaped.slice(lead.length).match(/\s*$/)![0];
	let core = escaped.slice(lead.length, escaped.length - tail.length);
	if (useTags) {
		if (run.italic) core = `<em>${core}</em>`;
		if (run.bold) core = `<strong>${core}</strong>`;
		if (run.strike) core = `<del>${core}</del>`;
		return { text: lead + core + tail, delimiter: false };
	}
	const stars = (run.bold ? '**' : '') + (run.italic ? '*' : '');
	if (stars) core = `${stars}${core}${stars}`;
	if (run.strike) core = `~~${core}~~`;
	return { text: lead + core + tail, delimiter: tail === '' };
}

/** An href as a Markdown link destination: nothing in it can close the link or split a table cell. */
function linkDestination(href: string): string {
	return href.replace(/[\s()<>\\|`]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/**
 * Runs as Markdown lines. A newline inside a run is a hard line break (two trailing spaces);
 * with `singleLine` (headings, table cells) it becomes a space.
 */
function inline(runs: Run[], singleLine = false): string {
	let out = '';
	let afterDelimiter = false;
	for (const run of mergeRuns(runs)) {
		const raw = run.href || singleLine ? run.text.replace(/\r?\n/g, ' ') : run.text;
		const pieces = raw.split('\n');
		let text = '';
		pieces.forEach((piece, i) => {
			const marked = withMarks(escapeInline(piece), piece, run, i === 0 && afterDelimiter);
			if (i > 0) text += '  \n';
			text += marked.text;
			afterDelimiter = marked.delimiter;
		});
		if (run.href) {
			text = `[${text}](${linkDestination(run.href)})`;
			afterDelimiter = false;
		}
		out += text;
	}
	// Empty lines inside a paragraph would end it: keep them as a non-breaking space.
	return out
		.split('\n')
		.map((line) => (line.trim() === '' && out.includes('\n') ? '&#160;  ' : escapeLineStart(line)))
		.join('\n');
}

/** Plain user text (no runs): escaped, newlines as hard breaks. */
function plain(text: string, singleLine = false): string {
	return inline([{ text }], singleLine);
}

// ---------------------------------------------------------------------------------------------
// Blocks

function indent(text: string, width: number): string {
	const pad = ' '.repeat(width);
	return text
		.split('\n')
		.map((line) => (line === '' ? '' : pad + line))
		.join('\n');
}

function table(rows: string[][], headerFirst: boolean): string {
	const columns = Math.max(1, ...rows.map((r) => r.length));
	const line = (cells: string[]) => `| ${Array.from({ length: columns }, (_, i) => cells[i] || ' ').join(' | ')} |`;
	const body = headerFirst ? rows.slice(1) : rows;
	const header = headerFirst ? (rows[0] ?? []) : [];
	return [line(header), `|${' --- |'.repeat(columns)}`, ...body.map(line)].join('\n');
}

function blocks(list: Block[]): string {
	return list
		.map(block)
		.filter((s) => s.trim() !== '')
		.join('\n\n');
}

function block(b: Block): string {
	switch (b.kind) {
		case 'heading': {
			const text = inline(b.runs, true);
			return text.trim() ? `${'#'.repeat(b.level + 1)} ${text}` : '';
		}
		case 'paragraph':
			return inline(b.runs);
		case 'list':
			return b.items
				.map((item, i) => {
					const marker = b.ordered ? `${i + 1}. ` : '- ';
					const content = blocks(item);
					if (!content) return marker.trimEnd();
					const indented = indent(content, marker.length);
					return marker + indented.slice(marker.length);
				})
				.join('\n');
		case 'quote': {
			const content = blocks(b.blocks);
			return content
				.split('\n')
				.map((line) => (line === '' ? '>' : `> ${line}`))
				.join('\n');
		}
		case 'decision': {
			const label = `**决议${b.number}：**`;
			const [first, ...rest] = b.blocks;
			const parts: string[] = [];
			if (first && first.kind === 'paragraph' && first.runs.length > 0) parts.push(`${label} ${inline(first.runs)}`, blocks(rest));
			else parts.push(label, blocks(b.blocks));
			const units = b.units.length ? b.units.map((u) => plain(u, true)).join('、') : '—';
			parts.push(`责任单位：${units}　完成时限：${b.dueDate ? plain(b.dueDate, true) : '—'}`);
			return parts.filter((p) => p.trim() !== '').join('\n\n');
		}
		case 'table': {
			if (b.rows.length === 0) return '';
			const rows = b.rows.map((row) => row.cells.map((cell) => cell.map((runs) => inline(runs, true)).filter((s) => s.trim() !== '').join(' ')));
			return table(rows, b.rows[0]?.header ?? false);
		}
		case 'rule':
			return '---';
	}
}

// ---------------------------------------------------------------------------------------------

export function recordMarkdown(layout: RecordLayout, meta: MarkdownMeta): string {
	const parts: string[] = [frontMatter(meta)];
	parts.push(`# ${plain(layout.title, true)}`);
	parts.push(`${plain(layout.number, true)}  \n${plain(layout.dateLine, true)}`);

	const attendance = layout.attendance.filter((a) => a.people.trim() !== '').map((a) => `**${plain(a.label, true)}：** ${plain(a.people, true)}`);
	if (layout.attendanceSummary) attendance.push(plain(layout.attendanceSummary, true));
	if (attendance.length) parts.push(attendance.join('  \n'));

	const body = blocks(layout.blocks);
	if (body) parts.push(body);

	if (layout.decisions.length) {
		parts.push('## 决议事项');
		parts.push(
			table(
				[['序号', '决议内容', '责任单位', '完成时限'], ...layout.decisions.map((d) => [String(d.number), plain(d.text, true), plain(d.units, true) || '—', plain(d.dueDate, true) || '—'])],
				true
			)
		);
	}

	// 落款 before the annex, as GB/T 9704 places it.
	parts.push(`${plain(layout.issuer, true)}  \n${plain(layout.finalizedDate, true)}`);

	if (layout.opinions.length) {
		parts.push('## 附件：书面意见');
		layout.opinions.forEach((o, i) => {
			parts.push(`### ${i + 1}. ${plain(o.agendaItem, true)}`);
			parts.push(`${plain(o.author, true)}　${plain(o.date, true)}`);
			if (o.body.trim()) parts.push(plain(o.body));
		});
	}

	parts.push(`SHA-256: ${plain(meta.hash, true)}`);
	return parts.filter((p) => p.trim() !== '').join('\n\n') + '\n';
}
