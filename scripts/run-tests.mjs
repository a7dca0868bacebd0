// `npm test`: the whole suite, in an order that keeps a 2-core machine from timing out:
// fast unit and database tests, then the WebSocket/process tests, then the browser tests.
// With DATABASE_URL set, every database test runs against that PostgreSQL server instead
// of embedded PGlite (each test file gets its own throw-away database there).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const vitest = path.join(process.cwd(), 'node_modules', 'vitest', 'vitest.mjs');
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

function run(label, projects) {
	console.log(`\n=== ${label} (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'}) ===`);
	const args = [vitest, 'run', ...projects.flatMap((p) => ['--project', p])];
	const result = spawnSync(process.execPath, args, { stdio: 'inherit' });
	if (result.status !== 0) {
		console.error(`\n${label} failed.`);
		process.exit(result.status ?? 1);
	}
}

run('unit and integration tests', ['unit', 'integration']);
run('collaboration tests (real server, real providers)', ['collab']);
if (fs.existsSync(chromium)) {
	run('end-to-end tests (Chromium)', ['e2e']);
} else {
	console.log(`\nEnd-to-end tests skipped: no Chromium at ${chromium}. Install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH; .ci/run always runs them.`);
	if (process.env.CI) process.exit(1);
}
