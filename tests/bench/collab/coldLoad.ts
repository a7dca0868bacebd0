import * as Y from 'yjs';
import { minutesDocName } from '../../../src/lib/docs/minutes';
import { DocStore } from '../../../src/lib/server/docStore';
import { shadowOf } from '../../../src/lib/server/yjsUpdate';
import { createTestDatabase, usingPostgres } from '../../helpers/db';
import { median } from './stats';

/*
 * Cold load of a minutes document whose log holds N keystroke updates, through DocStore on a
 * real database (in-memory PGlite, or a throw-away PostgreSQL database when DATABASE_URL is
 * set): loadInto() as persistence's onLoadDocument calls it, plus the shadow copy it then
 * makes; before and after compaction.
 */

export interface ColdLoadResult {
	database: string;
	updates: number;
	beforeMs: number;
	beforeWithShadowMs: number;
	afterMs: number;
	afterWithShadowMs: number;
	compactMs: number;
	snapshotKB: number;
}

/** One person typing the minutes: N single-character updates, a new paragraph every 60. */
function keystrokeUpdates(n: number): Uint8Array[] {
	const doc = new Y.Doc();
	const updates: Uint8Array[] = [];
	doc.on('update', (u: Uint8Array) => updates.push(u));
	const fragment = doc.getXmlFragment('default');
	let text: Y.XmlText | null = null;
	while (updates.length < n) {
		if (!text || text.length >= 60) {
			const paragraph = new Y.XmlElement('paragraph');
			text = new Y.XmlText();
			paragraph.insert(0, [text]);
			fragment.insert(fragment.length, [paragraph]);
			continue;
		}
		text.insert(text.length, '议');
	}
	doc.destroy();
	return updates.slice(0, n);
}

async function timeLoads(store: DocStore, name: string, runs: number): Promise<{ load: number; withShadow: number }> {
	const load: number[] = [];
	const withShadow: number[] = [];
	for (let i = 0; i < runs; i++) {
		const doc = new Y.Doc();
		const t0 = performance.now();
		await store.loadInto(name, doc, null);
		const t1 = performance.now();
		shadowOf(doc).destroy();
		const t2 = performance.now();
		load.push(t1 - t0);
		withShadow.push(t2 - t0);
		doc.destroy();
	}
	return { load: median(load), withShadow: median(withShadow) };
}

export async function coldLoad(n: number, runs = 5): Promise<ColdLoadResult> {
	const database = await createTestDatabase();
	try {
		const store = new DocStore(database.db);
		const name = minutesDocName('00000000-0000-4000-8000-00000000b3c4');
		const updates = keystrokeUpdates(n);
		// Appended in parallel chunks: the store group-commits them as the server would.
		for (let i = 0; i < updates.length; i += 1000) await Promise.all(updates.slice(i, i + 1000).map((u) => store.append(name, u)));
		if ((await store.logRowCount(name)) !== n) throw new Error('not every update reached the log');
		const before = await timeLoads(store, name, runs);
		const t0 = performance.now();
		await store.compact(name);
		const compactMs = performance.now() - t0;
		const after = await timeLoads(store, name, runs);
		const { snapshot } = await store.load(name);
		return {
			database: usingPostgres() ? 'PostgreSQL' : 'PGlite (in memory)',
			updates: n,
			beforeMs: before.load,
			beforeWithShadowMs: before.withShadow,
			afterMs: after.load,
			afterWithShadowMs: after.withShadow,
			compactMs,
			snapshotKB: (snapshot?.byteLength ?? 0) / 1024
		};
	} finally {
		await database.destroy();
	}
}
