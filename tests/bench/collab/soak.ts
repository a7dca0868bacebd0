/**
 * `npm run soak -- --minutes N [--write]` — connect/disconnect churn against gongjian's
 * production entry: waves of clients open a few minutes documents, type a little and leave.
 * Samples RSS and heap every few seconds, reports the least-squares memory slope (MB/hour)
 * and checks that documents unload once their clients are gone. --write appends a "Soak"
 * section to docs/PERFORMANCE.md.
 */
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { minutesDocName } from '../../../src/lib/docs/minutes';
import { la, machine, writeSoak } from './report';
import { rssBytes, scrape, value } from './serverMetrics';
import { slope } from './stats';
import { startOurs } from './systems';
import { WorkerPool } from './workers';

function parse(argv: string[]): { minutes: number; write: boolean } {
	let minutes = 3;
	let write = false;
	for (let i = 0; i < argv.length; i++) {
		if (argv[i] === '--minutes') minutes = Number(argv[++i]);
		else if (argv[i] === '--write') write = true;
		else throw new Error(`unknown option ${argv[i]} (known: --minutes N, --write)`);
	}
	if (!(minutes > 0)) throw new Error('--minutes takes a positive number');
	return { minutes, write };
}

const { minutes, write } = parse(process.argv.slice(2));
const log = (m: string) => console.log(`[soak ${new Date().toISOString().slice(11, 19)} load ${la(os.loadavg())}] ${m}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const WAVE = { docs: 4, clients: 3, charsPerSecond: 1, typeMs: 4_000 };
const SAMPLE_MS = 5_000;

spawnSync(process.execPath, ['scripts/build-if-stale.mjs'], { stdio: 'inherit' });
const loadStart = os.loadavg();
const ours = await startOurs();
log(`gongjian on ${ours.database}, pid ${ours.pid}; churn for ${minutes} min`);
const meetings = await ours.meetings(WAVE.docs * 6);
const samples: { t: number; rss: number; heap: number; docs: number; connections: number }[] = [];
const t0 = performance.now();
const end = t0 + minutes * 60_000;
let waves = 0;
let clientsServed = 0;
let running = true;

const sampler = (async () => {
	while (running) {
		const s = await scrape(ours.http!);
		samples.push({ t: (performance.now() - t0) / 1000, rss: rssBytes(ours.pid), heap: value(s, 'nodejs_heap_size_used_bytes'), docs: value(s, 'gongjian_documents_loaded'), connections: value(s, 'gongjian_connections') });
		await sleep(SAMPLE_MS);
	}
})();

// Two lanes of waves, each on its own rotating set of documents, so clients overlap.
const lane = async (offset: number) => {
	while (performance.now() < end) {
		const ids = meetings.slice(((waves + offset) % 6) * WAVE.docs, ((waves + offset) % 6) * WAVE.docs + WAVE.docs);
		const pool = WorkerPool.start(1);
		try {
			const connected = await pool.connect('ours', ours.url, ours.plansFor(ids.map(minutesDocName), WAVE.clients));
			await pool.type({ typists: WAVE.clients, charsPerSecond: WAVE.charsPerSecond, warmupMs: 0, measureMs: WAVE.typeMs, graceMs: 500 });
			clientsServed += connected.clients;
		} finally {
			await pool.close();
		}
		waves++;
		await sleep(1_000 + Math.random() * 2_000);
	}
};
await Promise.all([lane(0), lane(3)]);
const peakDocs = Math.max(...samples.map((s) => s.docs));
// After the last client left: documents should unload (Hocuspocus unloads after their store).
const leaveAt = performance.now();
let docsLeft = value(await scrape(ours.http!), 'gongjian_documents_loaded');
while (docsLeft > 0 && performance.now() - leaveAt < 60_000) {
	await sleep(1_000);
	docsLeft = value(await scrape(ours.http!), 'gongjian_documents_loaded');
}
const unloadS = (performance.now() - leaveAt) / 1000;
running = false;
await sampler;
await ours.stop();

const perHour = (points: { x: number; y: number }[]) => slope(points) * 3600 / 2 ** 20;
const rssSlope = perHour(samples.map((s) => ({ x: s.t, y: s.rss })));
const heapSlope = perHour(samples.map((s) => ({ x: s.t, y: s.heap })));
const first = samples[0]!;
const last = samples.at(-1)!;
const loadEnd = os.loadavg();
const summary = [
	`Soak: ${minutes} min of churn against gongjian (${ours.database}), ${waves} waves, ${clientsServed} client sessions (${WAVE.docs} minutes documents × ${WAVE.clients} clients per wave, typing ${WAVE.charsPerSecond} char/s for ${WAVE.typeMs / 1000} s, two overlapping lanes), ${samples.length} samples every ${SAMPLE_MS / 1000} s.`,
	`RSS ${(first.rss / 2 ** 20).toFixed(0)} → ${(last.rss / 2 ** 20).toFixed(0)} MB, least-squares slope ${rssSlope.toFixed(1)} MB/hour; heapUsed ${(first.heap / 2 ** 20).toFixed(1)} → ${(last.heap / 2 ** 20).toFixed(1)} MB, slope ${heapSlope.toFixed(1)} MB/hour.`,
	`Loaded documents peaked at ${peakDocs}; ${docsLeft === 0 ? `all unloaded ${unloadS.toFixed(0)} s after the last client left` : `${docsLeft} still loaded ${unloadS.toFixed(0)} s after the last client left`}.`,
	`Load average ${la(loadStart)} at the start, ${la(loadEnd)} at the end.`
];
console.log('');
for (const line of summary) console.log(line);
if (write) {
	const file = path.join(process.cwd(), 'docs', 'PERFORMANCE.md');
	writeSoak(
		file,
		`## Soak

Generated by \`npm run soak -- --minutes ${minutes} --write\` (tests/bench/collab/soak.ts) on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${machine()}.

${summary.map((l) => `- ${l}`).join('\n')}
- Method: the production entry on a fresh database; every wave forks a client worker that opens the documents with signed-in writers, types, and closes; RSS from /proc/<pid>/status, heapUsed from /metrics (not collected first, so the heap slope carries GC sawtooth noise; RSS is the figure to watch). A short soak bounds leaks only roughly: the slope of a few minutes includes warm-up (JIT, caches).
`
	);
	log(`appended the Soak section to ${path.relative(process.cwd(), file)}`);
}
process.exit(docsLeft === 0 ? 0 : 1);
