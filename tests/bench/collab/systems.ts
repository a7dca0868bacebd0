import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_PASSWORD } from '../../../src/lib/server/seed';
import { agendaDocName } from '../../../src/lib/docs/agenda';
import { minutesDocName } from '../../../src/lib/docs/minutes';
import { freshServerEnv } from '../../helpers/serverEnv';
import { apiToken, startServer, type ServerProcess } from '../../helpers/serverProcess';
import { openClient } from './client/connection';
import type { DocPlan, SystemName } from './protocol';

export const ADMIN_PASSWORD = 'bench-admin-password';
const HERE = path.dirname(fileURLToPath(import.meta.url));

export interface System {
	name: SystemName;
	label: string;
	/** The server process (for /proc readings). */
	pid: number;
	/** Where GET /metrics answers (gongjian only). */
	http: string | null;
	/** Where clients connect. */
	url: string;
	/** `count` fresh documents with `clientsPerDoc` clients each (gongjian: minutes of newly started meetings). */
	docs(count: number, clientsPerDoc: number): Promise<DocPlan[]>;
	/** Everything the server printed. */
	output(): string;
	stop(): Promise<void>;
}

/*
 * Every server child this process started, so that an interrupted bench (Ctrl-C, a crash)
 * does not leave servers running and eating the CPU of the next measurement.
 */
const children = new Set<ChildProcess>();
export function track(child: ChildProcess): void {
	children.add(child);
	child.on('exit', () => children.delete(child));
}
process.on('exit', () => {
	for (const child of children) child.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));

let runId = 0;
const freshNames = (count: number, system: string) => {
	runId++;
	return Array.from({ length: count }, (_, i) => `bench-${system}-${process.pid}-r${runId}-d${i}`);
};
const plans = (names: string[], clientsPerDoc: number, token: (i: number) => string | null): DocPlan[] =>
	names.map((name, d) => ({ name, tokens: Array.from({ length: clientsPerDoc }, (_, i) => token(d * clientsPerDoc + i)) }));

/** Starts a baseline server script (servers/*.ts) as a child process and waits for its port. */
async function startScript(name: SystemName, label: string, script: string, nodeOptions: string): Promise<System> {
	const child = spawn(process.execPath, ['--import', 'tsx', path.join(HERE, 'servers', script)], {
		env: { ...process.env, NODE_OPTIONS: nodeOptions, PORT: '0' },
		stdio: ['ignore', 'pipe', 'pipe']
	});
	track(child);
	let out = '';
	child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
	child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
	const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
	const port = await new Promise<number>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`${label} did not start:\n${out}`)), 60_000);
		child.stdout!.on('data', () => {
			const m = out.match(/listening on (\d+)/);
			if (m) {
				clearTimeout(timer);
				resolve(Number(m[1]));
			}
		});
		void exited.then((code) => reject(new Error(`${label} exited with ${code}:\n${out}`)));
	});
	return {
		name,
		label,
		pid: child.pid ?? -1,
		http: null,
		url: `ws://127.0.0.1:${port}`,
		docs: async (count, clientsPerDoc) => plans(freshNames(count, name), clientsPerDoc, () => null),
		output: () => out,
		async stop() {
			if (child.exitCode === null) child.kill('SIGTERM');
			await exited;
		}
	};
}

export const startBareHocuspocus = (nodeOptions = '') => startScript('hocuspocus', 'bare Hocuspocus 4.7 (memory, no auth)', 'bareHocuspocus.ts', nodeOptions);
export const startYWebsocket = (nodeOptions = '') => startScript('ywebsocket', 'y-websocket server 0.1.1 (memory)', 'yWebsocket.ts', nodeOptions);

async function api<T>(server: ServerProcess, token: string, method: string, pathname: string, body?: unknown): Promise<T> {
	const res = await fetch(`${server.http}${pathname}`, {
		method,
		headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body)
	});
	if (!res.ok) throw new Error(`${method} ${pathname}: ${res.status} ${await res.text()}`);
	return (await res.json()) as T;
}

/** The demo accounts of the first community committee (seed.ts), and the administrator. */
const CANDIDATES = [
	{ username: 'admin', password: ADMIN_PASSWORD },
	...['convener', 'recorder', 'member', 'parttime', 'observer'].map((username) => ({ username, password: DEMO_PASSWORD }))
];

export interface OurSystem extends System {
	database: 'PGlite' | 'PostgreSQL';
	/** Usernames that got a read-write connection to a started meeting's minutes (their tokens are used). */
	writers: string[];
	/** Usernames that got read-only connections. */
	readers: string[];
	/** Creates and starts `count` meetings; returns their ids. */
	meetings(count: number): Promise<string[]>;
	/** Plans for the given document names, tokens dealt round-robin over the writers. */
	plansFor(names: string[], clientsPerDoc: number): DocPlan[];
}

/**
 * gongjian's production entry on a fresh database (PGlite, or a throw-away PostgreSQL database
 * when DATABASE_URL is set) with the demo seed; signs in through the API and finds out, by
 * connecting, which demo users may write a started meeting's minutes.
 */
export async function startOurs(nodeOptions = ''): Promise<OurSystem> {
	const fresh = await freshServerEnv({ SEED: 'demo', ADMIN_PASSWORD, NODE_OPTIONS: nodeOptions });
	const server = await startServer(fresh.env, 180_000);
	track(server.child);
	const tokens = new Map<string, string>();
	for (const c of CANDIDATES) tokens.set(c.username, await apiToken(server.http, c.username, c.password));
	const convener = tokens.get('convener')!;
	const { items } = await api<{ items: { id: string; role: string | null }[] }>(server, convener, 'GET', '/api/v1/committees');
	const committee = items.find((c) => c.role === 'convener');
	if (!committee) throw new Error('the demo convener convenes no committee');

	const meetings = async (count: number): Promise<string[]> => {
		const ids: string[] = [];
		let next = 0;
		const lane = async () => {
			while (next < count) {
				const n = next++;
				const meeting = await api<{ id: string }>(server, convener, 'POST', `/api/v1/committees/${committee.id}/meetings`, {
					title: `性能测试会议 ${runId}-${n}`,
					kind: 'regular',
					startsAt: new Date(Date.now() + 3_600_000).toISOString()
				});
				// Started: the minutes are laid out from the template and every member may write them.
				await api(server, convener, 'POST', `/api/v1/meetings/${meeting.id}/transitions`, { transition: 'start' });
				ids.push(meeting.id);
			}
		};
		runId++;
		await Promise.all([lane(), lane(), lane(), lane()]);
		return ids;
	};

	// Which of the candidates may write: ask the collaboration server itself.
	const [probe] = await meetings(1);
	const writers: string[] = [];
	const readers: string[] = [];
	for (const [username, token] of tokens) {
		const client = openClient('ours', server.ws, minutesDocName(probe!), token);
		try {
			const deadline = Date.now() + 30_000;
			while (!client.synced()) {
				const failure = client.failure();
				if (failure) throw new Error(`${username}: ${failure}`);
				if (Date.now() > deadline) throw new Error(`${username}: no sync within 30 s`);
				await new Promise((r) => setTimeout(r, 20));
			}
			(client.readOnly() ? readers : writers).push(username);
		} finally {
			client.destroy();
		}
	}
	if (writers.length === 0) throw new Error('no demo user may write the minutes');
	const writerTokens = writers.map((w) => tokens.get(w)!);
	const plansFor = (names: string[], clientsPerDoc: number) => plans(names, clientsPerDoc, (i) => writerTokens[i % writerTokens.length]!);

	return {
		name: 'ours',
		label: `gongjian (production entry, ${fresh.databaseUrl ? 'PostgreSQL' : 'PGlite'}, auth + update log)`,
		database: fresh.databaseUrl ? 'PostgreSQL' : 'PGlite',
		pid: server.child.pid ?? -1,
		http: server.http,
		url: server.ws,
		writers,
		readers,
		meetings,
		plansFor,
		async docs(count, clientsPerDoc) {
			return plansFor((await meetings(count)).map(minutesDocName), clientsPerDoc);
		},
		output: () => server.output(),
		async stop() {
			await server.kill('SIGTERM');
			await fresh.cleanup();
		}
	};
}

export { agendaDocName, minutesDocName };
