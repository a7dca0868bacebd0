import fs from 'node:fs';
import path from 'node:path';
import * as Y from 'yjs';

/*
 * Seeds for the Yjs fuzzers (tests/unit/fuzzUpdates, tests/collab/socketFuzz, tests/collab/gateOrder):
 * real updates of the shapes the app sends, and hostile updates kept from earlier findings. The
 * fuzzers pick from these with a seeded generator, so the order of the updates is part of what a
 * run is: a new shape or field goes into a new option rather than into an existing sequence.
 */

/** The updates a fresh document emitted while `edit` ran, each on its own, and the whole document as one update. */
export interface Recorded {
	steps: Uint8Array[];
	whole: Uint8Array;
}

function record(edit: (doc: Y.Doc) => void, clientID?: number): Recorded {
	const doc = new Y.Doc();
	// A fixed id makes the bytes the same on every run; without one Yjs draws it at random.
	if (clientID !== undefined) doc.clientID = clientID;
	const steps: Uint8Array[] = [];
	doc.on('update', (u: Uint8Array) => steps.push(u));
	edit(doc);
	const whole = Y.encodeStateAsUpdate(doc);
	doc.destroy();
	return { steps, whole };
}

export interface TypeUpdatesOptions {
	clientID?: number;
	/**
	 * Also a number among the map's fields, an XML fragment like the minutes (a generated
	 * paragraph, a decision) and a binary array element. The gate-order test searches its steps
	 * for one particular breaking update and keeps to the narrower set it was written with.
	 */
	wide?: boolean;
}

/** Every Yjs type the app relies on, edited the way clients do: typing, formatting and deleting text, map fields, arrays. */
export function typeUpdates({ clientID, wide = true }: TypeUpdatesOptions = {}): Recorded {
	return record((doc) => {
		const text = doc.getText('t');
		for (const word of ['会议', '听取了', '各单位', '汇报', 'report', '。']) text.insert(text.length, word);
		text.format(0, 2, { bold: true });
		text.delete(2, 3);
		const map = doc.getMap('m');
		map.set('title', '十一月例会');
		if (wide) map.set('n', 42);
		map.set('nested', new Y.Map());
		if (wide) {
			const fragment = doc.getXmlFragment('default');
			const paragraph = new Y.XmlElement('paragraph');
			paragraph.setAttribute('generated', 'summary');
			paragraph.insert(0, [new Y.XmlText('截至2026年11月28日')]);
			const decision = new Y.XmlElement('decision');
			decision.setAttribute('id', 'd1');
			decision.insert(0, [new Y.XmlElement('paragraph')]);
			fragment.insert(0, [paragraph, decision]);
			(paragraph.get(0) as Y.XmlText).insert(0, '（', { bold: {} });
			fragment.delete(1, 1);
		}
		const array = doc.getArray('a');
		array.insert(0, wide ? [1, 'two', { three: 3 }, new Uint8Array([4])] : [1, 'two', { three: 3 }]);
		array.delete(1, 1);
	}, clientID);
}

/** The app's own document layout: a minutes paragraph with formatting, an agenda item, a metadata field. */
export function documentUpdates(): Recorded {
	return record((doc) => {
		const fragment = doc.getXmlFragment('default');
		const paragraph = new Y.XmlElement('paragraph');
		paragraph.insert(0, [new Y.XmlText('会议听取了各单位汇报')]);
		fragment.insert(0, [paragraph]);
		(paragraph.get(0) as Y.XmlText).format(0, 2, { bold: true });
		(paragraph.get(0) as Y.XmlText).delete(2, 3);
		const items = doc.getArray<Y.Map<unknown>>('items');
		const item = new Y.Map<unknown>();
		item.set('id', 'a1');
		item.set('title', '垃圾分类');
		items.push([item]);
		doc.getMap('meta').set('n', 42);
	});
}

export interface Fixture {
	file: string;
	bytes: Uint8Array;
}

const SHARED_FIXTURES = path.resolve('..', 'shared', 'fixtures', 'yjs');
const FOUND_FIXTURES = path.resolve('tests/fixtures/yjs-fuzz');

function readFixtures(dir: string): Fixture[] {
	if (!fs.existsSync(dir)) return [];
	// socket-* files are the socket fuzzer's whole protocol frames, not updates.
	return fs
		.readdirSync(dir)
		.filter((f) => f.endsWith('.bin') && !f.startsWith('socket-'))
		.map((file) => ({ file, bytes: new Uint8Array(fs.readFileSync(path.join(dir, file))) }));
}

/** Updates this repository's fuzzers once found breaking something (tests/fixtures/yjs-fuzz). */
export function foundFixtures(): Fixture[] {
	return readFixtures(FOUND_FIXTURES);
}

/** The hostile updates shared between projects (../shared/fixtures/yjs), then foundFixtures(). */
export function hostileFixtures(): Fixture[] {
	return [...readFixtures(SHARED_FIXTURES), ...foundFixtures()];
}
