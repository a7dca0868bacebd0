import fs from 'node:fs';
import path from 'node:path';

/*
 * Where a server's CPU time goes, from the .cpuprofile that `node --cpu-prof` writes at exit:
 * self time per function, grouped by what the code belongs to, and inclusive time of the
 * functions the maintainers can act on (our validation, the database, Yjs encoding).
 */

interface ProfileNode {
	id: number;
	callFrame: { functionName: string; url: string; lineNumber: number };
	hitCount?: number;
	children?: number[];
}
interface CpuProfile {
	nodes: ProfileNode[];
	startTime: number;
	endTime: number;
	samples: number[];
	timeDeltas: number[];
}

export const GROUPS: [string, RegExp][] = [
	['idle', /^\((idle)\)$/],
	['garbage collector', /^\(garbage collector\)$/],
	['program (native, unattributed)', /^\((program|root)\)$/],
	['our validation (yjsUpdate.ts)', /src\/lib\/server\/yjsUpdate\.ts/],
	['our server code (server/, src/)', /^(?!.*node_modules).*\/(server|src)\//],
	['Hocuspocus', /@hocuspocus\//],
	['Yjs (yjs, lib0, y-protocols)', /\/(yjs|lib0|y-protocols)\//],
	['database (PGlite, pg, drizzle)', /\/(@electric-sql|pg|pg-protocol|drizzle-orm)\//],
	['ws', /\/node_modules\/ws\//],
	['y-websocket server', /@y\/websocket-server/],
	['prom-client', /prom-client/],
	['Node internals', /^node:|^internal\//],
	['other', /.*/]
];

function groupOf(node: ProfileNode): string {
	const key = node.callFrame.url || `(${node.callFrame.functionName.replace(/^\(|\)$/g, '')})`;
	for (const [name, re] of GROUPS) if (re.test(key) || (name.startsWith('idle') && re.test(node.callFrame.functionName)) || (name === 'garbage collector' && re.test(node.callFrame.functionName)) || (name.startsWith('program') && re.test(node.callFrame.functionName))) return name;
	return 'other';
}

export interface ProfileSummary {
	totalMs: number;
	/** Busy time: everything but idle. */
	busyMs: number;
	groups: { name: string; ms: number; share: number }[];
	top: { fn: string; where: string; ms: number; share: number }[];
	/** Inclusive time of selected functions (time spent in them and everything they call). */
	inclusive: { fn: string; ms: number; share: number }[];
}

const INCLUSIVE = ['checkUpdate', 'admitToShadow', 'addsContent', 'shadowOf', 'beforeSync', 'append', 'flushLoop', 'encodeStateAsUpdate', 'applyUpdate', 'handleMessage', 'broadcast', 'onChange', 'onStoreDocument', 'compact', 'validateSessionToken', 'resolveDocAccess', 'resolveSessionDocAccess'];

export function summariseProfile(file: string, topN = 15): ProfileSummary {
	const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
	const byId = new Map(profile.nodes.map((n) => [n.id, n]));
	// Self time from samples and their time deltas (more exact than hitCount × interval).
	const self = new Map<number, number>();
	profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
	const totalMs = [...self.values()].reduce((a, b) => a + b, 0);
	const idleMs = [...self].filter(([id]) => byId.get(id)?.callFrame.functionName === '(idle)').reduce((a, [, v]) => a + v, 0);
	const busyMs = totalMs - idleMs;

	const groups = new Map<string, number>();
	const fns = new Map<string, { fn: string; where: string; ms: number }>();
	for (const [id, ms] of self) {
		const node = byId.get(id)!;
		const g = groupOf(node);
		groups.set(g, (groups.get(g) ?? 0) + ms);
		if (g === 'idle') continue;
		const where = node.callFrame.url ? `${path.basename(node.callFrame.url)}:${node.callFrame.lineNumber + 1}` : '';
		const key = `${node.callFrame.functionName}@${where}`;
		const entry = fns.get(key) ?? { fn: node.callFrame.functionName || '(anonymous)', where: `${g} — ${where}`, ms: 0 };
		entry.ms += ms;
		fns.set(key, entry);
	}

	// Inclusive: walk the tree, counting a subtree once for the outermost frame of a name.
	const parentOf = new Map<number, number>();
	for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
	const subtreeSelf = new Map<number, number>();
	const order = [...profile.nodes].reverse();
	for (const n of order) subtreeSelf.set(n.id, (self.get(n.id) ?? 0) + (n.children ?? []).reduce((s, c) => s + (subtreeSelf.get(c) ?? 0), 0));
	const inclusive = INCLUSIVE.map((fn) => {
		let ms = 0;
		for (const n of profile.nodes) {
			if (n.callFrame.functionName !== fn) continue;
			let p = parentOf.get(n.id);
			let nested = false;
			while (p !== undefined) {
				if (byId.get(p)?.callFrame.functionName === fn) {
					nested = true;
					break;
				}
				p = parentOf.get(p);
			}
			if (!nested) ms += subtreeSelf.get(n.id) ?? 0;
		}
		return { fn, ms, share: busyMs ? ms / busyMs : 0 };
	}).filter((i) => i.ms > 0);

	return {
		totalMs,
		busyMs,
		groups: [...groups].map(([name, ms]) => ({ name, ms, share: ms / totalMs })).sort((a, b) => b.ms - a.ms),
		top: [...fns.values()].sort((a, b) => b.ms - a.ms).slice(0, topN).map((f) => ({ ...f, share: busyMs ? f.ms / busyMs : 0 })),
		inclusive
	};
}

/** The newest .cpuprofile in a directory (node names them by time and pid). */
export function newestProfile(dir: string): string {
	const files = fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
	if (files.length === 0) throw new Error(`no .cpuprofile in ${dir}`);
	return path.join(dir, files.sort().at(-1)!);
}
