import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { committees } from '../../src/lib/server/db/schema';
import { loadDashboard, type DashboardFilter } from '../../src/lib/server/dashboard';
import { exportDashboardTable } from '../../src/lib/server/dashboardExport';
import { dashboardCharts, parseDashboardFilter } from '../../src/lib/server/dashboardView';
import { seedDemo } from '../../src/lib/server/seed';
import { seedTracking } from '../../src/lib/server/seedTracking';
import ExcelJS from 'exceljs';
import { createTestDatabase, type TestDatabase } from '../helpers/db';

/*
 * The dashboards on the demo data, seeded as of 28 November 2026 (China): three committees
 * each with five decisions from a meeting on 14 September — one done (two units), one on
 * track, one overdue (due 8 November, no October report), one on hold, one never reported on.
 * Reports are due by the 10th, so on the 28th October's reports are the ones checked.
 */

const NOW = new Date('2026-11-28T02:00:00Z');
const TODAY = '2026-11-28';
const ALL: DashboardFilter = { year: 2026, level: '', unitId: '', status: '' };
let database: TestDatabase;

beforeAll(async () => {
	database = await createTestDatabase();
	await seedDemo(database.db, NOW);
	expect(await seedTracking(database.db, NOW)).toEqual({ items: 15, reports: expect.any(Number) });
}, 120_000);
afterAll(() => database?.destroy());

describe('the district dashboard on the demo data', () => {
	it('counts items by status, overdue, missing reports and done per month as computed by hand', async () => {
		const d = await loadDashboard(database.db, 'all', ALL, TODAY);
		expect(d.total).toBe(15);
		expect(d.byStatus).toEqual({ not_started: 3, in_progress: 3, overdue: 3, on_hold: 3, done: 3 });
		expect(d.completion).toBeCloseTo(0.2);
		expect(d.overdue).toHaveLength(3);
		expect(d.overdue.every((o) => o.dueDate === '2026-11-08' && o.days === 20)).toBe(true);
		// October was missed by the overdue item's unit and the silent item's unit, in each committee.
		expect(d.missing).toHaveLength(6);
		expect(d.missing.every((m) => m.month === '2026-10' && m.deadline === '2026-11-10')).toBe(true);
		expect(d.doneByMonth.find((m) => m.month === '2026-11')?.count).toBe(3);
		expect(d.doneByMonth.reduce((n, m) => n + m.count, 0)).toBe(3);
		expect(d.perCommittee).toHaveLength(3);
		for (const c of d.perCommittee) expect([c.total, c.done, c.overdue, c.missing, Math.round(c.completion * 100)]).toEqual([5, 1, 1, 2, 20]);
		// Units: each item counts for each of its units; the first decision has two.
		expect(d.perUnit.reduce((n, u) => n + u.total, 0)).toBe(18);
		expect(d.perUnit.reduce((n, u) => n + u.done, 0)).toBe(6);
		expect(d.perUnit.reduce((n, u) => n + u.missing, 0)).toBe(6);
		expect(d.years).toEqual([2026]);
	});

	it('filters by status, level, unit and year', async () => {
		expect((await loadDashboard(database.db, 'all', { ...ALL, status: 'overdue' }, TODAY)).total).toBe(3);
		// Community committees decide community-level items, the subdistrict's street-level ones.
		expect((await loadDashboard(database.db, 'all', { ...ALL, level: 'street' }, TODAY)).total).toBe(5);
		expect((await loadDashboard(database.db, 'all', { ...ALL, level: 'community' }, TODAY)).total).toBe(10);
		expect((await loadDashboard(database.db, 'all', { ...ALL, year: 2025 }, TODAY)).total).toBe(0);
		const all = await loadDashboard(database.db, 'all', ALL, TODAY);
		const unit = all.perUnit[0]!;
		const one = await loadDashboard(database.db, 'all', { ...ALL, unitId: unit.unitId }, TODAY);
		expect(one.total).toBe(unit.total);
		expect(one.perUnit.map((u) => u.unitId)).toEqual([unit.unitId]);
		expect(one.missing.every((m) => m.unitId === unit.unitId)).toBe(true);
	});

	it('shows one committee alone, with charts and an export of each table', async () => {
		const all = await loadDashboard(database.db, 'all', ALL, TODAY);
		const committeeId = all.perCommittee[0]!.committeeId;
		const [committee] = await database.db.select().from(committees).where(eq(committees.id, committeeId));
		const d = await loadDashboard(database.db, [committeeId], ALL, TODAY);
		expect([d.total, d.byStatus.done, d.overdue.length, d.missing.length]).toEqual([5, 1, 1, 2]);

		const charts = dashboardCharts(d, 'zh-CN');
		expect(charts.status).toMatch(/^<svg[^>]+viewBox=/);
		expect(charts.status).toContain('逾期');
		expect(charts.units).toContain(d.perUnit[0]!.unitName.slice(0, 4));
		expect(charts.timeline).toContain('11月');

		const file = await exportDashboardTable('units', d, ALL, committee!.name, false);
		const wb = new ExcelJS.Workbook();
		await wb.xlsx.load(new Uint8Array(file.bytes).buffer);
		const ws = wb.worksheets[0]!;
		expect(ws.getRow(2).values).toEqual([undefined, '单位', '项目数', '已完成', '进行中', '逾期', '搁置', '未报送', '完成率']);
		expect(ws.actualRowCount).toBe(2 + d.perUnit.length);
		expect(file.fileName).toBe(`${committee!.name}-2026-各单位完成情况.xlsx`);
	});

	it('reads a filter from a URL and drops values that are not choices', () => {
		expect(parseDashboardFilter(new URL('http://x/?year=2025&level=street&status=done&unit=00000000-0000-4000-8000-000000000000'), 2026)).toEqual({
			year: 2025,
			level: 'street',
			status: 'done',
			unitId: '00000000-0000-4000-8000-000000000000'
		});
		expect(parseDashboardFilter(new URL('http://x/?year=abc&level=planet&status=late&unit=1;drop'), 2026)).toEqual(ALL);
	});
});
