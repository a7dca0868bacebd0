/**
 * Start-up time of the production entry to a 200 from /healthz, on embedded PGlite:
 * a first start on an empty DATA_DIR (migrations, first admin, demo seed) and warm restarts.
 *
 *   npx tsx tests/bench/startup.ts [restarts=5]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { startServer } from '../helpers/serverProcess';

const restarts = Number(process.argv[2] ?? 5);
spawnSync(process.execPath, ['scripts/build-if-stale.mjs'], { stdio: 'inherit' });
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gj-bench-'));

async function timeToHealthy(): Promise<number> {
	const t0 = performance.now();
	const server = await startServer({ DATA_DIR: dir, SEED: 'demo', ADMIN_PASSWORD: 'bench-password' }, 120_000);
	for (;;) {
		const res = await fetch(`${server.http}/healthz`).catch(() => null);
		if (res?.status === 200) break;
		await new Promise((r) => setTimeout(r, 20));
	}
	const ms = performance.now() - t0;
	await server.kill('SIGTERM');
	return ms;
}

const first = await timeToHealthy();
const warm: number[] = [];
for (let i = 0; i < restarts; i++) warm.push(await timeToHealthy());
fs.rmSync(dir, { recursive: true, force: true });
warm.sort((a, b) => a - b);
const median = warm[Math.floor(warm.length / 2)]!;
console.log(`startup to /healthz on PGlite: first start (empty DATA_DIR, migrate + seed) ${(first / 1000).toFixed(2)} s; warm restart median ${(median / 1000).toFixed(2)} s over ${restarts} (min ${(warm[0]! / 1000).toFixed(2)} s, max ${(warm[warm.length - 1]! / 1000).toFixed(2)} s)`);
