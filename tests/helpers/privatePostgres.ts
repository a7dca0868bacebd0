import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/*
 * A PostgreSQL server of the test's own (initdb into a temp directory, its own port), for
 * tests that stop and start the database: the machine's server is shared by every other test.
 */

function binDir(): string | null {
	const root = '/usr/lib/postgresql';
	if (!fs.existsSync(root)) return null;
	const versions = fs
		.readdirSync(root)
		.filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb')))
		.sort((a, b) => Number(b) - Number(a));
	return versions[0] ? path.join(root, versions[0], 'bin') : null;
}

/** Why a private server cannot be started here, or null when it can. */
export function privatePostgresMissing(): string | null {
	return binDir() ? null : 'no PostgreSQL server binaries under /usr/lib/postgresql (Debian package postgresql)';
}

async function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as net.AddressInfo;
			server.close(() => resolve(port));
		});
	});
}

export interface PrivatePostgres {
	url: string;
	port: number;
	stop(): void;
	start(): void;
	destroy(): void;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
	const bin = binDir();
	if (!bin) throw new Error(privatePostgresMissing()!);
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gj-pg-'));
	const data = path.join(dir, 'data');
	const port = await freePort();
	// PostgreSQL refuses to run as root; tests in CI run as root, so the server runs as postgres.
	const asRoot = process.getuid?.() === 0;
	if (asRoot) spawnSync('chown', ['-R', 'postgres:postgres', dir]);
	const run = (tool: string, args: string[]) => {
		const cmd = asRoot ? 'runuser' : path.join(bin, tool);
		const argv = asRoot ? ['-u', 'postgres', '--', path.join(bin, tool), ...args] : args;
		const result = spawnSync(cmd, argv, { encoding: 'utf8', cwd: dir });
		if (result.status !== 0) throw new Error(`${tool} ${args.join(' ')} failed (${result.status}): ${result.stderr || result.stdout}`);
	};
	run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
	const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
	const start = () => run('pg_ctl', ['-D', data, '-o', options, '-l', path.join(dir, 'log'), '-w', '-t', '30', 'start']);
	start();
	let running = true;
	return {
		url: `postgres://postgres@127.0.0.1:${port}/postgres`,
		port,
		// Fast shutdown: every connection is cut, as when the server goes away.
		stop() {
			run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
			running = false;
		},
		start() {
			start();
			running = true;
		},
		destroy() {
			try {
				if (running) run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
			} finally {
				fs.rmSync(dir, { recursive: true, force: true });
			}
		}
	};
}
