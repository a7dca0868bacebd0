import ExcelJS from 'exceljs';
import QRCode from 'qrcode';
import { round2 } from '../domain/evaluation';
import { translator } from '../i18n';
import type { EvaluationResults, NewLink } from './evaluation';

/*
 * What leaves the evaluation as files: the printed sheet of scoring links (QR codes as SVG,
 * drawn on the server so the phone-less print needs no script) and the results workbook,
 * headed in Chinese like the other files people file.
 */

const t = translator('zh-CN');

export interface PrintedLink {
	serial: number;
	url: string;
	/** SVG markup made by the qrcode library from `url` (which we built): safe to insert as HTML. */
	svg: string;
}

/** The short scoring URL of a token. */
export const scoreUrl = (origin: string, token: string): string => `${origin}/score/${token}`;

/** QR codes of freshly generated links, for the print sheet. */
export async function printedLinks(origin: string, links: readonly NewLink[]): Promise<PrintedLink[]> {
	return Promise.all(
		links.map(async (l) => {
			const url = scoreUrl(origin, l.token);
			// Error correction M survives a fold or a smudge on paper and keeps the code small.
			const svg = await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 });
			return { serial: l.serial, url, svg };
		})
	);
}

/** The results workbook: projects with means per criterion, units ranked, comments. */
export async function exportResults(r: EvaluationResults, scopeName: string): Promise<{ bytes: Buffer; fileName: string; asciiName: string }> {
	const workbook = new ExcelJS.Workbook();
	workbook.creator = 'gongjian';
	const heading = `${scopeName} ${r.round.year} 年 ${r.round.title}`;
	const fit = (ws: ExcelJS.Worksheet, rows: (string | number | null)[][]) => {
		const columns = Math.max(...rows.map((row) => row.length));
		for (let i = 0; i < columns; i++) {
			const widest = Math.max(...rows.map((row) => [...String(row[i] ?? '')].length * 2));
			ws.getColumn(i + 1).width = Math.min(60, Math.max(8, widest + 2));
		}
	};

	const projects = workbook.addWorksheet(t('evaluation.results.sheetProjects'));
	projects.addRow([heading]).font = { bold: true };
	const projectHeader = [
		t('evaluation.results.col.project'),
		t('evaluation.results.col.units'),
		...r.criteria.map((c) => t('evaluation.round.criterion', { label: c.label, max: c.max })),
		t('evaluation.results.col.total'),
		t('evaluation.results.col.count')
	];
	projects.addRow(projectHeader).font = { bold: true };
	const projectRows = r.projects.map((p) => [p.title, p.units.map((u) => u.name).join('、'), ...p.means.map(round2), round2(p.meanTotal), p.count]);
	for (const row of projectRows) projects.addRow(row);
	fit(projects, [projectHeader, ...projectRows]);

	const units = workbook.addWorksheet(t('evaluation.results.sheetUnits'));
	units.addRow([heading]).font = { bold: true };
	const unitHeader = [t('evaluation.results.col.rank'), t('evaluation.results.col.unit'), t('evaluation.results.col.projects'), t('evaluation.results.col.average')];
	units.addRow(unitHeader).font = { bold: true };
	const unitRows = r.units.map((u) => [u.rank, u.unitName, u.projectCount, round2(u.average)]);
	for (const row of unitRows) units.addRow(row);
	fit(units, [unitHeader, ...unitRows]);

	const comments = workbook.addWorksheet(t('evaluation.results.sheetComments'));
	comments.addRow([heading]).font = { bold: true };
	const commentHeader = [t('evaluation.results.col.project'), t('evaluation.score.comment')];
	comments.addRow(commentHeader).font = { bold: true };
	const commentRows = r.projects.flatMap((p) => p.comments.map((c) => [p.title, c]));
	for (const row of commentRows) comments.addRow(row);
	fit(comments, [commentHeader, ...commentRows]);

	return {
		bytes: Buffer.from(await workbook.xlsx.writeBuffer()),
		fileName: `${scopeName}-${r.round.year}-${t('evaluation.results.title')}.xlsx`,
		asciiName: `evaluation-${r.round.year}.xlsx`
	};
}
