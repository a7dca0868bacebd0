/**
 * A client worker process (child_process.fork from the bench). It opens the clients it is
 * given — every client of a document in this one process, so a keystroke and its remote
 * observation are timed on one clock — types on command and reports what it measured.
 */
import type * as Y from 'yjs';
import type { DocPlan, FromWorker, SystemName, ToWorker, TypeResult } from '../protocol';
import { openClient, type BenchClient } from './connection';
import { EditClock, ensureTypingTarget, typingTarget } from './typing';

interface OpenDoc {
	clients: BenchClient[];
	targets: Y.XmlText[];
}

const docs: OpenDoc[] = [];
const clock = new EditClock();

function send(message: FromWorker): void {
	process.send?.(message);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A server that cannot sync a client within this long is recorded as failing the load (not waited for). */
const SYNC_TIMEOUT_MS = 45_000;

async function until(predicate: () => boolean, what: () => string, timeoutMs = SYNC_TIMEOUT_MS): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!predicate()) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
		await sleep(10);
	}
}

async function synced(client: BenchClient, name: string): Promise<void> {
	await until(
		() => {
			const failure = client.failure();
			if (failure) throw new Error(`${name}: ${failure}`);
			return client.synced();
		},
		() => `sync of ${name}`
	);
}

/** The first client lays out the paragraph everyone types into, then the others join. */
async function openDoc(system: SystemName, url: string, plan: DocPlan): Promise<OpenDoc> {
	const [firstToken, ...restTokens] = plan.tokens;
	if (firstToken === undefined) throw new Error(`${plan.name}: no clients planned`);
	const first = openClient(system, url, plan.name, firstToken);
	await synced(first, plan.name);
	if (plan.passive) {
		const others = restTokens.map((token) => openClient(system, url, plan.name, token));
		await Promise.all(others.map((c) => synced(c, plan.name)));
		return { clients: [first, ...others], targets: [] };
	}
	if (!first.readOnly()) ensureTypingTarget(first.doc);
	clock.observe(first.doc);
	const rest = restTokens.map((token) => openClient(system, url, plan.name, token));
	await Promise.all(rest.map((c) => synced(c, plan.name)));
	const clients = [first, ...rest];
	await until(
		() => clients.every((c) => typingTarget(c.doc) !== null),
		() => `the typing target of ${plan.name} to reach every client`
	);
	return { clients, targets: clients.map((c) => typingTarget(c.doc)!) };
}

async function connectAll(system: SystemName, url: string, plans: DocPlan[], concurrency: number): Promise<void> {
	const started = performance.now();
	let next = 0;
	const lane = async () => {
		while (next < plans.length) {
			const plan = plans[next++]!;
			docs.push(await openDoc(system, url, plan));
		}
	};
	await Promise.all(Array.from({ length: Math.max(1, concurrency) }, lane));
	const all = docs.flatMap((d) => d.clients);
	send({ type: 'connected', clients: all.length, readOnly: all.filter((c) => c.readOnly()).length, ms: performance.now() - started });
}

async function type(typistsPerDoc: number, charsPerSecond: number, warmupMs: number, measureMs: number, graceMs: number): Promise<TypeResult> {
	const interval = 1000 / charsPerSecond;
	const cpu0 = process.cpuUsage();
	const t0 = performance.now();
	// Random phases, so keystrokes are spread over the interval as people's are.
	const typists = docs.flatMap((d) => d.targets.slice(0, typistsPerDoc).map((target, i) => ({ client: d.clients[i]!, target, record: i !== 0, next: t0 + Math.random() * interval })));
	const stop = schedule(typists, interval);
	await sleep(warmupMs);
	clock.latencies = [];
	clock.recording = true;
	await sleep(measureMs);
	clock.recording = false;
	stop();
	const cpu = process.cpuUsage(cpu0);
	const wallMs = performance.now() - t0;
	await sleep(graceMs);
	return { latencies: clock.latencies, keystrokes: clock.keystrokes, sent: clock.sentInWindow, lost: clock.lost(), cpuMicros: cpu.user + cpu.system, wallMs };
}

interface Typist {
	client: BenchClient;
	target: Y.XmlText;
	record: boolean;
	/** performance.now() of the next keystroke. */
	next: number;
}

/**
 * One scheduler for every typist of the process, on performance.now(): at most one keystroke
 * per typist per interval, and a typist that fell behind (the process was busy) skips ahead
 * instead of bursting to catch up — people do not type faster because the screen froze.
 * (Per-typist setInterval misbehaved under load: stale loop time re-fired intervals many
 * times in one turn.)
 */
function schedule(typists: Typist[], interval: number): () => void {
	let stopped = false;
	let timer: NodeJS.Timeout | null = null;
	const tick = () => {
		const now = performance.now();
		for (const t of typists) {
			if (t.next > now) continue;
			clock.keystroke(t.client.doc, t.target, t.record);
			t.next = t.next + interval < now ? now + interval : t.next + interval;
		}
		if (!stopped) timer = setTimeout(tick, 2);
	};
	tick();
	return () => {
		stopped = true;
		if (timer) clearTimeout(timer);
	};
}

process.on('message', (message: ToWorker) => {
	const work = (async () => {
		switch (message.type) {
			case 'connect':
				await connectAll(message.system, message.url, message.docs, message.connectConcurrency);
				return;
			case 'type':
				send({ type: 'typed', result: await type(message.typists, message.charsPerSecond, message.warmupMs, message.measureMs, message.graceMs) });
				return;
			case 'close':
				for (const d of docs) for (const c of d.clients) c.destroy();
				docs.length = 0;
				send({ type: 'closed' });
				return;
		}
	})();
	work.catch((err: unknown) => send({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) }));
});
