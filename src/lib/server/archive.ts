import { and, asc, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { recordNumberLabel, type RecordKind } from '../domain/record';
import { queryPhrases, snippet, tsqueryLiteral, type SnippetPart } from '../domain/searchTerms';
import type { DbOrTx } from './db';
import { committees, communities, districts, records, recordSearch } from './db/schema';
import { scopeNameSql, supersededSql } from './record';

/*
 * The archive: finalized records by committee and year, found by any phrase in them. Who may
 * see which committee is decided by the caller (visibleCommittees); this module only filters.
 */

export const ARCHIVE_PAGE_SIZE = 20;
export const QUERY_MAX = 100;

export interface ArchiveFilter {
	/** The committees (and, for administrators, districts) the reader may see; the archive never shows others. */
	scopeIds: string[];
	year?: number | null;
	streetId?: string | null;
	q?: string;
	/** Superseded versions are listed too when true. */
	allVersions?: boolean;
	page?: number;
}

export interface ArchiveEntry {
	id: string;
	kind: string;
	scopeId: string;
	committeeId: string | null;
	/** The committee's name, or the district's for district-wide records. */
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

const superseded = supersededSql;

// The street a committee serves: its own (大工委) or its community's (大党委).
const streetOf = sql`coalesce(${committees.streetId}, (select ${communities.streetId} from ${communities} where ${communities.id} = ${committees.communityId}))`;

export async function searchArchive(db: DbOrTx, filter: ArchiveFilter): Promise<{ items: ArchiveEntry[]; total: number; page: number; pageCount: number; phrases: string[] }> {
	const phrases = queryPhrases((filter.q ?? '').slice(0, QUERY_MAX));
	const page = Math.max(1, Math.floor(filter.page ?? 1));
	const empty = { items: [], total: 0, page, pageCount: 1, phrases };
	// A query of punctuation only finds nothing rather than everything.
	if (filter.scopeIds.length === 0 || ((filter.q ?? '').trim() !== '' && phrases.length === 0)) return empty;
	const where: SQL[] = [inArray(records.scopeId, filter.scopeIds)];
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
		.leftJoin(committees, eq(committees.id, records.committeeId))
		.innerJoin(recordSearch, eq(recordSearch.recordId, records.id))
		.where(condition);
	const pageCount = Math.max(1, Math.ceil(total / ARCHIVE_PAGE_SIZE));
	const rows = await db
		.select({
			id: records.id,
			kind: records.kind,
			scopeId: records.scopeId,
			committeeId: records.committeeId,
			committeeName: scopeNameSql,
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
		.leftJoin(committees, eq(committees.id, records.committeeId))
		.innerJoin(districts, eq(districts.id, records.districtId))
		.innerJoin(recordSearch, eq(recordSearch.recordId, records.id))
		.where(condition)
		.orderBy(...(tsquery ? [desc(rank)] : []), desc(records.year), desc(records.seq), desc(records.version), asc(scopeNameSql))
		.limit(ARCHIVE_PAGE_SIZE)
		.offset((Math.min(page, pageCount) - 1) * ARCHIVE_PAGE_SIZE);
	return {
		items: rows.map(({ text, ...r }) => ({ ...r, label: recordNumberLabel(r.year, r.seq, r.kind as RecordKind), snippet: phrases.length ? snippet(text, phrases) : null })),
		total,
		page: Math.min(page, pageCount),
		pageCount,
		phrases
	};
}

/** The years that have records, newest first, for the year filter. */
export async function archiveYears(db: DbOrTx, scopeIds: string[]): Promise<number[]> {
	if (scopeIds.length === 0) return [];
	const rows = await db.selectDistinct({ year: records.year }).from(records).where(inArray(records.scopeId, scopeIds)).orderBy(desc(records.year));
	return rows.map((r) => r.year);
}

/** Every record (all versions) of one scope and year, in series and number order: the yearly bundle. */
export async function recordsOfYear(db: DbOrTx, scopeId: string, year: number) {
	return db
		.select({ id: records.id, kind: records.kind, seq: records.seq, version: records.version, sha256: records.sha256, title: records.title, body: records.body, superseded })
		.from(records)
		.where(and(eq(records.scopeId, scopeId), eq(records.year, year)))
		.orderBy(asc(records.kind), asc(records.seq), asc(records.version));
}
