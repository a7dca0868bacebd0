import { prosemirrorJSONToYXmlFragment, yXmlFragmentToProseMirrorRootNode, yXmlFragmentToProsemirrorJSON } from '@tiptap/y-tiptap';
import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { MINUTES_FIELD, minutesSchema } from '../../src/lib/docs/minutes';
import { CLIENT_SCHEMA_VERSION, MIN_SCHEMA_VERSION } from '../../src/lib/docs/schemaVersion';
import { anchoredThreadIds } from '../../src/lib/server/comment';
import type { PmJson } from '../../src/lib/server/minutes';

const THREAD = '0b6f2c1e-6a0f-4d6e-9a49-1f2d3c4b5a69';
const doc = {
	type: 'doc',
	content: [{ type: 'paragraph', content: [{ type: 'text', text: '会议讨论了' }, { type: 'text', text: '加装电梯', marks: [{ type: 'comment', attrs: { threadId: THREAD } }] }, { type: 'text', text: '的问题。' }] }]
};

describe('the comment mark', () => {
	it('round-trips through the server’s minutes schema and a Yjs document', () => {
		const schema = minutesSchema();
		schema.nodeFromJSON(doc).check();
		const ydoc = new Y.Doc();
		prosemirrorJSONToYXmlFragment(schema, doc, ydoc.getXmlFragment(MINUTES_FIELD));
		// Through an update, as another process would receive it.
		const copy = new Y.Doc();
		Y.applyUpdate(copy, Y.encodeStateAsUpdate(ydoc));
		const node = yXmlFragmentToProseMirrorRootNode(copy.getXmlFragment(MINUTES_FIELD), schema);
		// The same document as the schema reads it (with its attributes' defaults).
		expect(node.toJSON()).toEqual(schema.nodeFromJSON(doc).toJSON());
		expect(JSON.stringify(node.toJSON())).toContain(THREAD);
		expect(anchoredThreadIds(yXmlFragmentToProsemirrorJSON(copy.getXmlFragment(MINUTES_FIELD)) as PmJson)).toEqual(new Set([THREAD]));
	});

	it('does not grow when typing at its edge', () => {
		expect(minutesSchema().marks.comment!.spec.inclusive).toBe(false);
	});

	it('is a schema change: old editors are asked to reload', () => {
		expect(MIN_SCHEMA_VERSION.minutes).toBe(CLIENT_SCHEMA_VERSION);
		expect(CLIENT_SCHEMA_VERSION).toBeGreaterThanOrEqual(3);
	});
});
