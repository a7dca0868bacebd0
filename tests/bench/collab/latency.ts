import os from 'node:os';
import type { System } from './systems';
import { WorkerPool } from './workers';
import { bucketQuantile, cpuSeconds, histogramDelta, scrape, value } from './serverMetrics';
import { summarise, type Summary } from './stats';

/** A typing load: `docs` documents, `editors` clients on each, every one typing `charsPerSecond`. */
export interface Load {
	key: string;
	label: string;
	docs: number;
	editors: number;
	charsPerSecond: number;
}

export interface Timing {
	warmupMs: number;
	measureMs: number;
	graceMs: number;
	workers: number;
}

export interface LatencyRun {
	latency: Summary;
	sent: number;
	lost: number;
	/** Keystrokes per second the clients produced inside the window. */
	updatesPerSecond: number;
	/** Server CPU over the window, in % of one core. */
	serverCpu: number;
	/** All client workers' CPU over warmup + window, in % of one core. */
	clientCpu: number;
	connectMs: number;
	readOnly: number;
	/** gongjian only: update arrival → committed log row, p99 estimated from the histogram. */
	durableP99Ms?: number;
	durableBucketMs?: number;
	/** gongjian only: event-loop delay p99 over the window (prom-client's monitorEventLoopDelay). */
	eventLoopP99Ms?: number;
	/** gongjian only: updates the server validated and logged per second. */
	serverUpdatesPerSecond?: number;
	loadavg: number[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One run of a load against a system: fresh documents, fresh client workers. */
/** Called at both ends of the measurement window (e.g. to profile only the window). */
export interface WindowHooks {
	start(): Promise<void>;
	stop(): Promise<void>;
}

export async function latencyRun(system: System, load: Load, timing: Timing, hooks?: WindowHooks): Promise<LatencyRun> {
	const docs = await system.docs(load.docs, load.editors);
	const pool = WorkerPool.start(Math.min(timing.workers, load.docs));
	try {
		const connected = await pool.connect(system.name, system.url, docs);
		if (system.name === 'ours' && connected.readOnly > 0) throw new Error(`${connected.readOnly} editors got read-only connections`);
		const typing = pool.type({ typists: load.editors, charsPerSecond: load.charsPerSecond, ...timing });
		await sleep(timing.warmupMs);
		// The window as the server sees it: CPU and metrics between these two readings.
		// CPU and wall time are read together: a scrape can take seconds when the server's event
		// loop is blocked, and that time must be inside the window, not outside it.
		const cpu0 = cpuSeconds(system.pid);
		const t0 = performance.now();
		const before = system.http ? await scrape(system.http) : null;
		await hooks?.start();
		await sleep(timing.measureMs);
		await hooks?.stop();
		const after = system.http ? await scrape(system.http) : null;
		const cpu1 = cpuSeconds(system.pid);
		const windowS = (performance.now() - t0) / 1000;
		const loadavg = os.loadavg();
		const results = await typing;
		const latencies = results.flatMap((r) => r.latencies);
		const sent = results.reduce((s, r) => s + r.sent, 0);
		const run: LatencyRun = {
			latency: summarise(latencies),
			sent,
			lost: results.reduce((s, r) => s + r.lost, 0),
			// Observed keystrokes exclude the observers' own, so count from the plan.
			updatesPerSecond: (load.docs * load.editors * load.charsPerSecond),
			serverCpu: ((cpu1 - cpu0) / windowS) * 100,
			clientCpu: results.reduce((s, r) => s + r.cpuMicros / 1000 / r.wallMs, 0) * 100,
			connectMs: connected.ms,
			readOnly: connected.readOnly,
			loadavg
		};
		if (before && after) {
			const durable = bucketQuantile(histogramDelta(before, after, 'gongjian_update_log_seconds'), 0.99);
			run.durableP99Ms = durable.estimate * 1000;
			run.durableBucketMs = durable.upperBound * 1000;
			run.eventLoopP99Ms = value(after, 'nodejs_eventloop_lag_p99_seconds') * 1000;
			run.serverUpdatesPerSecond = (value(after, 'gongjian_updates_total') - value(before, 'gongjian_updates_total')) / windowS;
		}
		return run;
	} finally {
		await pool.close();
	}
}
