import fs from 'node:fs';
import os from 'node:os';

/** One line of the results table. */
export interface Row {
	measure: string;
	system: string;
	figure: string;
	target: string;
	/** null: no target for this line (context). */
	met: boolean | null;
	/** Why it was missed, or what qualifies the figure. */
	note: string;
	loadavg: number[];
}

export const la = (l: number[]) => l.map((v) => v.toFixed(2)).join(' / ');

export function machine(): string {
	const cpus = os.cpus();
	return `${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}, ${os.type()} ${os.release()}`;
}

export function printTable(rows: Row[]): void {
	const cells = rows.map((r) => [r.measure, r.system, r.figure, r.target || '—', r.met === null ? '' : r.met ? 'met' : 'MISSED', la(r.loadavg)]);
	const head = ['measure', 'system', 'figure', 'target', '', 'load avg 1/5/15'];
	const width = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
	const line = (c: string[]) => c.map((v, i) => v.padEnd(width[i]!)).join('  ');
	console.log(line(head));
	console.log(width.map((w) => '-'.repeat(w)).join('  '));
	for (const c of cells) console.log(line(c));
}

export function markdownTable(rows: Row[]): string {
	const esc = (s: string) => s.replace(/\|/g, '\\|');
	return [
		'| measure | system | figure | target | met? | load avg (1/5/15 min) | note |',
		'|---|---|---|---|---|---|---|',
		...rows.map((r) => `| ${esc(r.measure)} | ${esc(r.system)} | ${esc(r.figure)} | ${esc(r.target || '—')} | ${r.met === null ? '' : r.met ? 'met' : '**missed**'} | ${la(r.loadavg)} | ${esc(r.note)} |`)
	].join('\n');
}

/** Writes docs/PERFORMANCE.md, keeping a "## Soak" section written earlier by `npm run soak -- --write`. */
export function writePerformance(file: string, body: string): void {
	const previous = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
	const soakAt = previous.indexOf('\n## Soak');
	const soak = soakAt >= 0 ? previous.slice(soakAt) : '';
	// The hand-written analysis (dated, it names the run it reads) survives a regeneration.
	const analysisAt = previous.indexOf('\n## Analysis');
	const analysis = analysisAt >= 0 ? previous.slice(analysisAt, soakAt > analysisAt ? soakAt : undefined).trimEnd() + '\n' : '';
	fs.writeFileSync(file, body.trimEnd() + '\n' + analysis + soak);
}

/** Appends (or replaces) the "## Soak" section. */
export function writeSoak(file: string, section: string): void {
	const previous = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Performance\n';
	const soakAt = previous.indexOf('\n## Soak');
	fs.writeFileSync(file, (soakAt >= 0 ? previous.slice(0, soakAt) : previous).trimEnd() + '\n\n' + section.trim() + '\n');
}
