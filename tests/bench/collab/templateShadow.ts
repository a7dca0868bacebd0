/**
 * Experiment behind a finding of the bench (docs/PERFORMANCE.md, "found / proposed"): the
 * same typing load on minutes whose template is laid out by the load that serves the editors
 * ("fresh") and on minutes laid out once, unloaded and loaded again ("reloaded").
 *
 *   npx tsx tests/bench/collab/templateShadow.ts [docs=10] [editors=10]
 */
import os from 'node:os';
import { minutesDocName } from '../../../src/lib/docs/minutes';
import { latencyRun, type Load } from './latency';
import { la } from './report';
import { scrape, value } from './serverMetrics';
import { ms } from './stats';
import { startOurs, type OurSystem } from './systems';
import { WorkerPool } from './workers';

const docs = Number(process.argv[2] ?? 10);
const editors = Number(process.argv[3] ?? 10);
const load: Load = { key: 'x', label: `${editors} editors × ${docs} docs @ 5 chars/s`, docs, editors, charsPerSecond: 5 };
const timing = { warmupMs: 2_000, measureMs: 8_000, graceMs: 2_000, workers: 2 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Opens every minutes document once with one writer (laying out its template), then waits until all are unloaded. */
async function reloadedDocs(ours: OurSystem): Promise<OurSystem> {
	const names = (await ours.meetings(docs)).map(minutesDocName);
	const pool = WorkerPool.start(1);
	await pool.connect('ours', ours.url, ours.plansFor(names, 1));
	await pool.close();
	const deadline = Date.now() + 60_000;
	while (value(await scrape(ours.http!), 'gongjian_documents_loaded') > 0) {
		if (Date.now() > deadline) throw new Error('documents did not unload');
		await sleep(500);
	}
	return { ...ours, docs: async (_count, clientsPerDoc) => ours.plansFor(names, clientsPerDoc) };
}

for (const variant of ['fresh', 'reloaded'] as const) {
	const ours = await startOurs();
	try {
		const system = variant === 'fresh' ? ours : await reloadedDocs(ours);
		const r = await latencyRun(system, load, timing);
		console.log(`${variant.padEnd(8)} ${load.label}: p50 ${ms(r.latency.p50)} p95 ${ms(r.latency.p95)} p99 ${ms(r.latency.p99)} max ${ms(r.latency.max)}; lost ${r.lost}/${r.sent}; ${r.serverUpdatesPerSecond?.toFixed(0)} updates/s logged; durable p99 ≈ ${ms(r.durableP99Ms ?? NaN)}; server CPU ${r.serverCpu.toFixed(0)} %; load ${la(os.loadavg())}`);
	} finally {
		await ours.stop();
	}
}
process.exit(0);
