import { describe, expect, it } from 'vitest';
import { queryPhrases, searchTerms, snippet, tsqueryLiteral, tsvectorLiteral } from '../../src/lib/domain/searchTerms';

describe('search terms for Chinese text', () => {
	it('makes characters and bigrams of Han runs and keeps other words whole, lower-cased', () => {
		expect(searchTerms('垃圾分类 ABC123，好')).toEqual(['垃', '垃圾', '圾', '圾分', '分', '分类', '类', 'abc123', '好']);
	});

	it('quotes lexemes so that any text is data', () => {
		expect(tsvectorLiteral("it's a\\b")).toBe("'it':1 's':2 'a':3 'b':4");
		expect(tsqueryLiteral(["o'neil"])).toBe("'o' & 'neil'");
		expect(tsqueryLiteral(queryPhrases('  垃圾分类   '))).toBe("'垃圾' & '圾分' & '分类'");
		expect(tsqueryLiteral(queryPhrases('!!! ***'))).toBeNull();
	});

	it('keeps the literal of a very long text within what PostgreSQL accepts', () => {
		// 300,000 distinct-ish characters: far more terms and positions than a tsvector may hold.
		const huge = Array.from({ length: 300_000 }, (_, i) => String.fromCodePoint(0x4e00 + ((i * 7919) % 20000))).join('');
		const literal = tsvectorLiteral(huge);
		expect(literal.length).toBeLessThanOrEqual(600_000);
		expect(literal.length).toBeGreaterThan(100_000);
		expect(tsvectorLiteral('短文本')).toBe("'短':1 '短文':2 '文':3 '文本':4 '本':5");
	});

	it('marks every occurrence of the phrases in a window around the first', () => {
		const parts = snippet('会议听取汇报。会议部署了垃圾分类工作，垃圾分类要常抓不懈。', ['垃圾分类'])!;
		expect(parts.filter((p) => p.hit).map((p) => p.text)).toEqual(['垃圾分类', '垃圾分类']);
		expect(parts.map((p) => p.text).join('')).toBe('会议听取汇报。会议部署了垃圾分类工作，垃圾分类要常抓不懈。');
		expect(snippet('没有', ['垃圾'])).toBeNull();
		const long = `${'前'.repeat(200)}目标${'后'.repeat(200)}`;
		const cut = snippet(long, ['目标'])!;
		expect(cut[0]!.text).toBe('…');
		expect(cut[cut.length - 1]!.text).toBe('…');
	});
});
