/*
 * The record (归档): what a finalized meeting's minutes were, frozen. The body is written once,
 * hashed over its canonical JSON, and every export (DOCX, PDF, Markdown, print view) is
 * rendered from it, never from the live document. Pure types and formatting, shared by the
 * server, the exporters and the pages.
 */

/** ProseMirror JSON as stored (schema-less: exporters must tolerate unknown nodes). */
export type PmNode = { type: string; attrs?: Record<string, unknown>; content?: PmNode[]; text?: string; marks?: PmNode[] };

export const RECORD_FORMAT = 1;
/** The numbering series: 纪要, 督查通报, 述职评议报告. */
export const RECORD_KINDS = ['minutes', 'bulletin', 'evaluation'] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

/** The word a record's file names and labels carry. */
export const RECORD_KIND_WORD: Record<RecordKind, string> = { minutes: '纪要', bulletin: '督查通报', evaluation: '述职评议' };

export interface RecordPerson {
	name: string;
	unit: string | null;
}

export interface RecordBody {
	format: typeof RECORD_FORMAT;
	kind: RecordKind;
	/** Year of the numbering series (the meeting's year in China time) and the number in it. */
	year: number;
	seq: number;
	version: number;
	/** The scope it is filed under: a committee, or the district for district-wide documents. */
	committee: { id: string; name: string; kind: 'community' | 'street' | 'district' };
	/** The meeting; for a bulletin or a report, the document itself (its id, title and date). */
	meeting: {
		id: string;
		title: string;
		kind: 'regular' | 'special';
		/** ISO 8601 instant. */
		startsAt: string;
		place: string;
	};
	/** Minutes only; null for other kinds. */
	attendance: {
		/** 出席: present in the room or online (online ones flagged). */
		present: (RecordPerson & { remote: boolean })[];
		/** 请假: absent with the reason, or delegated to someone. */
		excused: (RecordPerson & { reason: string; delegatedTo: string | null })[];
		/** 列席: observers who attended. */
		observers: RecordPerson[];
		/** 应到 and 实到 (observers count toward neither). */
		expected: number;
		attending: number;
	} | null;
	/** The minutes as finalized (ProseMirror JSON). */
	content: PmNode;
	decisions: { blockId: string; position: number; text: string; units: string[]; dueDate: string | null }[];
	/** 书面意见, with the agenda item they were written on. */
	opinions: { agendaItem: string; author: string; unit: string | null; body: string; writtenAt: string }[];
	confirmations: { party: string; kind: 'unit' | 'member'; status: 'confirmed' | 'objected' | 'none'; reason: string; answeredBy: string | null; answeredAt: string | null }[];
	/** Set when the convener finalized without every confirmation: the written reason. */
	override: string | null;
	finalizedBy: string;
	finalizedAt: string;
}

/** 〔2026〕第3号 for minutes; 督查通报〔2026〕第2号 for the other series. */
export function recordNumberLabel(year: number, seq: number, kind: RecordKind = 'minutes'): string {
	return `${kind === 'minutes' ? '' : RECORD_KIND_WORD[kind]}〔${year}〕第${seq}号`;
}

/** The year a meeting belongs to in China (UTC+8, no daylight saving). */
export function chinaYear(instant: Date): number {
	return new Date(instant.getTime() + 8 * 3600_000).getUTCFullYear();
}

/** YYYY年M月D日 in China time, as official documents date themselves. */
export function chinaDateLabel(iso: string): string {
	const d = new Date(new Date(iso).getTime() + 8 * 3600_000);
	return `${d.getUTCFullYear()}年${d.getUTCMonth() + 1}月${d.getUTCDate()}日`;
}

/** A file name for an export: committee, number, version; no path separators or control characters. */
export function recordFileStem(body: Pick<RecordBody, 'committee' | 'year' | 'seq' | 'version' | 'kind'>): string {
	const safe = body.committee.name.replace(/[\\/:*?"<>|\p{Cc}]/gu, '_').slice(0, 60);
	return `${safe}-${RECORD_KIND_WORD[body.kind]}-${body.year}-${String(body.seq).padStart(3, '0')}${body.version > 1 ? `-v${body.version}` : ''}`;
}
