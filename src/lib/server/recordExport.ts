import { Readable } from 'node:stream';
import yazl from 'yazl';
import { recordFileStem, recordNumberLabel, type RecordBody } from '../domain/record';
import { recordsOfYear } from './archive';
import type { DbOrTx } from './db';
import { recordDocx } from './export/docx';
import { recordMarkdown } from './export/markdown';
import { recordPdf, recordsTocPdf } from './export/pdf';
import { layoutRecord } from './export/recordBlocks';
import { chinaDateLabel } from '../domain/record';

/*
 * Exports of frozen records — one record as DOCX, PDF or Markdown, or a committee's year as a
 * zip bundle — always rendered from the stored body, never from the live document.
 */

export const RECORD_FORMATS = ['docx', 'pdf', 'md'] as const;
export type RecordFormat = (typeof RECORD_FORMATS)[number];

export function isRecordFormat(value: string): value is RecordFormat {
	return (RECORD_FORMATS as readonly string[]).includes(value);
}

export const CONTENT_TYPES: Record<RecordFormat, string> = {
	docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
	pdf: 'application/pdf',
	md: 'text/markdown; charset=utf-8'
};

export interface RenderedRecord {
	bytes: Uint8Array;
	contentType: string;
	/** The file name (Chinese), and an ASCII one for old clients. */
	fileName: string;
	asciiName: string;
}

function chinaDay(iso: string): string {
	const d = new Date(new Date(iso).getTime() + 8 * 3600_000);
	return d.toISOString().slice(0, 10);
}

export async function renderRecord(record: { body: RecordBody; sha256: string }, format: RecordFormat): Promise<RenderedRecord> {
	const { body, sha256 } = record;
	const layout = layoutRecord(body, sha256);
	let bytes: Uint8Array;
	if (format === 'docx') bytes = await recordDocx(layout);
	else if (format === 'pdf') bytes = await recordPdf(layout);
	else {
		const text = recordMarkdown(layout, {
			committee: body.committee.name,
			number: recordNumberLabel(body.year, body.seq, body.kind),
			version: body.version,
			date: chinaDay(body.meeting.startsAt),
			finalizedAt: body.finalizedAt,
			hash: sha256
		});
		bytes = new TextEncoder().encode(text);
	}
	const stem = recordFileStem(body);
	return {
		bytes,
		contentType: CONTENT_TYPES[format],
		fileName: `${stem}.${format}`,
		asciiName: `${body.kind}-${body.year}-${String(body.seq).padStart(3, '0')}${body.version > 1 ? `-v${body.version}` : ''}.${format}`
	};
}

export interface BundleManifestEntry {
	number: string;
	kind: RecordBody['kind'];
	seq: number;
	version: number;
	superseded: boolean;
	title: string;
	meetingDate: string;
	sha256: string;
	files: Record<RecordFormat, string>;
}

/**
 * A committee's year as a zip: each record's PDF, DOCX and Markdown, manifest.json and a table
 * of contents PDF. Files are rendered one at a time as the zip is read, so memory holds one
 * record's exports, not the year's.
 */
export async function yearBundle(db: DbOrTx, committee: { id: string; name: string }, year: number): Promise<{ stream: ReadableStream<Uint8Array>; fileName: string; asciiName: string; count: number }> {
	const rows = await recordsOfYear(db, committee.id, year);
	const zip = new yazl.ZipFile();
	const manifest: BundleManifestEntry[] = [];
	for (const row of rows) {
		const body = row.body as unknown as RecordBody;
		const stem = recordFileStem(body);
		const files = { pdf: `${stem}.pdf`, docx: `${stem}.docx`, md: `${stem}.md` } satisfies Record<RecordFormat, string>;
		manifest.push({
			number: recordNumberLabel(body.year, body.seq, body.kind),
			kind: body.kind,
			seq: body.seq,
			version: body.version,
			superseded: row.superseded,
			title: row.title,
			meetingDate: chinaDay(body.meeting.startsAt),
			sha256: row.sha256,
			files
		});
		for (const format of RECORD_FORMATS) {
			zip.addReadStreamLazy(files[format], { compress: format === 'md', mtime: new Date(body.finalizedAt) }, (cb) => {
				renderRecord({ body, sha256: row.sha256 }, format).then(
					(rendered) => cb(null, Readable.from([Buffer.from(rendered.bytes)])),
					(err: unknown) => {
						console.error(`[archive] bundle ${committee.id}/${year}: could not render ${files[format]}:`, err);
						cb(err, Readable.from([]));
					}
				);
			});
		}
	}
	const toc = await recordsTocPdf({
		heading: `${committee.name} ${year}年 档案目录`,
		subheading: `共 ${new Set(manifest.map((m) => `${m.kind}:${m.seq}`)).size} 号，${manifest.length} 个版本`,
		entries: manifest.map((m, i) => ({
			number: m.number,
			title: rows[i]!.title,
			date: chinaDateLabel((rows[i]!.body as unknown as RecordBody).meeting.startsAt),
			version: m.version,
			hash: m.sha256
		}))
	});
	zip.addBuffer(Buffer.from(toc), '目录.pdf', { compress: false });
	zip.addBuffer(Buffer.from(JSON.stringify({ committee: committee.name, committeeId: committee.id, year, records: manifest }, null, 2), 'utf8'), 'manifest.json');
	zip.end();
	const safeName = committee.name.replace(/[\\/:*?"<>|\p{Cc}]/gu, '_');
	return {
		stream: Readable.toWeb(zip.outputStream as Readable) as ReadableStream<Uint8Array>,
		fileName: `${safeName}-${year}年档案.zip`,
		asciiName: `archive-${year}.zip`,
		count: rows.length
	};
}
