import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './ports';

/*
 * Runs the committed deploy/nginx.conf as a child process: rendered with other ports into a
 * temporary prefix (its logs and temp paths are relative to the prefix), in the foreground.
 */

export interface NginxProcess {
	port: number;
	http: string;
	ws: string;
	prefix: string;
	output(): string;
	stop(): Promise<void>;
}

/** The nginx binary, or null when it is not installed. */
export function nginxBinary(): string | null {
	for (const candidate of ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx']) if (fs.existsSync(candidate)) return candidate;
	const found = spawnSync('sh', ['-c', 'command -v nginx'], { encoding: 'utf8' });
	return found.status === 0 && found.stdout.trim() ? found.stdout.trim() : null;
}

/** deploy/nginx.conf with its upstream servers and listen port replaced. */
export function renderNginxConf(source: string, upstreamPorts: number[], listenPort: number): string {
	const servers = source.match(/^\s*server 127\.0\.0\.1:\d+ [^;]*;$/gm) ?? [];
	if (servers.length === 0) throw new Error('deploy/nginx.conf: no upstream server lines found');
	if (!/listen 127\.0\.0\.1:\d+;/.test(source)) throw new Error('deploy/nginx.conf: no listen line found');
	let out = source.replace(/listen 127\.0\.0\.1:\d+;/, `listen 127.0.0.1:${listenPort};`);
	// The first upstream line becomes the list of ours; the others go.
	const [first, ...rest] = servers;
	const indent = /^\s*/.exec(first!)![0];
	const options = /^server 127\.0\.0\.1:\d+ ([^;]*);$/.exec(first!.trim())![1];
	out = out.replace(first!, upstreamPorts.map((p) => `${indent}server 127.0.0.1:${p} ${options};`).join('\n'));
	for (const line of rest) out = out.replace(`${line}\n`, '');
	// Two cores shared with other work: one worker is plenty for a test.
	return out.replace(/^worker_processes auto;$/m, 'worker_processes 1;');
}

export async function startNginx(upstreamPorts: number[], timeoutMs = 15_000): Promise<NginxProcess> {
	const binary = nginxBinary();
	if (!binary) throw new Error('nginx is not installed');
	const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'gj-nginx-'));
	fs.mkdirSync(path.join(prefix, 'logs'));
	fs.mkdirSync(path.join(prefix, 'temp'));
	// Workers run as nobody when the test runs as root: let them reach the prefix.
	fs.chmodSync(prefix, 0o755);
	const port = await freePort();
	const conf = path.join(prefix, 'nginx.conf');
	fs.writeFileSync(conf, renderNginxConf(fs.readFileSync(path.resolve('deploy/nginx.conf'), 'utf8'), upstreamPorts, port));
	const child: ChildProcess = spawn(binary, ['-p', prefix, '-c', conf, '-e', path.join(prefix, 'logs', 'error.log'), '-g', 'daemon off;'], { stdio: ['ignore', 'pipe', 'pipe'] });
	let out = '';
	child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
	child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
	const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}:\n${out}\n${readLog(prefix)}`);
		if (await accepts(port)) break;
		if (Date.now() > deadline) throw new Error(`nginx did not listen within ${timeoutMs} ms:\n${out}\n${readLog(prefix)}`);
		await new Promise((r) => setTimeout(r, 50));
	}
	return {
		port,
		http: `http://127.0.0.1:${port}`,
		ws: `ws://127.0.0.1:${port}/collab`,
		prefix,
		output: () => `${out}${readLog(prefix)}`,
		async stop() {
			if (child.exitCode === null && child.signalCode === null) child.kill('SIGQUIT');
			const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
			await exited;
			clearTimeout(timer);
			fs.rmSync(prefix, { recursive: true, force: true });
		}
	};
}

function readLog(prefix: string): string {
	try {
		return fs.readFileSync(path.join(prefix, 'logs', 'error.log'), 'utf8');
	} catch {
		return '';
	}
}

function accepts(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const socket = net.connect(port, '127.0.0.1');
		socket.once('connect', () => {
			socket.destroy();
			resolve(true);
		});
		socket.once('error', () => resolve(false));
	});
}
