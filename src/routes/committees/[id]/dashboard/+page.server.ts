import { error, fail } from '@sveltejs/kit';
import { PROJECTS_DEPENDENCY } from '$lib/collab/dependencies';
import { chinaToday } from '$lib/domain/projectStatus';
import { loadDashboard } from '$lib/server/dashboard';
import { dashboardCharts, parseDashboardFilter } from '$lib/server/dashboardView';
import { getDb } from '$lib/server/db';
import { requireUser } from '$lib/server/guard';
import { visibleCommittee } from '$lib/server/visibility';
import { reportDayOf, setReportDay } from '$lib/server/progressReport';
import { mayManageProjectItem, ProjectItemError } from '$lib/server/projectItem';
import type { Actions, PageServerLoad } from './$types';

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
		reportDay: await reportDayOf(db, committee.id),
		// The convener and recorder set when monthly reports are due (the same rule the action applies).
		canSetReportDay: await mayManageProjectItem(db, user, committee.id),
		filter,
		years,
		dashboard,
		charts: dashboardCharts(dashboard, locals.locale)
	};
};

export const actions: Actions = {
	reportDay: async ({ params, locals, url, request }) => {
		const user = requireUser(locals, url);
		const raw = String((await request.formData()).get('reportDay') ?? '');
		const day = /^\d{1,2}$/.test(raw) ? Number(raw) : NaN;
		try {
			await setReportDay(await getDb(), user, params.id, day);
			return { reportDaySaved: day };
		} catch (err) {
			if (err instanceof ProjectItemError) return fail(err.key === 'project.error.notAllowed' ? 403 : 400, { reportDayError: err.key });
			throw err;
		}
	}
};
