/**
 * Time to durable for the update log alone: DocStore.append on a fresh database (PGlite, or
 * PostgreSQL when DATABASE_URL is set), one keystroke-sized update at a time and in bursts of
 * concurrent appends (what the group commit batches), with and without the fence trigger.
 *   npx tsx tests/bench/appendLatency.ts [appends]
 */
import { sql } from 'drizzle-orm';
import * as Y from 'yjs';
import { DocStore } from '../../src/lib/server/docStore';
import { createTestDatabase } from '../helpers/db';

const N = Number(process.argv[2] ?? 2000);
const database = await createTestDatabase();
const kind = process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite';
const doc = new Y.Doc();
const updates: Uint8Array[] = [];
doc.on('update', (u: Uint8Array) => updates.push(u));
for (let i = 0; i < N; i++) doc.getText('t').insert(i, '字');

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;

async function measure(label: string, concurrency: number): Promise<void> {
	const store = new DocStore(database.db);
	const times: number[] = [];
	const started = performance.now();
	for (let i = 0; i < N; i += concurrency) {
		await Promise.all(
			updates.slice(i, i + concurrency).map(async (u) => {
				const t = performance.now();
				await store.append(`minutes/bench-${label}-${concurrency}`, u);
				times.push(performance.now() - t);
			})
		);
	}
	const s = (performance.now() - started) / 1000;
	console.log(`${kind} ${label}, ${concurrency} at a time: p50 ${pct(times, 50).toFixed(2)} ms, p99 ${pct(times, 99).toFixed(2)} ms, ${(N / s).toFixed(0)} appends/s`);
}

for (const c of [1, 10, 50]) await measure('with fence trigger', c);
await database.db.execute(sql`alter table doc_updates disable trigger gj_doc_updates_fence`);
for (const c of [1, 10, 50]) await measure('without fence trigger', c);
await database.destroy();
