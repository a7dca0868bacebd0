import { getSchema, type AnyExtension, type NodeViewRenderer } from '@tiptap/core';
import type { Schema } from '@tiptap/pm/model';
import { StarterKit } from '@tiptap/starter-kit';
import { Table, TableCell, TableHeader, TableRow } from '@tiptap/extension-table';
import { CommentMark } from './commentMark';
import { Decision } from './decision';
import { GeneratedMarker } from './generatedMarker';
import { docName } from './names';

/*
 * The live minutes of one meeting: `minutes/<meetingId>`, a Tiptap (ProseMirror) document in
 * the Y.XmlFragment MINUTES_FIELD. This extension list is the schema (quarterly bulletins are
 * written with the same list): the browser editor adds
 * Collaboration and CollaborationCaret on top; server code builds its schema from the same
 * list and reads the live document only schema-less (yXmlFragmentToProsemirrorJSON) or on a
 * scratch copy.
 */

export const MINUTES_FIELD = 'default';
export const minutesDocName = (meetingId: string) => docName({ kind: 'minutes', meetingId });

const ALLOWED_LINK = /^(https?:\/\/|mailto:)/i;

export function isAllowedLink(href: string): boolean {
	return ALLOWED_LINK.test(href.trim());
}

export interface MinutesExtensionOptions {
	decisionView?: NodeViewRenderer | null;
}

export function minutesExtensions(options: MinutesExtensionOptions = {}): AnyExtension[] {
	return [
		StarterKit.configure({
			// Undo/redo comes from the collaboration history (only one's own edits).
			undoRedo: false,
			codeBlock: false,
			code: false,
			link: {
				openOnClick: false,
				autolink: true,
				protocols: ['http', 'https', 'mailto'],
				defaultProtocol: 'https',
				isAllowedUri: (url) => isAllowedLink(url)
			}
		}),
		// The wrapper scrolls sideways on a phone instead of squeezing a wide table to one character a column.
		Table.configure({ resizable: false, renderWrapper: true, cellMinWidth: 64 }),
		TableRow,
		TableHeader,
		TableCell,
		Decision.configure({ nodeView: options.decisionView ?? null }),
		CommentMark,
		// Bulletins share this list; only they carry generated parts.
		GeneratedMarker
	];
}

let schema: Schema | null = null;
/** The ProseMirror schema of minutes, for server-side validation and rendering. */
export function minutesSchema(): Schema {
	schema ??= getSchema(minutesExtensions());
	return schema;
}
