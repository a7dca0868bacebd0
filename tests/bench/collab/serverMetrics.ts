import fs from 'node:fs';

/*
 * Reading a server from outside: its Prometheus /metrics (loopback needs no token) and its
 * CPU time from /proc/<pid>/stat, so the bench never changes the server it measures.
 */

export interface Scrape {
	at: number;
	/** `name{labels}` → value, exactly as exposed. */
	samples: Map<string, number>;
}

export async function scrape(http: string): Promise<Scrape> {
	const res = await fetch(`${http}/metrics`);
	if (!res.ok) throw new Error(`GET /metrics: ${res.status} ${await res.text()}`);
	const samples = new Map<string, number>();
	for (const line of (await res.text()).split('\n')) {
		if (!line || line.startsWith('#')) continue;
		const space = line.lastIndexOf(' ');
		samples.set(line.slice(0, space), Number(line.slice(space + 1)));
	}
	return { at: performance.now(), samples };
}

export function value(s: Scrape, name: string): number {
	const v = s.samples.get(name);
	if (v === undefined) throw new Error(`metric ${name} missing from /metrics`);
	return v;
}

export interface Bucket {
	le: number;
	/** Cumulative count of observations ≤ le in the interval. */
	count: number;
}

/** The histogram's buckets counted between two scrapes (cumulative, as Prometheus keeps them). */
export function histogramDelta(before: Scrape, after: Scrape, name: string): Bucket[] {
	const buckets: Bucket[] = [];
	const prefix = `${name}_bucket{le="`;
	for (const [key, v] of after.samples) {
		if (!key.startsWith(prefix)) continue;
		const le = key.slice(prefix.length, key.indexOf('"', prefix.length));
		buckets.push({ le: le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le), count: v - (before.samples.get(key) ?? 0) });
	}
	return buckets.sort((a, b) => a.le - b.le);
}

/**
 * The q-quantile of a bucketed histogram as Prometheus' histogram_quantile estimates it: find
 * the first bucket whose cumulative count reaches q·total and interpolate linearly inside it
 * (observations assumed evenly spread between its bounds). Also returns the bucket's upper
 * bound, which the true quantile cannot exceed.
 */
export function bucketQuantile(buckets: readonly Bucket[], q: number): { estimate: number; upperBound: number; total: number } {
	const total = buckets.at(-1)?.count ?? 0;
	if (total === 0) return { estimate: Number.NaN, upperBound: Number.NaN, total };
	const rank = q * total;
	let lowerLe = 0;
	let lowerCount = 0;
	for (const b of buckets) {
		if (b.count >= rank) {
			if (!Number.isFinite(b.le)) return { estimate: lowerLe, upperBound: Number.POSITIVE_INFINITY, total };
			const inBucket = b.count - lowerCount;
			const estimate = inBucket > 0 ? lowerLe + ((b.le - lowerLe) * (rank - lowerCount)) / inBucket : b.le;
			return { estimate, upperBound: b.le, total };
		}
		lowerLe = b.le;
		lowerCount = b.count;
	}
	return { estimate: Number.NaN, upperBound: Number.NaN, total };
}

const CLOCK_TICKS = 100; // USER_HZ on Linux (getconf CLK_TCK)

/** User + system CPU seconds a process has used so far. */
export function cpuSeconds(pid: number): number {
	const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
	// The command name may contain spaces; fields after it are space separated.
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	// utime and stime are fields 14 and 15 of the whole line, 12 and 13 after "pid (comm) ".
	return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** Resident set size of a process in bytes. */
export function rssBytes(pid: number): number {
	const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
	const m = status.match(/VmRSS:\s+(\d+) kB/);
	if (!m) throw new Error(`no VmRSS for ${pid}`);
	return Number(m[1]) * 1024;
}
