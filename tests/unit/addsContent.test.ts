import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addsContent } from '../../src/lib/server/yjsUpdate';

describe('addsContent (who authored an update)', () => {
	it('a resend of content the document has is not authorship; new text and deletions are', () => {
		const server = new Y.Doc();
		const client = new Y.Doc();
		client.getText('t').insert(0, '会议纪要');
		const first = Y.encodeStateAsUpdate(client);
		expect(addsContent(first, server)).toBe(true);
		Y.applyUpdate(server, first);
		// Reconnecting, the client sends all it holds again.
		expect(addsContent(Y.encodeStateAsUpdate(client), server)).toBe(false);
		const updates: Uint8Array[] = [];
		client.on('update', (u: Uint8Array) => updates.push(u));
		client.getText('t').insert(4, '。');
		client.getText('t').delete(0, 2);
		expect(updates.map((u) => addsContent(u, server))).toEqual([true, true]);
	});
});
