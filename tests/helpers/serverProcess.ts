import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export interface ServerProcess {
	child: ChildProcess;
	port: number;
	http: string;
	ws: string;
	/** Everything the process printed so far. */
	output(): string;
	/** Resolves with the exit code. */
	exited: Promise<number | null>;
	kill(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface ServerEnv {
	DATA_DIR?: string;
	DATABASE_URL?: string;
	PORT?: string;
	SEED?: string;
	ADMIN_PASSWORD?: string;
	ORIGIN?: string;
	METRICS_TOKEN?: string;
	REDIS_URL?: string;
	/** Any other variable the production entry reads. */
	[name: string]: string | undefined;
}

/** Starts the real production entry (server/index.ts) as a child process, on port 0 unless told otherwise. */
export async function startServer(env: ServerEnv, timeoutMs = 60_000): Promise<ServerProcess> {
	const root = process.cwd();
	const childEnv: NodeJS.ProcessEnv = { ...process.env, HOST: '127.0.0.1', PORT: '0', SEED: 'none', ...env };
	if (!env.DATABASE_URL) delete childEnv.DATABASE_URL;
	const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'server', 'index.ts')], {
		cwd: root,
		env: childEnv,
		stdio: ['ignore', 'pipe', 'pipe']
	});
	let out = '';
	child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
	child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
	const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
	const port = await new Promise<number>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`server did not start within ${timeoutMs} ms:\n${out}`)), timeoutMs);
		const check = () => {
			const m = out.match(/listening on http:\/\/[\d.]+:(\d+)/);
			if (m) {
				clearTimeout(timer);
				resolve(Number(m[1]));
			}
		};
		child.stdout!.on('data', check);
		void exited.then((code) => {
			clearTimeout(timer);
			reject(new Error(`server exited with ${code} before listening:\n${out}`));
		});
	});
	return {
		child,
		port,
		http: `http://127.0.0.1:${port}`,
		ws: `ws://127.0.0.1:${port}/collab`,
		output: () => out,
		exited,
		async kill(signal: NodeJS.Signals = 'SIGKILL') {
			if (child.exitCode === null && child.signalCode === null) child.kill(signal);
			return exited;
		}
	};
}

/** Signs in through the API and returns the bearer token. */
export async function apiToken(http: string, username: string, password: string): Promise<string> {
	const res = await fetch(`${http}/api/v1/sessions`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ username, password })
	});
	if (res.status !== 201) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
	return ((await res.json()) as { token: string }).token;
}

export async function apiGet<T>(http: string, token: string, pathname: string): Promise<T> {
	const res = await fetch(`${http}${pathname}`, { headers: { authorization: `Bearer ${token}` } });
	if (!res.ok) throw new Error(`GET ${pathname}: ${res.status} ${await res.text()}`);
	return (await res.json()) as T;
}
