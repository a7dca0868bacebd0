import { spawnSync } from 'node:child_process';

/** Tests that start the production entry need an up-to-date build of the web app. */
export default function setup(): void {
	const result = spawnSync(process.execPath, ['scripts/build-if-stale.mjs'], { stdio: 'inherit' });
	if (result.status !== 0) throw new Error('building the web app failed');
}
