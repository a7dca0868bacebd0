import { MINUTES_FIELD, minutesExtensions, minutesSchema } from './minutes';
import { docName } from './names';

/*
 * The quarterly supervision bulletin (季度督查通报): `bulletin/<scopeId>/<year>-Q<n>`, where the
 * scope is a committee or, for a district-wide bulletin, the district. A Tiptap document in the
 * same field and with the same extension list as the minutes (one editor, one exporter); its
 * generated parts carry `generated` (see generatedMarker.ts and domain/bulletin.ts).
 */

export type { Quarter } from '../domain/bulletin';
import type { Quarter } from '../domain/bulletin';

export const BULLETIN_FIELD = MINUTES_FIELD;
export const bulletinExtensions = minutesExtensions;
export const bulletinSchema = minutesSchema;

export const bulletinDocName = (scopeId: string, year: number, quarter: Quarter) => docName({ kind: 'bulletin', scopeId, year, quarter });

/** 2026-Q4, as in the document name and the page's address. */
export function periodLabel(year: number, quarter: Quarter): string {
	return `${year}-Q${quarter}`;
}

export function parsePeriod(value: string): { year: number; quarter: Quarter } | null {
	const m = /^(\d{4})-Q([1-4])$/.exec(value);
	return m ? { year: Number(m[1]), quarter: Number(m[2]) as Quarter } : null;
}
