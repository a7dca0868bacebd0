import ExcelJS from 'exceljs';
import { translator, type MessageKey } from '../i18n';
import type { Dashboard, DashboardFilter } from './dashboard';

/*
 * Any dashboard table as a workbook of one sheet, headed in Chinese like the other files
 * people file (the board's lists, the minutes): a row per line of the table as shown.
 */

export const DASHBOARD_TABLES = ['overdue', 'missing', 'units', 'committees', 'timeline'] as const;
export type DashboardTable = (typeof DASHBOARD_TABLES)[number];

export const isDashboardTable = (value: string): value is DashboardTable => (DASHBOARD_TABLES as readonly string[]).includes(value);

const t = translator('zh-CN');
const percent = (share: number) => `${Math.round(share * 100)}%`;
const headers = (...keys: MessageKey[]) => keys.map((k) => t(k));

function sheetOf(table: DashboardTable, d: Dashboard, district: boolean): { title: string; header: string[]; rows: (string | number)[][] } {
	switch (table) {
		case 'overdue':
			return {
				title: t('dashboard.overdue.title'),
				header: [t('dashboard.col.item'), ...(district ? [t('dashboard.col.committee')] : []), t('dashboard.col.units'), t('dashboard.col.dueDate'), '逾期天数'],
				rows: d.overdue.map((o) => [o.title, ...(district ? [o.committeeName] : []), o.units.join('、'), o.dueDate, o.days])
			};
		case 'missing':
			return {
				title: t('dashboard.missing.title'),
				header: [t('dashboard.col.unit'), t('dashboard.col.item'), ...(district ? [t('dashboard.col.committee')] : []), t('dashboard.col.month'), t('dashboard.col.deadline')],
				rows: d.missing.map((m) => [m.unitName, m.title, ...(district ? [m.committeeName] : []), m.month, m.deadline])
			};
		case 'units':
			return {
				title: t('dashboard.units.title'),
				header: headers('dashboard.col.unit', 'dashboard.col.total', 'dashboard.col.done', 'dashboard.col.inProgress', 'dashboard.col.overdue', 'dashboard.col.onHold', 'dashboard.col.missing', 'dashboard.col.completion'),
				rows: d.perUnit.map((u) => [u.unitName, u.total, u.done, u.inProgress, u.overdue, u.onHold, u.missing, percent(u.completion)])
			};
		case 'committees':
			return {
				title: t('dashboard.committees.title'),
				header: headers('dashboard.col.committee', 'dashboard.col.street', 'dashboard.col.total', 'dashboard.col.done', 'dashboard.col.overdue', 'dashboard.col.missing', 'dashboard.col.completion'),
				rows: d.perCommittee.map((c) => [c.name, c.streetName, c.total, c.done, c.overdue, c.missing, percent(c.completion)])
			};
		case 'timeline':
			return {
				title: t('dashboard.timeline.title'),
				header: [t('dashboard.col.month'), t('dashboard.col.count')],
				rows: d.doneByMonth.map((m) => [m.month, m.count])
			};
	}
}

/** The workbook and a file name for it (Chinese, with the year and the scope). */
export async function exportDashboardTable(table: DashboardTable, d: Dashboard, filter: DashboardFilter, scopeName: string, district: boolean): Promise<{ bytes: Buffer; fileName: string; asciiName: string }> {
	const sheet = sheetOf(table, d, district);
	const workbook = new ExcelJS.Workbook();
	workbook.creator = 'gongjian';
	const ws = workbook.addWorksheet(sheet.title);
	ws.addRow([`${scopeName} ${filter.year} 年 ${sheet.title}（统计日期 ${d.today}）`]).font = { bold: true };
	ws.addRow(sheet.header).font = { bold: true };
	for (const row of sheet.rows) ws.addRow(row);
	sheet.header.forEach((h, i) => {
		const widest = Math.max([...h].length * 2, ...sheet.rows.map((r) => [...String(r[i] ?? '')].length * 2));
		ws.getColumn(i + 1).width = Math.min(60, Math.max(8, widest + 2));
	});
	return { bytes: Buffer.from(await workbook.xlsx.writeBuffer()), fileName: `${scopeName}-${filter.year}-${sheet.title}.xlsx`, asciiName: `dashboard-${filter.year}-${table}.xlsx` };
}
