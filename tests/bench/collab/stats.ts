/** Small statistics helpers; every input is a plain array of numbers. */

export function quantile(sorted: readonly number[], q: number): number {
	if (sorted.length === 0) return Number.NaN;
	// Nearest rank: the value below which a fraction q of the samples lie.
	const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
	return sorted[rank]!;
}

export interface Summary {
	n: number;
	p50: number;
	p95: number;
	p99: number;
	max: number;
}

export function summarise(values: readonly number[]): Summary {
	const sorted = Float64Array.from(values).sort();
	const arr = Array.from(sorted);
	return { n: arr.length, p50: quantile(arr, 0.5), p95: quantile(arr, 0.95), p99: quantile(arr, 0.99), max: arr.length ? arr[arr.length - 1]! : Number.NaN };
}

export function median(values: readonly number[]): number {
	const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
	if (finite.length === 0) return Number.NaN;
	const mid = Math.floor(finite.length / 2);
	return finite.length % 2 ? finite[mid]! : (finite[mid - 1]! + finite[mid]!) / 2;
}

/** Per-field median of several summaries (each percentile separately). */
export function medianSummary(runs: readonly Summary[]): Summary {
	return {
		n: median(runs.map((r) => r.n)),
		p50: median(runs.map((r) => r.p50)),
		p95: median(runs.map((r) => r.p95)),
		p99: median(runs.map((r) => r.p99)),
		max: median(runs.map((r) => r.max))
	};
}

/** Least-squares slope of y over x. */
export function slope(points: readonly { x: number; y: number }[]): number {
	const n = points.length;
	if (n < 2) return Number.NaN;
	const mx = points.reduce((s, p) => s + p.x, 0) / n;
	const my = points.reduce((s, p) => s + p.y, 0) / n;
	let num = 0;
	let den = 0;
	for (const p of points) {
		num += (p.x - mx) * (p.y - my);
		den += (p.x - mx) ** 2;
	}
	return den === 0 ? Number.NaN : num / den;
}

export const ms = (v: number, digits = 1) => (Number.isFinite(v) ? `${v.toFixed(digits)} ms` : 'n/a');
