import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './ports';

/*
 * A private redis-server for one test file, on a random port, keeping nothing on disk; it can
 * be killed and started again on the same port. (The machine's Redis is never touched.)
 */

export interface RedisProcess {
	port: number;
	url: string;
	/** SIGKILL; the port stays reserved for restart(). */
	kill(): Promise<void>;
	restart(): Promise<void>;
	stop(): Promise<void>;
}

export function redisServerBinary(): string | null {
	const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
	return found.status === 0 && found.stdout.trim() ? found.stdout.trim() : null;
}

export async function startRedis(): Promise<RedisProcess> {
	const binary = redisServerBinary();
	if (!binary) throw new Error('redis-server is not installed');
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gj-redis-'));
	const port = await freePort();
	let child: ChildProcess | null = null;
	let exited: Promise<void> = Promise.resolve();
	const launch = async () => {
		const c = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
		let out = '';
		c.stdout!.on('data', (d: Buffer) => (out += d.toString()));
		c.stderr!.on('data', (d: Buffer) => (out += d.toString()));
		exited = new Promise<void>((resolve) => c.on('exit', () => resolve()));
		child = c;
		const deadline = Date.now() + 10_000;
		while (!/Ready to accept connections/.test(out)) {
			if (c.exitCode !== null) throw new Error(`redis-server exited with ${c.exitCode}:\n${out}`);
			if (Date.now() > deadline) throw new Error(`redis-server did not start:\n${out}`);
			await new Promise((r) => setTimeout(r, 25));
		}
	};
	const kill = async () => {
		const c = child;
		if (c && c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
		await exited;
		child = null;
	};
	await launch();
	return {
		port,
		url: `redis://127.0.0.1:${port}`,
		kill,
		async restart() {
			await kill();
			await launch();
		},
		async stop() {
			await kill();
			fs.rmSync(dir, { recursive: true, force: true });
		}
	};
}

