import { error } from '@sveltejs/kit';
import { PROJECTS_DEPENDENCY } from '$lib/collab/dependencies';
import { chinaToday } from '$lib/domain/projectStatus';
import { loadDashboard } from '$lib/server/dashboard';
import { dashboardCharts, parseDashboardFilter } from '$lib/server/dashboardView';
import { getDb } from '$lib/server/db';
import { requireUser } from '$lib/server/guard';
import { visibleCommittee } from '$lib/server/visibility';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ params, locals, url, depends }) => {
	depends(PROJECTS_DEPENDENCY);
	const user = requireUser(locals, url);
	const db = await getDb();
	// Whoever may see the committee sees how its decisions are carried out.
	const committee = await visibleCommittee(db, user, params.id);
	if (!committee) error(404, { message: 'not-found', code: 'not_found' });
	const today = chinaToday();
	const filter = parseDashboardFilter(url, Number(today.slice(0, 4)));
	const { years, ...dashboard } = await loadDashboard(db, [committee.id], filter, today);
	return {
		committee: { id: committee.id, name: committee.name },
		filter,
		years,
		dashboard,
		charts: dashboardCharts(dashboard, locals.locale)
	};
};
