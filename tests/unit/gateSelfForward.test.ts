import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { admitToShadow, checkUpdate, shadowOf } from '../../src/lib/server/yjsUpdate';

/*
 * A live document's history recorded by the socket fuzzer (tests/collab/socketFuzz.test.ts): its
 * state when loaded, then every update the gate admitted, in the order they were applied. The last
 * one passed the gate (alone on an empty document, and on a copy of the document) and then threw
 * in the live document: its items name a parent of their own client at a later clock, which Yjs
 * looks up without checking. The copies did not throw because their state for that client
 * differs from the live document's where something is pending.
 */
const dir = path.resolve('tests/fixtures/yjs-fuzz');
const history = (JSON.parse(fs.readFileSync(path.join(dir, 'self-forward-parent.history.json'), 'utf8')) as string[]).map(
	(b) => new Uint8Array(Buffer.from(b, 'base64'))
);

/** The server's gate, as persistence runs it: the update alone, then on a copy of the live document. */
function admitted(live: Y.Doc, update: Uint8Array): boolean {
	const check = checkUpdate(update);
	if (!check.ok) return false;
	if (check.empty) return true;
	const shadow = shadowOf(live);
	try {
		return admitToShadow(shadow, update).ok;
	} finally {
		shadow.destroy();
	}
}

describe('the gate and items referring ahead within their own client', () => {
	it('refuses the update that broke a live document, and everything it admits from that history applies', () => {
		const live = new Y.Doc();
		Y.applyUpdate(live, history[0]!);
		const refused: number[] = [];
		for (const [i, update] of history.entries()) {
			if (i === 0) continue;
			if (!admitted(live, update)) {
				refused.push(i);
				continue;
			}
			expect(() => Y.applyUpdate(live, update), `update ${i} was admitted`).not.toThrow();
		}
		expect(refused).toContain(history.length - 1);
		expect(() => Y.encodeStateAsUpdate(live)).not.toThrow();
	});

	it('names the problem', () => {
		const check = checkUpdate(new Uint8Array(fs.readFileSync(path.join(dir, 'self-forward-parent.bin'))));
		expect(check).toEqual({ ok: false, reason: expect.stringMatching(/refers to a later item of its own client/) });
	});

	it('admits what real clients write: nested types, formatting, inserts between and deletions by one client', () => {
		const doc = new Y.Doc();
		const updates: Uint8Array[] = [];
		doc.on('update', (u: Uint8Array) => updates.push(u));
		const fragment = doc.getXmlFragment('default');
		const paragraph = new Y.XmlElement('paragraph');
		const text = new Y.XmlText('会议听取汇报');
		paragraph.insert(0, [text]);
		fragment.insert(0, [paragraph]);
		text.insert(2, '各单位');
		text.format(0, 4, { bold: true });
		text.delete(1, 2);
		fragment.insert(0, [new Y.XmlElement('heading')]);
		const items = doc.getArray<Y.Map<unknown>>('items');
		const item = new Y.Map<unknown>();
		items.push([item]);
		item.set('title', '加装电梯');
		item.set('title', '老旧小区加装电梯');
		for (const u of [...updates, Y.encodeStateAsUpdate(doc)]) expect(checkUpdate(u)).toEqual({ ok: true, empty: false });
	});
});
