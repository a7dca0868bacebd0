import { DISPLAY_STATUSES, type DisplayStatus } from '../domain/projectStatus';
import { translator, type Locale } from '../i18n';
import { barsChart, columnsChart, stackedChart } from './charts';
import type { Dashboard, DashboardFilter } from './dashboard';
import { projectLevels, type ProjectLevel } from './db/schema';

/** The same colours as the status chips, so a chart reads like the lists. */
export const STATUS_COLOURS: Record<DisplayStatus, string> = {
	not_started: '#6b7280',
	in_progress: '#2563eb',
	overdue: '#b91c1c',
	on_hold: '#a16207',
	done: '#15803d'
};

const UNITS_IN_CHART = 10;

/**
 * The filter in a dashboard URL. People type and share these; a value that is not one of the
 * choices is dropped (the dashboard shows everything for it) rather than answered with an error.
 */
export function parseDashboardFilter(url: URL, currentYear: number): DashboardFilter {
	const year = Number(url.searchParams.get('year'));
	const level = url.searchParams.get('level') ?? '';
	const status = url.searchParams.get('status') ?? '';
	const unitId = url.searchParams.get('unit') ?? '';
	return {
		year: Number.isInteger(year) && year >= 2000 && year <= 2100 ? year : currentYear,
		level: (projectLevels as readonly string[]).includes(level) ? (level as ProjectLevel) : '',
		status: (DISPLAY_STATUSES as readonly string[]).includes(status) ? (status as DisplayStatus) : '',
		unitId: /^[0-9a-f-]{36}$/i.test(unitId) ? unitId : ''
	};
}

/** The filter back as query parameters (for export links and the year switcher). */
export function filterQuery(filter: DashboardFilter): string {
	const q = new URLSearchParams({ year: String(filter.year) });
	if (filter.level) q.set('level', filter.level);
	if (filter.status) q.set('status', filter.status);
	if (filter.unitId) q.set('unit', filter.unitId);
	return q.toString();
}

export interface DashboardCharts {
	status: string;
	units: string;
	timeline: string;
}

/** The dashboard's three charts as SVG, labelled in the reader's language. */
export function dashboardCharts(d: Dashboard, locale: Locale): DashboardCharts {
	const t = translator(locale);
	const statusLabel = (s: DisplayStatus) => t(`project.status.${s}`);
	const shown: DisplayStatus[] = ['done', 'in_progress', 'not_started', 'overdue', 'on_hold'];
	const top = d.perUnit.slice(0, UNITS_IN_CHART);
	return {
		status: barsChart(DISPLAY_STATUSES.map((s) => ({ label: statusLabel(s), value: d.byStatus[s], color: STATUS_COLOURS[s] }))),
		units: top.length
			? stackedChart(
					shown.map((s) => ({ name: statusLabel(s), color: STATUS_COLOURS[s] })),
					top.map((u) => ({ label: u.unitName, parts: [u.done, u.inProgress, u.total - u.done - u.inProgress - u.overdue - u.onHold, u.overdue, u.onHold] }))
				)
			: '',
		timeline: columnsChart(d.doneByMonth.map((m) => ({ label: locale === 'en' ? m.month.slice(5) : `${Number(m.month.slice(5))}月`, value: m.count })))
	};
}

export const UNITS_CHART_SIZE = UNITS_IN_CHART;
