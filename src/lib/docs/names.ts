/*
 * Hocuspocus document names, parsed and built in one place (browser, server, exporters).
 * Ids are UUIDs; anything else is refused before a database is asked.
 */
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

export type DocRef =
	| { kind: 'agenda'; meetingId: string }
	| { kind: 'minutes'; meetingId: string }
	| { kind: 'board'; committeeId: string; year: number }
	/** scopeId: the committee, or the district for a district-wide bulletin. */
	| { kind: 'bulletin'; scopeId: string; year: number; quarter: 1 | 2 | 3 | 4 };

const PATTERNS: { re: RegExp; build: (m: RegExpMatchArray) => DocRef | null }[] = [
	{ re: new RegExp(`^agenda/(${UUID})$`), build: (m) => ({ kind: 'agenda', meetingId: m[1]! }) },
	{ re: new RegExp(`^minutes/(${UUID})$`), build: (m) => ({ kind: 'minutes', meetingId: m[1]! }) },
	{
		re: new RegExp(`^board/(${UUID})/(\\d{4})$`),
		build: (m) => ({ kind: 'board', committeeId: m[1]!, year: Number(m[2]) })
	},
	{
		re: new RegExp(`^bulletin/(${UUID})/(\\d{4})-Q([1-4])$`),
		build: (m) => ({ kind: 'bulletin', scopeId: m[1]!, year: Number(m[2]), quarter: Number(m[3]) as 1 | 2 | 3 | 4 })
	}
];

export function parseDocName(name: string): DocRef | null {
	if (name.length > 200) return null;
	for (const { re, build } of PATTERNS) {
		const m = name.match(re);
		if (m) return build(m);
	}
	return null;
}

export function docName(ref: DocRef): string {
	switch (ref.kind) {
		case 'agenda':
		case 'minutes':
			return `${ref.kind}/${ref.meetingId}`;
		case 'board':
			return `board/${ref.committeeId}/${ref.year}`;
		case 'bulletin':
			return `bulletin/${ref.scopeId}/${ref.year}-Q${ref.quarter}`;
	}
}
