/**
 * `npm run bench` — gongjian's collaboration server against bare Hocuspocus and the
 * y-websocket reference server, each a child process on this machine, driven by real
 * providers in client worker processes. Prints a table and writes docs/PERFORMANCE.md.
 *
 *   npm run bench                 full run (median of 3 runs), writes docs/PERFORMANCE.md
 *   npm run bench -- --quick      small loads, 1 run, writes nothing (smoke)
 *   npm run bench -- --runs 5 | --only latency|capacity|coldload|profile|faults | --faults
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { capacityRun, FULL_CAPACITY, QUICK_CAPACITY, type CapacityResult } from './capacity';
import { coldLoad, type ColdLoadResult } from './coldLoad';
import { runFaults, type FaultResult } from './faults';
import { latencyRun, type LatencyRun, type Load, type Timing } from './latency';
import { parseOptions, wants } from './options';
import { SHADOW_IDLE_MS } from '../../../server/collab/extensions/persistence';
import { Inspector } from './inspector';
import { summariseProfile, type ProfileSummary } from './profile';
import { la, machine, markdownTable, printTable, writePerformance, type Row } from './report';
import { median, medianSummary, ms } from './stats';
import { startBareHocuspocus, startOurs, startYWebsocket, type System } from './systems';

const options = parseOptions(process.argv.slice(2));
const log = (m: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)} load ${la(os.loadavg())}] ${m}`);
const startedAt = new Date();
const loadAtStart = os.loadavg();

const LOADS: Load[] = options.quick
	? [
			{ key: 'light', label: '10 editors × 2 docs @ 5 chars/s (quick)', docs: 2, editors: 10, charsPerSecond: 5 },
			{ key: 'issue', label: '10 editors × 4 docs @ 5 chars/s (quick)', docs: 4, editors: 10, charsPerSecond: 5 }
		]
	: [
			{ key: 'light', label: '100 editors in 10 docs @ 5 chars/s', docs: 10, editors: 10, charsPerSecond: 5 },
			{ key: 'issue', label: 'issue load: 30 editors × 20 docs @ 5 chars/s', docs: 20, editors: 30, charsPerSecond: 5 }
		];
const TIMING: Timing = options.quick ? { warmupMs: 1_000, measureMs: 3_000, graceMs: 1_000, workers: 2 } : { warmupMs: 2_000, measureMs: 8_000, graceMs: 2_000, workers: 2 };

const rows: Row[] = [];
const failures: { load: string; system: string; reason: string; loadavg: number[] }[] = [];
const notes: string[] = [];
spawnSync(process.execPath, ['scripts/build-if-stale.mjs'], { stdio: 'inherit' });

// --- Latency: the three systems, interleaved run by run so that machine load hits them alike.
const latency = new Map<string, LatencyRun[]>();
let ourDatabase = '';
let writers: string[] = [];
let readers: string[] = [];
if (wants(options, 'latency')) {
	const ours = await startOurs();
	ourDatabase = ours.database;
	writers = ours.writers;
	readers = ours.readers;
	log(`gongjian on ${ours.database}; demo users who may write a started meeting's minutes: ${ours.writers.join(', ')}; read-only: ${ours.readers.join(', ') || 'none'}`);
	const systems: System[] = [ours, await startBareHocuspocus(), await startYWebsocket()];
	try {
		for (let run = 1; run <= options.runs; run++) {
			for (const load of LOADS) {
				for (const system of systems) {
					let result: LatencyRun;
					try {
						result = await latencyRun(system, load, TIMING);
					} catch (err) {
						// One failed run (a server too busy to sync its clients in time) must not lose the others.
						const reason = err instanceof Error ? err.message.split('\n')[0]! : String(err);
						log(`run ${run} ${load.key} ${system.name} FAILED: ${reason}`);
						failures.push({ load: load.label, system: system.label, reason, loadavg: os.loadavg() });
						continue;
					}
					const key = `${load.key}/${system.name}`;
					latency.set(key, [...(latency.get(key) ?? []), result]);
					log(`run ${run} ${load.key} ${system.name}: p50 ${ms(result.latency.p50)} p95 ${ms(result.latency.p95)} p99 ${ms(result.latency.p99)} max ${ms(result.latency.max)}, ${result.lost}/${result.sent} lost, server CPU ${result.serverCpu.toFixed(0)} %, clients CPU ${result.clientCpu.toFixed(0)} %${result.durableP99Ms !== undefined ? `, durable p99 ≈ ${ms(result.durableP99Ms)}, event loop p99 ${ms(result.eventLoopP99Ms ?? NaN)}, ${result.serverUpdatesPerSecond?.toFixed(0)} updates/s logged` : ''}`);
				}
			}
		}
	} finally {
		for (const s of systems) await s.stop();
	}
	for (const f of failures) rows.push({ measure: `latency run failed, ${f.load}`, system: f.system, figure: 'no figure', target: '', met: false, note: f.reason, loadavg: f.loadavg });
	for (const load of LOADS) {
		const bare = latency.get(`${load.key}/hocuspocus`) ?? [];
		const bareP99 = medianSummary(bare.map((r) => r.latency)).p99;
		for (const system of systems) {
			const runs = latency.get(`${load.key}/${system.name}`) ?? [];
			if (runs.length === 0) continue;
			const s = medianSummary(runs.map((r) => r.latency));
			const lost = runs.reduce((a, r) => a + r.lost, 0);
			const sent = runs.reduce((a, r) => a + r.sent, 0);
			const loadavg = runs.at(-1)?.loadavg ?? os.loadavg();
			const context = `${runs.length} run(s), ${s.n} samples/run; server CPU ${median(runs.map((r) => r.serverCpu)).toFixed(0)} % of a core, clients ${median(runs.map((r) => r.clientCpu)).toFixed(0)} %; lost ${lost}/${sent}`;
			const figure = `p50 ${ms(s.p50)} · p95 ${ms(s.p95)} · p99 ${ms(s.p99)} · max ${ms(s.max)}`;
			if (system.name !== 'ours') {
				rows.push({ measure: `latency, ${load.label}`, system: system.label, figure, target: '', met: null, note: context, loadavg });
				continue;
			}
			const lossNote = lost > 0 ? ` ${lost} of ${sent} keystrokes never reached the observer within the grace period: the figures describe only those that did, so they flatter the server.` : '';
			rows.push({ measure: `latency p95, ${load.label}`, system: system.label, figure: ms(s.p95), target: '≤ 50 ms', met: s.p95 <= 50 && lost === 0, note: context + lossNote, loadavg });
			rows.push({ measure: `latency p99, ${load.label}`, system: system.label, figure: `${ms(s.p99)} (p50 ${ms(s.p50)}, max ${ms(s.max)})`, target: '≤ 150 ms', met: s.p99 <= 150 && lost === 0, note: lossNote.trim(), loadavg });
			rows.push({ measure: `p99 vs bare Hocuspocus, ${load.label}`, system: system.label, figure: `${(s.p99 / bareP99).toFixed(2)}× (${ms(s.p99)} vs ${ms(bareP99)})`, target: '≤ 1.5×', met: s.p99 <= 1.5 * bareP99 && lost === 0, note: '', loadavg });
			if (load.key === 'issue') {
				const durable = median(runs.map((r) => r.durableP99Ms ?? NaN));
				rows.push({ measure: `time to durable p99, ${load.label}`, system: system.label, figure: `≈ ${ms(durable)} (bucket ≤ ${ms(median(runs.map((r) => r.durableBucketMs ?? NaN)), 0)})`, target: '≤ 20 ms', met: durable <= 20, note: 'gongjian_update_log_seconds histogram, buckets counted over the window (difference of two scrapes), p99 interpolated linearly inside its bucket as histogram_quantile does', loadavg });
				const lag = median(runs.map((r) => r.eventLoopP99Ms ?? NaN));
				rows.push({ measure: `event-loop lag p99, ${load.label}`, system: system.label, figure: ms(lag), target: '≤ 20 ms', met: lag <= 20, note: 'nodejs_eventloop_lag_p99_seconds (prom-client resets it at every scrape, so it covers the window)', loadavg });
			}
		}
	}
}

// --- Capacity and memory on gongjian.
let capacity: CapacityResult | null = null;
if (wants(options, 'capacity')) {
	log('capacity: starting');
	capacity = await capacityRun(options.quick ? QUICK_CAPACITY : FULL_CAPACITY, log).catch((err: unknown) => {
		const reason = err instanceof Error ? err.message.split('\n')[0]! : String(err);
		log(`capacity FAILED: ${reason}`);
		rows.push({ measure: 'capacity run failed', system: 'gongjian', figure: 'no figure', target: '', met: false, note: reason, loadavg: os.loadavg() });
		return null;
	});
}
if (capacity) {
	const c = capacity;
	const L = c.loadavg;
	const sys = `gongjian (${c.database})`;
	const scale = options.quick ? ' (quick: smaller than the targets)' : '';
	rows.push({ measure: 'open authenticated connections', system: sys, figure: String(c.connections), target: '≥ 2,000', met: c.connections >= 2000, note: `every one signed in with a bearer token from the API${scale}`, loadavg: L });
	rows.push({ measure: 'loaded documents', system: sys, figure: String(c.documents), target: '≥ 500', met: c.documents >= 500, note: 'minutes (template laid out) and agendas of started meetings', loadavg: L });
	rows.push({ measure: 'updates logged per second', system: sys, figure: c.updatesPerSecond.toFixed(0), target: '≥ 1,000', met: c.updatesPerSecond >= 1000, note: `gongjian_updates_total over the window; ${c.sent} keystrokes sent in it; latency there p99 ${ms(c.latency.p99)}`, loadavg: L });
	rows.push({ measure: 'server CPU at that load', system: sys, figure: `${c.serverCpu.toFixed(0)} % of one core`, target: '≤ 50 %', met: c.serverCpu <= 50, note: 'utime+stime from /proc/<pid>/stat over the window (all threads: GC helpers included)', loadavg: L });
	rows.push({ measure: 'event-loop lag p99 at that load', system: sys, figure: ms(c.eventLoopP99Ms), target: '≤ 20 ms', met: c.eventLoopP99Ms <= 20, note: '', loadavg: L });
	rows.push({ measure: 'time to durable p99 at that load', system: sys, figure: `≈ ${ms(c.durableP99Ms)}`, target: '≤ 20 ms', met: c.durableP99Ms <= 20, note: '', loadavg: L });
	rows.push({ measure: 'heap per typical minutes document', system: sys, figure: `${c.heapPerDocKB.toFixed(1)} KB`, target: '≤ 50 KB', met: c.heapPerDocKB <= 50, note: 'heapUsed (nodejs_heap_size_used_bytes) after full GCs requested over the inspector, difference over documents opened by one writer each, minus one connection', loadavg: L });
	rows.push({ measure: 'heap per loaded minutes document once idle', system: sys, figure: `${c.heapPerIdleDocKB.toFixed(1)} KB`, target: '', met: null, note: `the same documents after ${SHADOW_IDLE_MS / 1000} s without an edit, when the update gate has dropped its shadow copy (taken again at the next edit); their writer and idle connections still open`, loadavg: L });
	rows.push({ measure: 'heap per idle connection', system: sys, figure: `${c.heapPerConnectionKB.toFixed(1)} KB`, target: '≤ 15 KB', met: c.heapPerConnectionKB <= 15, note: 'same method, idle connections added to documents already loaded', loadavg: L });
	rows.push({ measure: 'documents unload after clients leave', system: sys, figure: `${c.documentsAfterLeave} still loaded 30 s later`, target: '0', met: c.documentsAfterLeave === 0, note: `RSS at load ${c.rssMB.toFixed(0)} MB`, loadavg: L });
}

// --- Cold load through DocStore.
const cold: ColdLoadResult[] = [];
if (wants(options, 'coldload')) {
	const n = options.quick ? 3_000 : 30_000;
	log(`cold load: ${n} logged updates`);
	const r = await coldLoad(n);
	cold.push(r);
	rows.push({ measure: `cold load, ${n.toLocaleString('en')} logged updates, before compaction`, system: `DocStore on ${r.database}`, figure: `${ms(r.beforeMs)} (with the shadow copy ${ms(r.beforeWithShadowMs)})`, target: '≤ 300 ms', met: r.beforeMs <= 300, note: 'median of 5 loadInto() calls', loadavg: os.loadavg() });
	rows.push({ measure: 'cold load after compaction', system: `DocStore on ${r.database}`, figure: `${ms(r.afterMs)} (with the shadow copy ${ms(r.afterWithShadowMs)})`, target: '≤ 50 ms', met: r.afterMs <= 50, note: `snapshot ${r.snapshotKB.toFixed(0)} KB; compaction took ${ms(r.compactMs, 0)}`, loadavg: os.loadavg() });
}

// --- CPU profiles under the issue load: gongjian and bare Hocuspocus.
const profiles: { system: string; summary: ProfileSummary }[] = [];
if (wants(options, 'profile')) {
	const load = LOADS.find((l) => l.key === 'issue')!;
	for (const start of [startOurs, startBareHocuspocus]) {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gj-prof-'));
		// Profiled through the inspector during the measurement window only: a whole-process
		// profile (--cpu-prof) is dominated by start-up (module loading through tsx, the seed).
		const system = await start('--inspect=127.0.0.1:0');
		const inspector = await Inspector.fromOutput(system.output());
		const file = path.join(dir, 'window.cpuprofile');
		log(`profile: ${system.label} under ${load.label}`);
		try {
			await latencyRun(system, load, TIMING, {
				start: async () => {
					await inspector.call('Profiler.enable');
					await inspector.call('Profiler.start');
				},
				stop: async () => {
					const { profile } = (await inspector.call('Profiler.stop')) as { profile: unknown };
					fs.writeFileSync(file, JSON.stringify(profile));
					await inspector.call('Profiler.disable');
				}
			});
		} catch (err) {
			log(`profile run of ${system.label} ended early: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
		} finally {
			inspector.close();
			await system.stop();
		}
		if (fs.existsSync(file)) profiles.push({ system: system.label, summary: summariseProfile(file) });
		if (process.env.BENCH_KEEP_PROFILES) log(`profile of ${system.label} kept in ${dir}`);
		else fs.rmSync(dir, { recursive: true, force: true });
	}
}

let faults: FaultResult[] = [];
if (wants(options, 'faults')) {
	faults = await runFaults(log);
	for (const f of faults) {
		for (const line of f.summary) log(line);
		rows.push({ measure: f.name, system: 'tests', figure: `${f.passed ? 'pass' : 'FAIL'} in ${f.seconds.toFixed(0)} s`, target: 'pass', met: f.passed, note: `\`${f.command}\`${f.summary.length ? ': ' + f.summary.join(' ') : ''}`, loadavg: os.loadavg() });
	}
}

console.log('');
printTable(rows);
for (const n of notes) console.log(n);

if (options.write) {
	const file = path.join(process.cwd(), 'docs', 'PERFORMANCE.md');
	writePerformance(file, render());
	log(`wrote ${path.relative(process.cwd(), file)}`);
}
// Providers and sockets may keep handles alive; everything measured is done.
process.exit(0);

function profileSection(): string {
	if (profiles.length === 0) return '';
	const parts = profiles.map(({ system, summary: p }) => {
		const groups = p.groups.map((g) => `| ${g.name} | ${(g.ms / 1000).toFixed(2)} s | ${(g.share * 100).toFixed(1)} % |`).join('\n');
		const top = p.top.map((f) => `| \`${f.fn}\` | ${f.where} | ${f.ms.toFixed(0)} ms | ${(f.share * 100).toFixed(1)} % |`).join('\n');
		const incl = p.inclusive.map((f) => `| \`${f.fn}\` | ${f.ms.toFixed(0)} ms | ${(f.share * 100).toFixed(1)} % |`).join('\n');
		return `### ${system}\n\nProfile length ${(p.totalMs / 1000).toFixed(1)} s, busy (not idle) ${(p.busyMs / 1000).toFixed(1)} s.\n\nSelf time by group (share of the whole profile):\n\n| group | self time | share |\n|---|---|---|\n${groups}\n\nTop functions by self time (share of busy time):\n\n| function | group — file:line | self | share |\n|---|---|---|---|\n${top}\n\nInclusive time (the function and everything it calls, outermost frame only; share of busy time):\n\n| function | inclusive | share |\n|---|---|---|\n${incl}\n`;
	});
	return parts.join('\n');
}

function render(): string {
	const t = TIMING;
	return `# Performance

Generated by \`npm run bench${process.argv.slice(2).length ? ' -- ' + process.argv.slice(2).join(' ') : ''}\` (tests/bench/collab/run.ts) on ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC; hand-written analysis below the generated parts is marked as such.

## Machine

- ${machine()}
- Load average (1/5/15 min) at the start: ${la(loadAtStart)}; at the end: ${la(os.loadavg())}. The machine is shared with other jobs (test suites of other work trees), so figures carry their load average.
- gongjian's database in these runs: ${ourDatabase || capacity?.database || 'n/a'}${process.env.DATABASE_URL ? ' (DATABASE_URL given)' : ' (no DATABASE_URL: embedded PGlite in a fresh DATA_DIR)'}.

## Method

- **Systems**, each a child process started by the bench in the same run: (1) gongjian's production entry (\`server/index.ts\`, built SvelteKit app, SEED=demo, real sign-in through \`POST /api/v1/sessions\`, meetings created and started through the API, so the minutes carry the template); (2) bare Hocuspocus 4.7 (\`new Server()\`, in memory, no extensions); (3) the y-websocket reference server (\`@y/websocket-server\` 0.1.1 \`setupWSConnection\` on a ws server).
- **Writers**: the demo users who got a read-write connection to a started meeting's minutes when the bench connected as each of them: ${writers.join(', ') || 'n/a'} (read-only: ${readers.join(', ') || 'none'}). Their tokens are dealt round-robin over the editors.
- **Clients** run in ${t.workers} forked worker processes (never in the server's process). Each simulated person is one Y.Doc on its own WebSocket (the ws package for every system), with that system's provider (@hocuspocus/provider 4.8 for (1) and (2), y-websocket 3.1.0 for (3)), defaults otherwise. Every client of a document lives in the same worker. Editors type one character at a time at a random position of the first paragraph's text (Y.XmlText in the "default" XmlFragment, as y-prosemirror lays a paragraph out), at 5 characters/s each with random phases, driven by one scheduler per worker that never bursts to catch up.
- **Latency** (keystroke → remote observation): a keystroke is identified by the Yjs id of the character it inserts (author clientID + clock), so no payload is added; the document's first client is the observer and records, in \`afterTransaction\`, every recorded id whose clock its transaction advanced — same process, same clock. Warm-up ${t.warmupMs / 1000} s, window ${t.measureMs / 1000} s, ${t.graceMs / 1000} s grace for late arrivals (keystrokes still unseen then count as lost). Each figure is the median over ${options.runs} run(s) of that run's percentile (nearest rank); fresh documents and fresh client workers every run; the three systems alternate within each run.
- **Time to durable**, **event-loop lag**, connections, documents, heap: from gongjian's \`GET /metrics\` (loopback, no token), scraped at the start and end of each window. Server CPU: utime+stime of the server process from \`/proc/<pid>/stat\` over the window.
- **Heap**: the capacity run starts the server with \`--inspect=127.0.0.1:0\` (NODE_OPTIONS, no code change); before each heap reading the bench asks V8 for two full GCs (\`HeapProfiler.collectGarbage\`) and reads \`nodejs_heap_size_used_bytes\`; the inspector is detached before the load window.
- **Cold load**: \`DocStore.loadInto\` in-process on a fresh migrated database (tests/helpers/db.ts), a minutes document whose log holds one row per keystroke, before and after \`compact()\`; "with the shadow copy" adds persistence's \`shadowOf\` that follows every load on the server.
- **Profile**: the server started with \`--inspect\` (NODE_OPTIONS) under the issue load for one run, V8's sampling profiler started and stopped through the inspector at the ends of the measurement window (so start-up is not in it); self time per function summed from the samples, grouped by where the code lives.

## Results

${markdownTable(rows)}

${profiles.length ? `## Profiles (generated)\n\n${profileSection()}` : ''}
`;
}
