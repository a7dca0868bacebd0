import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addAgendaItem, agendaDocName, readAgenda } from '../../src/lib/docs/agenda';
import { MINUTES_FIELD, minutesDocName } from '../../src/lib/docs/minutes';
import { openDatabase, type Database } from '../../src/lib/server/db';
import { DocStore } from '../../src/lib/server/docStore';
import { nginxBinary, startNginx, type NginxProcess } from '../helpers/nginx';
import { connect, waitFor, waitSynced, type TestClient } from '../helpers/provider';
import { redisServerBinary, startRedis, type RedisProcess } from '../helpers/redisServer';
import { freshServerEnv } from '../helpers/serverEnv';
import { storedAgendaTitles, storedDoc } from '../helpers/storage';
import { apiGet, apiToken, startServer, type ServerEnv, type ServerProcess } from '../helpers/serverProcess';

/*
 * Issue 9, "several instances": three real server processes on one PostgreSQL database and one
 * (private) Redis, behind the committed deploy/nginx.conf, with real providers spread over them.
 * Every scenario records which edits the server acknowledged (the provider's unsynced-changes
 * count dropped to 0 after them) and checks that each is in the stored document and in every
 * replica afterwards.
 */
const ADMIN_PASSWORD = 'multi-instance-admin';
const toolsMissing = [nginxBinary() ? null : 'nginx', redisServerBinary() ? null : 'redis-server'].filter((x): x is string => x !== null);
const missing = [...(process.env.DATABASE_URL ? [] : ['DATABASE_URL']), ...toolsMissing];
const runs = missing.length === 0;
if (!runs) console.warn(`skipping tests/collab/multiInstance.test.ts: missing ${missing.join(', ')}`);

let redis: RedisProcess;
let fresh: Awaited<ReturnType<typeof freshServerEnv>>;
let env: ServerEnv;
const servers: ServerProcess[] = [];
let nginx: NginxProcess;
let database: Database;
let token: string;
let committeeId: string;
const clients: TestClient[] = [];

async function api(base: string, method: string, path: string, body?: unknown): Promise<Response> {
	return fetch(`${base}${path}`, {
		method,
		headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body)
	});
}

async function createMeeting(title: string): Promise<string> {
	const res = await api(nginx.http, 'POST', `/api/v1/committees/${committeeId}/meetings`, { title, kind: 'special', startsAt: '2026-12-01T14:30:00+08:00' });
	expect(res.status).toBe(201);
	return ((await res.json()) as { id: string }).id;
}

/** A provider whose acknowledged edits are recorded: labels become acknowledged when the unsynced count reaches 0 after them. */
interface Writer {
	client: TestClient;
	pending: string[];
	acked: string[];
}

function writer(url: string, name: string): Writer {
	const client = connect(url, name, token);
	clients.push(client);
	const w: Writer = { client, pending: [], acked: [] };
	client.provider.on('unsyncedChanges', ({ number }: { number: number }) => {
		if (number === 0 && client.provider.isSynced) w.acked.push(...w.pending.splice(0));
	});
	client.provider.on('synced', () => {
		if (!client.provider.hasUnsyncedChanges) w.acked.push(...w.pending.splice(0));
	});
	return w;
}

/** Each writer adds an agenda item every `everyMs` until stop() — typing while things break. */
function typeAgenda(writers: Writer[], prefix: string, everyMs = 60): { stop(): Promise<number> } {
	let running = true;
	let last = Date.now();
	const loops = writers.map(async (w, i) => {
		for (let k = 0; running; k++) {
			const label = `${prefix}-${i}-${k}`;
			addAgendaItem(w.client.doc, { title: label });
			w.pending.push(label);
			last = Date.now();
			await new Promise((r) => setTimeout(r, everyMs + Math.random() * everyMs));
		}
	});
	return {
		async stop() {
			running = false;
			await Promise.all(loops);
			return last;
		}
	};
}

const storedAgenda = async (name: string) => new Set(await storedAgendaTitles(database.db, name));

/**
 * Waits until every replica holds the same state (returns that moment: convergence needs every
 * edit to have been stored by some instance, which applies an edit only after storing it), then
 * until every writer has its acknowledgements.
 */
async function settle(writers: Writer[], timeoutMs = 20_000): Promise<number> {
	const same = () => {
		const vectors = writers.map((w) => Buffer.from(Y.encodeStateVector(w.client.doc)).toString('hex'));
		return vectors.every((v) => v === vectors[0]);
	};
	await waitFor(same, 'replicas converged', timeoutMs);
	const converged = Date.now();
	await waitFor(() => writers.every((w) => w.client.provider.isSynced && !w.client.provider.hasUnsyncedChanges), 'every edit acknowledged', timeoutMs);
	console.log(`settle: converged, then every edit acknowledged ${Date.now() - converged} ms later`);
	return converged;
}

function checkAcked(writers: Writer[], stored: Set<string>, what: string): number {
	let n = 0;
	for (const w of writers) {
		const titles = new Set(readAgenda(w.client.doc).map((i) => i.title));
		for (const label of w.acked) {
			n++;
			expect(stored.has(label), `${what}: acknowledged "${label}" is not stored`).toBe(true);
			expect(titles.has(label), `${what}: acknowledged "${label}" is missing from a replica`).toBe(true);
		}
	}
	return n;
}

async function connectionsPerInstance(): Promise<number[]> {
	return Promise.all(
		servers.map(async (s) => {
			if (s.child.exitCode !== null || s.child.signalCode !== null) return 0;
			const text = await (await fetch(`${s.http}/metrics`)).text();
			return Number(/^gongjian_connections (\d+)/m.exec(text)?.[1] ?? 0);
		})
	);
}

beforeAll(async () => {
	if (!runs) return;
	const started = Date.now();
	redis = await startRedis();
	// Quick compaction, so that compactions run all the time on every instance during the scenarios.
	fresh = await freshServerEnv({ ADMIN_PASSWORD, REDIS_URL: redis.url, COMPACT_AFTER_MS: '300' });
	env = fresh.env;
	// The first instance migrates and seeds; the others start on the migrated database together.
	servers.push(await startServer({ ...env, SEED: 'demo' }, 90_000));
	servers.push(...(await Promise.all([startServer(env, 90_000), startServer(env, 90_000)])));
	nginx = await startNginx(servers.map((s) => s.port));
	database = await openDatabase({ databaseUrl: fresh.databaseUrl, dataDir: 'memory://' });
	token = await apiToken(nginx.http, 'admin', ADMIN_PASSWORD);
	const { items } = await apiGet<{ items: { id: string }[] }>(nginx.http, token, '/api/v1/committees');
	committeeId = items[0]!.id;
	console.log(`multi-instance: 3 instances on ports ${servers.map((s) => s.port).join(', ')}, nginx on ${nginx.port}, redis on ${redis.port}; ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}, 180_000);

afterAll(async () => {
	for (const c of clients) c.destroy();
	await nginx?.stop();
	await Promise.all(servers.map((s) => s.kill('SIGTERM')));
	await database?.close();
	await fresh?.cleanup();
	await redis?.stop();
});

describe.runIf(process.env.CI && toolsMissing.length > 0)('several instances: prerequisites', () => {
	it('has nginx and redis-server (CI must run the multi-instance test)', () => {
		throw new Error(`missing on this CI machine: ${toolsMissing.join(', ')}`);
	});
});

describe.runIf(runs)('several instances behind nginx', () => {
	it('a. loses no acknowledged edit when an instance is killed mid-edit; replicas converge', async () => {
		const t0 = Date.now();
		const name = agendaDocName(await createMeeting('多实例：实例被杀'));
		const writers = Array.from({ length: 6 }, () => writer(nginx.ws, name));
		await Promise.all(writers.map((w) => waitSynced(w.client, 20_000)));
		const spread = await connectionsPerInstance();
		console.log(`a. connections per instance through nginx: ${spread.join(' / ')}`);
		expect(spread.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2);
		const typing = typeAgenda(writers, 'a');
		await new Promise((r) => setTimeout(r, 1_500));
		// Kill the instance holding the most of our clients.
		const victim = spread.indexOf(Math.max(...spread));
		const port = servers[victim]!.port;
		await servers[victim]!.kill('SIGKILL');
		await new Promise((r) => setTimeout(r, 2_500));
		const lastEdit = await typing.stop();
		const converged = await settle(writers);
		const stored = await storedAgenda(name);
		const n = checkAcked(writers, stored, 'a');
		const ms = converged - lastEdit;
		console.log(`a. ${n} acknowledged edits from 6 clients, instance ${victim + 1} SIGKILLed mid-edit, 0 lost; replicas converged ${ms} ms after the last edit; ${((Date.now() - t0) / 1000).toFixed(1)} s`);
		for (const w of writers) w.client.destroy();
		// Back on its port, for the next scenarios (before the last assertion, which must not cost them their instance).
		servers[victim] = await startServer({ ...env, PORT: String(port) }, 90_000);
		expect(ms).toBeLessThan(2_000);
	});

	it('b. loses no acknowledged edit when Redis is killed and restarted mid-session; replicas converge', async () => {
		const t0 = Date.now();
		const name = agendaDocName(await createMeeting('多实例：Redis 重启'));
		const writers = Array.from({ length: 6 }, () => writer(nginx.ws, name));
		await Promise.all(writers.map((w) => waitSynced(w.client, 20_000)));
		console.log(`b. connections per instance through nginx: ${(await connectionsPerInstance()).join(' / ')}`);
		const typing = typeAgenda(writers, 'b');
		await new Promise((r) => setTimeout(r, 1_000));
		await redis.kill();
		await new Promise((r) => setTimeout(r, 1_500));
		await redis.restart();
		await new Promise((r) => setTimeout(r, 1_500));
		const lastEdit = await typing.stop();
		const converged = await settle(writers);
		const stored = await storedAgenda(name);
		const n = checkAcked(writers, stored, 'b');
		console.log(`b. ${n} acknowledged edits, Redis down 1.5 s mid-session, 0 lost; replicas converged ${converged - lastEdit} ms after the last edit; ${((Date.now() - t0) / 1000).toFixed(1)} s`);
		for (const w of writers) w.client.destroy();
	});

	it('c. compactions running at once on several instances delete nothing unmerged', async () => {
		const t0 = Date.now();
		const name = agendaDocName(await createMeeting('多实例：并发压缩'));
		const writers = Array.from({ length: 6 }, () => writer(nginx.ws, name));
		await Promise.all(writers.map((w) => waitSynced(w.client, 20_000)));
		// Besides the instances' own compactions (COMPACT_AFTER_MS=300), two more compactors on their own connections, as two more instances would.
		const compactors = await Promise.all([1, 2].map(() => openDatabase({ databaseUrl: fresh.databaseUrl, dataDir: 'memory://' })));
		let compacting = true;
		let merged = 0;
		let runsDone = 0;
		const loops = compactors.map(async (c) => {
			const store = new DocStore(c.db);
			while (compacting) {
				merged += await store.compact(name);
				runsDone++;
				await new Promise((r) => setTimeout(r, 20));
			}
		});
		try {
			const typing = typeAgenda(writers, 'c', 40);
			await new Promise((r) => setTimeout(r, 3_000));
			await typing.stop();
			await settle(writers);
		} finally {
			compacting = false;
			await Promise.all(loops);
			await Promise.all(compactors.map((c) => c.close()));
		}
		const stored = await storedAgenda(name);
		const n = checkAcked(writers, stored, 'c');
		console.log(`c. ${n} acknowledged edits while ${runsDone} extra compactions merged ${merged} rows, 0 lost; ${((Date.now() - t0) / 1000).toFixed(1)} s`);
		expect(merged).toBeGreaterThan(0);
		for (const w of writers) w.client.destroy();
	});

	it('d. finalizing on one instance fences the minutes on the others; reopening accepts writes again', async () => {
		const t0 = Date.now();
		const meetingId = await createMeeting('多实例：定稿');
		for (const transition of ['start', 'review']) expect((await api(nginx.http, 'POST', `/api/v1/meetings/${meetingId}/transitions`, { transition })).status).toBe(200);
		const name = minutesDocName(meetingId);
		// One writer directly on each instance, so that two of them are on another instance than the finalization.
		const writers = servers.map((s) => writer(s.ws, name));
		await Promise.all(writers.map((w) => waitSynced(w.client, 20_000)));
		const paragraph = (w: Writer, label: string) => {
			const fragment = w.client.doc.getXmlFragment(MINUTES_FIELD);
			w.client.doc.transact(() => {
				const p = new Y.XmlElement('paragraph');
				const text = new Y.XmlText();
				p.insert(0, [text]);
				fragment.insert(fragment.length, [p]);
				text.insert(0, label);
			});
			w.pending.push(label);
		};
		let running = true;
		const loops = writers.map(async (w, i) => {
			for (let k = 0; running; k++) {
				paragraph(w, `d-${i}-${k}`);
				await new Promise((r) => setTimeout(r, 50 + Math.random() * 50));
			}
		});
		await new Promise((r) => setTimeout(r, 1_000));
		// Finalized through the API of instance 1 while everyone keeps typing.
		const res = await api(servers[0]!.http, 'POST', `/api/v1/meetings/${meetingId}/transitions`, { transition: 'finalize', override: '多实例测试：不等确认' });
		expect(res.status, await res.clone().text()).toBe(200);
		await new Promise((r) => setTimeout(r, 500));
		running = false;
		await Promise.all(loops);
		const admin = new pg.Client({ connectionString: fresh.databaseUrl! });
		await admin.connect();
		let record: string;
		try {
			const { rows } = await admin.query<{ content: unknown }>('select content from minutes_finalizations where meeting_id = $1 order by version desc limit 1', [meetingId]);
			record = JSON.stringify(rows[0]!.content);
		} finally {
			await admin.end();
		}
		let acked = 0;
		for (const w of writers) {
			for (const label of w.acked) {
				acked++;
				expect(record.includes(`"${label}"`), `acknowledged "${label}" is not in the frozen record`).toBe(true);
			}
		}
		// Writes after the finalization, on every instance: refused, never acknowledged, never stored.
		const late = writers.map((w, i) => {
			paragraph(w, `late-${i}`);
			return `late-${i}`;
		});
		await new Promise((r) => setTimeout(r, 1_500));
		for (const w of writers) expect(w.acked.some((l) => l.startsWith('late-'))).toBe(false);
		const storedText = async () => {
			const doc = await storedDoc(database.db, name);
			const text = doc.getXmlFragment(MINUTES_FIELD).toString();
			doc.destroy();
			return text;
		};
		for (const label of late) expect(await storedText()).not.toContain(label);
		// Reopened through another instance. These bare providers stay refused (the server closed
		// their document on a socket it keeps open; a browser's LiveDocument reconnects and sends
		// its refused edits once reopened, tests/e2e/reopenFrozen.test.ts); people who open the
		// minutes now, on any instance, write again.
		const reopened = await api(servers[1]!.http, 'POST', `/api/v1/meetings/${meetingId}/transitions`, { transition: 'reopen', reason: '多实例测试：重新打开' });
		expect(reopened.status, await reopened.clone().text()).toBe(200);
		const again = servers.map((s) => writer(s.ws, name));
		await Promise.all(again.map((w) => waitSynced(w.client, 20_000)));
		again.forEach((w, i) => paragraph(w, `reopened-${i}`));
		await waitFor(() => again.every((w) => w.acked.includes(`reopened-${again.indexOf(w)}`)), 'the edits after the reopen acknowledged', 20_000).catch((err: unknown) => {
			// What each side saw, for the failure report.
			for (const [i, w] of again.entries()) console.error(`writer ${i}: synced ${w.client.provider.isSynced}, unsynced ${w.client.provider.unsyncedChanges}, closes ${JSON.stringify(w.client.closes.slice(-5))}`);
			for (const [i, s] of servers.entries()) console.error(`instance ${i + 1} output (tail):\n${s.output().slice(-3000)}`);
			throw err;
		});
		const after = await storedText();
		for (const i of again.keys()) expect(after).toContain(`reopened-${i}`);
		for (const label of late) expect(after).not.toContain(label);
		console.log(`d. ${acked} edits acknowledged on 3 instances up to the finalization, all in the frozen record; ${late.length} later edits refused and never stored; after the reopen every instance takes writes; ${((Date.now() - t0) / 1000).toFixed(1)} s`);
		for (const w of [...writers, ...again]) w.client.destroy();
	});
});
