import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** poppler-utils (pdftotext, pdffonts, pdfinfo): installed by .ci/run, optional on a developer's machine. */
export const hasPoppler = !spawnSync('pdftotext', ['-v']).error;

/** The text of a PDF as pdftotext reads it (UTF-8). */
export function pdfText(pdf: Uint8Array): string {
	const file = path.join(os.tmpdir(), `gj-pdf-${process.pid}-${Math.random().toString(36).slice(2)}.pdf`);
	fs.writeFileSync(file, pdf);
	try {
		return execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
	} finally {
		fs.rmSync(file, { force: true });
	}
}
