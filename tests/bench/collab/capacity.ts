import os from 'node:os';
import { SHADOW_IDLE_MS } from '../../../server/collab/extensions/persistence';
import { Inspector } from './inspector';
import { bucketQuantile, cpuSeconds, histogramDelta, scrape, value, type Scrape } from './serverMetrics';
import { summarise, type Summary } from './stats';
import { agendaDocName, minutesDocName, startOurs, type OurSystem } from './systems';
import { WorkerPool } from './workers';

export interface CapacityPlan {
	/** Minutes documents whose heap is measured (one writer each, a little typing). */
	heapDocs: number;
	/** Idle connections added to each of those documents to measure a connection's heap. */
	idlePerDoc: number;
	/** Further minutes documents with `busyClients` writers each, who type during the window. */
	busyDocs: number;
	busyClients: number;
	charsPerSecond: number;
	/** Agenda documents kept open by `agendaClients` idle connections each. */
	agendaDocs: number;
	agendaClients: number;
	windowMs: number;
}

export const FULL_CAPACITY: CapacityPlan = { heapDocs: 100, idlePerDoc: 10, busyDocs: 150, busyClients: 3, charsPerSecond: 2.3, agendaDocs: 250, agendaClients: 2, windowMs: 20_000 };
export const QUICK_CAPACITY: CapacityPlan = { heapDocs: 20, idlePerDoc: 5, busyDocs: 30, busyClients: 3, charsPerSecond: 2.3, agendaDocs: 50, agendaClients: 2, windowMs: 5_000 };

export interface CapacityResult {
	database: string;
	connections: number;
	documents: number;
	updatesPerSecond: number;
	/** % of one core over the window. */
	serverCpu: number;
	eventLoopP99Ms: number;
	durableP99Ms: number;
	heapPerDocKB: number;
	heapPerConnectionKB: number;
	/** The same documents once their writer stopped for longer than the gate keeps a shadow. */
	heapPerIdleDocKB: number;
	rssMB: number;
	latency: Summary;
	/** Keystrokes the clients sent in the window. */
	sent: number;
	/** Loaded documents 30 s after every client left (they unload when idle). */
	documentsAfterLeave: number;
	setupS: number;
	loadavg: number[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function collectedHeap(inspector: Inspector, http: string): Promise<Scrape> {
	await inspector.collectGarbage();
	return scrape(http);
}

export async function capacityRun(plan: CapacityPlan, log: (m: string) => void): Promise<CapacityResult> {
	const started = performance.now();
	const ours: OurSystem = await startOurs('--inspect=127.0.0.1:0');
	const inspector = await Inspector.fromOutput(ours.output());
	const pools: WorkerPool[] = [];
	try {
		const meetingIds = await ours.meetings(plan.heapDocs + plan.busyDocs + Math.max(0, plan.agendaDocs - plan.heapDocs - plan.busyDocs));
		log(`capacity: ${meetingIds.length} meetings created and started`);
		const heapIds = meetingIds.slice(0, plan.heapDocs);
		const busyIds = meetingIds.slice(plan.heapDocs, plan.heapDocs + plan.busyDocs);
		const agendaIds = meetingIds.slice(0, plan.agendaDocs);

		// Heap of a typical minutes document: template plus a little typing, one writer.
		const h0 = await collectedHeap(inspector, ours.http!);
		const docsPool = WorkerPool.start(2);
		pools.push(docsPool);
		await docsPool.connect('ours', ours.url, ours.plansFor(heapIds.map(minutesDocName), 1));
		await docsPool.type({ typists: 1, charsPerSecond: 5, warmupMs: 0, measureMs: 6_000, graceMs: 1_000 });
		const h1 = await collectedHeap(inspector, ours.http!);
		const loaded1 = value(h1, 'gongjian_documents_loaded') - value(h0, 'gongjian_documents_loaded');
		// Idle connections on documents already loaded: what one more connection costs.
		const idlePool = WorkerPool.start(2);
		pools.push(idlePool);
		const idle = await idlePool.connect('ours', ours.url, ours.plansFor(heapIds.map(minutesDocName), plan.idlePerDoc).map((p) => ({ ...p, passive: true })));
		await sleep(1_000);
		const h2 = await collectedHeap(inspector, ours.http!);
		const heap = (s: Scrape) => value(s, 'nodejs_heap_size_used_bytes');
		const perConnection = (heap(h2) - heap(h1)) / idle.clients;
		const perDoc = (heap(h1) - heap(h0)) / loaded1 - perConnection;
		// Nobody types any more: once the gate's shadows are dropped (persistence's shadowIdleMs),
		// what a loaded document costs while it is only open.
		await sleep(SHADOW_IDLE_MS + 6_000);
		const h3 = await collectedHeap(inspector, ours.http!);
		const perIdleDoc = (heap(h3) - heap(h0) - perConnection * (idle.clients + loaded1)) / loaded1;
		// Detached before the load, so the measured window runs without a debugger session.
		inspector.close();
		log(`capacity: heap per document ${(perDoc / 1024).toFixed(1)} KB (${loaded1} documents; ${(perIdleDoc / 1024).toFixed(1)} KB once idle), per idle connection ${(perConnection / 1024).toFixed(1)} KB (${idle.clients} connections)`);

		// The rest of the load: more minutes with writers, agendas kept open.
		const busyPool = WorkerPool.start(2);
		pools.push(busyPool);
		await busyPool.connect('ours', ours.url, [
			...ours.plansFor(busyIds.map(minutesDocName), plan.busyClients),
			...ours.plansFor(agendaIds.map(agendaDocName), plan.agendaClients).map((p) => ({ ...p, passive: true }))
		]);
		const setupS = (performance.now() - started) / 1000;
		log(`capacity: ${value(await scrape(ours.http!), 'gongjian_connections')} connections open, typing`);
		const typing = busyPool.type({ typists: plan.busyClients, charsPerSecond: plan.charsPerSecond, warmupMs: 3_000, measureMs: plan.windowMs, graceMs: 1_000 });
		await sleep(3_000);
		// CPU and wall time read together (a scrape of a blocked server takes long).
		const cpu0 = cpuSeconds(ours.pid);
		const t0 = performance.now();
		const before = await scrape(ours.http!);
		await sleep(plan.windowMs);
		const after = await scrape(ours.http!);
		const cpu1 = cpuSeconds(ours.pid);
		const windowS = (performance.now() - t0) / 1000;
		const loadavg = os.loadavg();
		const results = await typing;

		for (const p of pools.splice(0)) await p.close();
		// Documents unload once their last connection is gone and their store has run.
		const deadline = Date.now() + 30_000;
		let remaining = value(await scrape(ours.http!), 'gongjian_documents_loaded');
		while (remaining > 0 && Date.now() < deadline) {
			await sleep(1_000);
			remaining = value(await scrape(ours.http!), 'gongjian_documents_loaded');
		}
		return {
			database: ours.database,
			connections: value(after, 'gongjian_connections'),
			documents: value(after, 'gongjian_documents_loaded'),
			updatesPerSecond: (value(after, 'gongjian_updates_total') - value(before, 'gongjian_updates_total')) / windowS,
			serverCpu: ((cpu1 - cpu0) / windowS) * 100,
			eventLoopP99Ms: value(after, 'nodejs_eventloop_lag_p99_seconds') * 1000,
			durableP99Ms: bucketQuantile(histogramDelta(before, after, 'gongjian_update_log_seconds'), 0.99).estimate * 1000,
			heapPerDocKB: perDoc / 1024,
			heapPerConnectionKB: perConnection / 1024,
			heapPerIdleDocKB: perIdleDoc / 1024,
			rssMB: value(after, 'process_resident_memory_bytes') / 1024 / 1024,
			latency: summarise(results.flatMap((r) => r.latencies)),
			sent: results.reduce((s, r) => s + r.sent, 0),
			documentsAfterLeave: remaining,
			setupS,
			loadavg
		};
	} finally {
		if (process.env.BENCH_DEBUG) log(ours.output().slice(-5000));
		for (const p of pools) await p.close();
		inspector.close();
		await ours.stop();
	}
}
