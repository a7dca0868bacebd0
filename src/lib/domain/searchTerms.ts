/*
 * Search terms for Chinese text. PostgreSQL's text-search parsers split on spaces and
 * punctuation, which Chinese does not have, so terms are made here: every Han character and
 * every pair of neighbouring Han characters (bigrams), and other words (Latin, digits) whole
 * and lower-cased. A phrase is found when all its terms are present; the caller confirms the
 * exact phrase in the text, so bigram coincidences never show as hits.
 */

const HAN = /\p{Script=Han}/u;
const WORD = /[\p{L}\p{N}]/u;

/** Lower case only: no NFKC, which would turn Chinese full-width punctuation into ASCII in snippets. */
export function normalizeForSearch(value: string): string {
	return value.toLowerCase();
}

/** Terms of a text, in order (duplicates kept: positions matter to ranking). */
export function searchTerms(value: string): string[] {
	const out: string[] = [];
	let han = '';
	let word = '';
	const flushHan = () => {
		const chars = [...han];
		for (let i = 0; i < chars.length; i++) {
			out.push(chars[i]!);
			if (i + 1 < chars.length) out.push(chars[i]! + chars[i + 1]!);
		}
		han = '';
	};
	const flushWord = () => {
		// Long tokens (hashes, pasted URLs) are cut: PostgreSQL refuses lexemes over 2 KiB.
		if (word) out.push(word.slice(0, 100));
		word = '';
	};
	for (const ch of normalizeForSearch(value)) {
		if (HAN.test(ch)) {
			flushWord();
			han += ch;
		} else if (WORD.test(ch)) {
			flushHan();
			word += ch;
		} else {
			flushHan();
			flushWord();
		}
	}
	flushHan();
	flushWord();
	return out;
}

const quote = (lexeme: string) => `'${lexeme.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;

// A tsvector keeps at most 16383 as a position; later words share the last one.
const MAX_POSITION = 16383;

// PostgreSQL refuses a tsvector over 1 MiB; a literal under this many characters stays well below.
const LITERAL_BUDGET = 600_000;

/**
 * A tsvector literal for the text (cast with ::tsvector): no parser involved. A very long text
 * keeps one position per term, then only as many terms as fit: finalizing must never fail
 * because the minutes are long (the exact-phrase check still reads the whole text).
 */
export function tsvectorLiteral(value: string): string {
	const positions = new Map<string, number[]>();
	searchTerms(value).forEach((term, i) => {
		const list = positions.get(term) ?? [];
		// A lexeme keeps at most 256 positions; more add nothing to ranking.
		if (list.length < 256) list.push(Math.min(i + 1, MAX_POSITION));
		positions.set(term, list);
	});
	const entries = [...positions].map(([term, pos]) => ({ term: quote(term), pos: [...new Set(pos)] }));
	const full = entries.map((e) => `${e.term}:${e.pos.join(',')}`).join(' ');
	if (full.length <= LITERAL_BUDGET) return full;
	const out: string[] = [];
	let size = 0;
	for (const e of entries) {
		const lexeme = `${e.term}:${e.pos[0]}`;
		if (size + lexeme.length + 1 > LITERAL_BUDGET) break;
		out.push(lexeme);
		size += lexeme.length + 1;
	}
	return out.join(' ');
}

/** The phrases of a query: split on white space, empty ones dropped, at most 8. */
export function queryPhrases(query: string): string[] {
	return normalizeForSearch(query)
		.split(/\s+/u)
		.map((p) => p.trim())
		.filter((p) => searchTerms(p).length > 0)
		.slice(0, 8);
}

/**
 * A tsquery literal requiring every phrase's bigrams (or the single character / word):
 * what the GIN index can answer; null when the query has no searchable term.
 */
export function tsqueryLiteral(phrases: string[]): string | null {
	const terms = new Set<string>();
	for (const phrase of phrases) {
		const t = searchTerms(phrase);
		// A phrase's bigrams imply its characters; keep the bigrams (more selective) when there are any.
		const pairs = t.filter((x) => [...x].length === 2 && HAN.test(x));
		for (const term of pairs.length > 0 ? [...pairs, ...t.filter((x) => !HAN.test(x))] : t) terms.add(term);
	}
	if (terms.size === 0) return null;
	return [...terms].map(quote).join(' & ');
}

export interface SnippetPart {
	text: string;
	hit: boolean;
}

/** A window of the text around the first hit, the hits marked; null when no phrase occurs. */
export function snippet(text: string, phrases: string[], width = 90): SnippetPart[] | null {
	const folded = normalizeForSearch(text);
	// Lower-casing can change lengths (e.g. İ); fall back to the text as is when it did.
	const haystack = folded.length === text.length ? folded : text;
	let first = -1;
	for (const p of phrases) {
		const at = haystack.indexOf(p);
		if (at >= 0 && (first < 0 || at < first)) first = at;
	}
	if (first < 0) return null;
	const start = Math.max(0, first - Math.floor(width / 3));
	const end = Math.min(text.length, start + width);
	const windowText = text.slice(start, end).replace(/\s+/gu, ' ');
	const windowHay = haystack.slice(start, end).replace(/\s+/gu, ' ');
	const marks = new Array<boolean>(windowText.length).fill(false);
	for (const p of phrases) {
		let at = windowHay.indexOf(p);
		while (at >= 0) {
			for (let i = at; i < at + p.length && i < marks.length; i++) marks[i] = true;
			at = windowHay.indexOf(p, at + Math.max(1, p.length));
		}
	}
	const parts: SnippetPart[] = [];
	if (start > 0) parts.push({ text: '…', hit: false });
	for (let i = 0; i < windowText.length; i++) {
		const last = parts[parts.length - 1];
		if (last && last.hit === marks[i] && !(i === 0 && start > 0)) last.text += windowText[i];
		else parts.push({ text: windowText[i]!, hit: marks[i]! });
	}
	if (end < text.length) parts.push({ text: '…', hit: false });
	return parts;
}
