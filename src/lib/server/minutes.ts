import { createHash } from 'node:crypto';
import { yXmlFragmentToProsemirrorJSON } from '@tiptap/y-tiptap';
import * as Y from 'yjs';
import { desc, eq } from 'drizzle-orm';
import { MINUTES_FIELD, minutesDocName } from '../docs/minutes';
import { minutesFinalizations } from './db/schema';
import type { DbOrTx } from './db';
import { DocStore } from './docStore';

export type PmJson = { type: string; attrs?: Record<string, unknown>; content?: PmJson[]; text?: string; marks?: PmJson[] };

/**
 * The stored minutes of a meeting as ProseMirror JSON, read schema-less from a scratch copy
 * built from the database (never from the live document, never through a schema that could
 * drop nodes it does not know).
 */
export async function readStoredMinutes(db: DbOrTx, meetingId: string): Promise<PmJson> {
	const scratch = new Y.Doc();
	try {
		await new DocStore(db).loadInto(minutesDocName(meetingId), scratch, null);
		return yXmlFragmentToProsemirrorJSON(scratch.getXmlFragment(MINUTES_FIELD)) as PmJson;
	} finally {
		scratch.destroy();
	}
}

/** JSON with object keys sorted, so the same content always hashes the same. */
export function canonicalJson(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
	if (value && typeof value === 'object') {
		const entries = Object.entries(value as Record<string, unknown>)
			.filter(([, v]) => v !== undefined)
			.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
		return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
	}
	return JSON.stringify(value);
}

export function sha256Hex(text: string): string {
	return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Plain text of a ProseMirror JSON subtree, paragraphs separated by newlines. */
export function plainText(node: PmJson): string {
	if (node.type === 'text') return node.text ?? '';
	const parts = (node.content ?? []).map(plainText);
	const block = node.type === 'paragraph' || node.type === 'heading' || node.type === 'listItem';
	return block ? parts.join('') : parts.filter((p) => p !== '').join('\n');
}

/** The most recent finalization of a meeting's minutes, if any. */
export async function latestFinalization(db: DbOrTx, meetingId: string) {
	const [row] = await db
		.select()
		.from(minutesFinalizations)
		.where(eq(minutesFinalizations.meetingId, meetingId))
		.orderBy(desc(minutesFinalizations.version))
		.limit(1);
	return row ?? null;
}
