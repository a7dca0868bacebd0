import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/*
 * Prometheus metrics of one instance (GET /metrics): connections, loaded documents, updates
 * accepted and refused, how long an update takes from arrival to its log row, store failures,
 * and Node's own (event-loop lag, heap, CPU). A registry per collaboration server, so tests
 * that start several in one process do not share counters.
 */

export interface PersistenceMetrics {
	/** A client update was validated and is about to be stored. */
	accepted(): void;
	/** Its log row is committed, `seconds` after it arrived. */
	stored(seconds: number): void;
	/** One append attempt failed (it is retried). */
	storeFailed(): void;
	/** An update was refused before storing: 'invalid', 'frozen' or 'storage-unavailable'. */
	refused(reason: string): void;
}

export interface CollabMetrics extends PersistenceMetrics {
	registry: Registry;
	text(): Promise<string>;
	contentType: string;
}

export interface MetricSources {
	connections: () => number;
	documents: () => number;
	/** Rows in doc_quarantine (all instances): updates that broke their document and were set aside. */
	quarantined?: () => Promise<number>;
}

const QUARANTINE_REFRESH_MS = 15_000;

export function createMetrics(sources: MetricSources): CollabMetrics {
	const registry = new Registry();
	collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 10 });
	new Gauge({ name: 'gongjian_connections', help: 'Open WebSocket connections', registers: [registry], collect() { this.set(sources.connections()); } });
	new Gauge({ name: 'gongjian_documents_loaded', help: 'Documents loaded in memory', registers: [registry], collect() { this.set(sources.documents()); } });
	if (sources.quarantined) {
		const count = sources.quarantined;
		// Read from the database, but never while the scrape waits: a scrape during a database
		// outage must still answer at once, with the last known figure.
		let last = 0;
		let checkedAt = 0;
		let checking = false;
		const refresh = () => {
			if (checking || Date.now() - checkedAt < QUARANTINE_REFRESH_MS) return;
			checking = true;
			count().then(
				(n) => {
					last = n;
					checkedAt = Date.now();
					checking = false;
				},
				(err: unknown) => {
					checking = false;
					console.error('[metrics] could not count quarantined updates:', (err as Error).message);
				}
			);
		};
		refresh();
		new Gauge({ name: 'gongjian_quarantined_updates', help: 'Stored updates set aside because they broke their document (doc_quarantine rows)', registers: [registry], collect() { refresh(); this.set(last); } });
	}
	const updates = new Counter({ name: 'gongjian_updates_total', help: 'Client updates validated and sent to the update log', registers: [registry] });
	const refused = new Counter({ name: 'gongjian_updates_refused_total', help: 'Client updates refused before storing', labelNames: ['reason'], registers: [registry] });
	const failures = new Counter({ name: 'gongjian_store_failures_total', help: 'Failed attempts to append to the update log (retried)', registers: [registry] });
	const latency = new Histogram({
		name: 'gongjian_update_log_seconds',
		help: 'From an update’s arrival to its committed log row (the acknowledgement waits for it)',
		buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
		registers: [registry]
	});
	return {
		registry,
		contentType: registry.contentType,
		text: () => registry.metrics(),
		accepted: () => updates.inc(),
		stored: (seconds) => latency.observe(seconds),
		storeFailed: () => failures.inc(),
		refused: (reason) => refused.inc({ reason })
	};
}
