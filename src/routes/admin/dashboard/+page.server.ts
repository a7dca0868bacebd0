import { PROJECTS_DEPENDENCY } from '$lib/collab/dependencies';
import { chinaToday } from '$lib/domain/projectStatus';
import { loadDashboard } from '$lib/server/dashboard';
import { dashboardCharts, parseDashboardFilter } from '$lib/server/dashboardView';
import { getDb } from '$lib/server/db';
import { requireAdmin } from '$lib/server/guard';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url, depends }) => {
	depends(PROJECTS_DEPENDENCY);
	requireAdmin(locals, url);
	const today = chinaToday();
	const filter = parseDashboardFilter(url, Number(today.slice(0, 4)));
	const { years, ...dashboard } = await loadDashboard(await getDb(), 'all', filter, today);
	return { filter, years, dashboard, charts: dashboardCharts(dashboard, locals.locale) };
};
