// Builds the SvelteKit app when build/ is missing or older than the sources, so that
// `npm start` works right after `npm install` and stays quick on later starts.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = process.cwd();
const stamp = path.join(root, 'build', 'handler.js');
const inputs = ['src', 'static', 'svelte.config.js', 'vite.config.ts', 'package-lock.json'];

function newest(p) {
	if (!fs.existsSync(p)) return 0;
	const st = fs.statSync(p);
	if (!st.isDirectory()) return st.mtimeMs;
	let max = st.mtimeMs;
	for (const entry of fs.readdirSync(p)) max = Math.max(max, newest(path.join(p, entry)));
	return max;
}

const built = fs.existsSync(stamp) ? fs.statSync(stamp).mtimeMs : 0;
const source = Math.max(...inputs.map((i) => newest(path.join(root, i))));
if (built > source) process.exit(0);

console.log('Building the web app (first start or changed sources)…');
const result = spawnSync(process.execPath, [path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'], {
	stdio: 'inherit',
	cwd: root
});
if (result.status !== 0) {
	console.error('The build failed; see the messages above.');
	process.exit(result.status ?? 1);
}
fs.utimesSync(stamp, new Date(), new Date());
