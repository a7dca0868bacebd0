import { and, asc, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { recordNumberLabel } from '../domain/record';
import { queryPhrases, snippet, tsqueryLiteral, type SnippetPart } from '../domain/searchTerms';
import type { DbOrTx } from './db';
import { committees, communities, records, recordSearch } from './db/schema';

/*
 * The archive: finalized records by committee and year, found by any phrase in them. Who may
 * see which committee is decided by the caller (visibleCommittees); this module only filters.
 */

export const ARCHIVE_PAGE_SIZE = 20;
export const QUERY_MAX = 100;

export interface ArchiveFilter {
	/** The committees the reader may see; the archive never shows others. */
	committeeIds: string[];
	year?: number | null;
	streetId?: string | null;
	q?: string;
	/** Superseded versions are listed too when true. */
	allVersions?: boolean;
	page?: number;
}

export interface ArchiveEntry {
	id: string;
	committeeId: string;
	committeeName: string;
	meetingId: string | null;
	year: number;
	seq: number;
	version: number;
	label: string;
	title: string;
	finalizedAt: Date;
	sha256: string;
	superseded: boolean;
	/** With a search: the text around the first hit, hits marked. */
	snippet: SnippetPart[] | null;
}

const superseded = sql<boolean>`exists (select 1 from ${records} r2 where r2.committee_id = ${records.committeeId} and r2.kind = ${records.kind} and r2.year = ${records.year} and r2.seq = ${records.seq} and r2.version > ${records.version})`.mapWith(Boolean);

// The street a committee serves: its own (大工委) or its community's (大党委).
const streetOf = sql`coalesce(${committees.streetId}, (select ${communities.streetId} from ${communities} where ${communities.id} = ${committees.communityId}))`;

export async function searchArchive(db: DbOrTx, filter: ArchiveFilter): Promise<{ items: ArchiveEntry[]; total: number; page: number; pageCount: number; phrases: string[] }> {
	const phrases = queryPhrases((filter.q ?? '').slice(0, QUERY_MAX));
	const page = Math.max(1, Math.floor(filter.page ?? 1));
	const empty = { items: [], total: 0, page, pageCount: 1, phrases };
	// A query of punctuation only finds nothing rather than everything.
	if (filter.committeeIds.length === 0 || ((filter.q ?? '').trim() !== '' && phrases.length === 0)) return empty;
	const where: SQL[] = [inArray(records.committeeId, filter.committeeIds)];
	if (filter.year) where.push(eq(records.year, filter.year));
	if (filter.streetId) where.push(sql`${streetOf} = ${filter.streetId}`);
	if (!filter.allVersions) where.push(sql`not ${superseded}`);
	const tsquery = tsqueryLiteral(phrases);
	let rank: SQL = sql`0`;
	if (tsquery) {
		// The index finds records holding every term; the exact phrases are then confirmed in
		// the text, so bigrams that happen to occur apart never count as a hit.
		where.push(sql`${recordSearch.terms} @@ ${tsquery}::tsquery`);
		for (const phrase of phrases) where.push(sql`strpos(lower(${recordSearch.text}), ${phrase}) > 0`);
		rank = sql`ts_rank(${recordSearch.terms}, ${tsquery}::tsquery)`;
	}
	const condition = and(...where);
	const [{ total } = { total: 0 }] = await db
		.select({ total: sql<number>`count(*)`.mapWith(Number) })
		.from(records)
		.innerJoin(committees, eq(committees.id, records.committeeId))
		.innerJoin(recordSearch, eq(recordSearch.recordId, records.id))
		.where(condition);
	const pageCount = Math.max(1, Math.ceil(total / ARCHIVE_PAGE_SIZE));
	const rows = await db
		.select({
			id: records.id,
			committeeId: records.committeeId,
			committeeName: committees.name,
			meetingId: records.meetingId,
			year: records.year,
			seq: records.seq,
			version: records.version,
			title: records.title,
			finalizedAt: records.finalizedAt,
			sha256: records.sha256,
			superseded,
			text: phrases.length ? recordSearch.text : sql<string>`''`
		})
		.from(records)
		.innerJoin(committees, eq(committees.id, records.committeeId))
		.innerJoin(recordSearch, eq(recordSearch.recordId, records.id))
		.where(condition)
		.orderBy(...(tsquery ? [desc(rank)] : []), desc(records.year), desc(records.seq), desc(records.version), asc(committees.name))
		.limit(ARCHIVE_PAGE_SIZE)
		.offset((Math.min(page, pageCount) - 1) * ARCHIVE_PAGE_SIZE);
	return {
		items: rows.map(({ text, ...r }) => ({ ...r, label: recordNumberLabel(r.year, r.seq), snippet: phrases.length ? snippet(text, phrases) : null })),
		total,
		page: Math.min(page, pageCount),
		pageCount,
		phrases
	};
}

/** The years that have records, newest first, for the year filter. */
export async function archiveYears(db: DbOrTx, committeeIds: string[]): Promise<number[]> {
	if (committeeIds.length === 0) return [];
	const rows = await db.selectDistinct({ year: records.year }).from(records).where(inArray(records.committeeId, committeeIds)).orderBy(desc(records.year));
	return rows.map((r) => r.year);
}

/** Every record (all versions) of one committee and year, in number order: the yearly bundle. */
export async function recordsOfYear(db: DbOrTx, committeeId: string, year: number) {
	return db
		.select({ id: records.id, seq: records.seq, version: records.version, sha256: records.sha256, title: records.title, body: records.body, superseded })
		.from(records)
		.where(and(eq(records.committeeId, committeeId), eq(records.year, year)))
		.orderBy(asc(records.seq), asc(records.version));
}
