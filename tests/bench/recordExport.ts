/**
 * Export timings of a 30-page minutes (PDF page count measured): DOCX, PDF and Markdown, each
 * rendered from the frozen record's layout as the download routes do. First render (font
 * loading included) and the median of the following runs.
 *
 *   npx tsx tests/bench/recordExport.ts [runs=10]
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { renderRecord, RECORD_FORMATS } from '../../src/lib/server/recordExport';
import { longRecord } from '../helpers/recordFixture';
import { recordHash } from '../../src/lib/server/record';

const runs = Number(process.argv[2] ?? 10);
// longRecord(n) is sized by characters; 25 of its "pages" lay out as about 30 A4 pages.
const body = longRecord(25);
const record = { body, sha256: recordHash(body) };

function pdfPages(bytes: Uint8Array): string {
	try {
		const file = path.join(os.tmpdir(), `gj-bench-${process.pid}.pdf`);
		fs.writeFileSync(file, bytes);
		const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
		fs.rmSync(file);
		return info.match(/Pages:\s+(\d+)/)?.[1] ?? '?';
	} catch {
		return '? (pdfinfo missing)';
	}
}

for (const format of RECORD_FORMATS) {
	let t0 = performance.now();
	const first = await renderRecord(record, format);
	const firstMs = performance.now() - t0;
	const times: number[] = [];
	for (let i = 0; i < runs; i++) {
		t0 = performance.now();
		await renderRecord(record, format);
		times.push(performance.now() - t0);
	}
	times.sort((a, b) => a - b);
	const median = times[Math.floor(times.length / 2)]!;
	const extra = format === 'pdf' ? `, ${pdfPages(first.bytes)} pages` : '';
	console.log(`${format.padEnd(4)} first ${firstMs.toFixed(0)} ms, median of ${runs} ${median.toFixed(0)} ms, max ${times[times.length - 1]!.toFixed(0)} ms, ${(first.bytes.length / 1024).toFixed(0)} KiB${extra}`);
}
