import { error } from '@sveltejs/kit';
import { chinaToday } from '$lib/domain/projectStatus';
import { attachmentDisposition, fileNamePart, XLSX_CONTENT_TYPE } from '$lib/server/boardSpreadsheet';
import { loadDashboard } from '$lib/server/dashboard';
import { exportDashboardTable, isDashboardTable } from '$lib/server/dashboardExport';
import { parseDashboardFilter } from '$lib/server/dashboardView';
import { getDb } from '$lib/server/db';
import { requireUser } from '$lib/server/guard';
import { visibleCommittee } from '$lib/server/visibility';
import type { RequestHandler } from './$types';

/** One table of the committee's dashboard, with the page's filter, as .xlsx. */
export const GET: RequestHandler = async ({ params, locals, url }) => {
	const user = requireUser(locals, url);
	const table = url.searchParams.get('table') ?? '';
	if (!isDashboardTable(table) || table === 'committees') error(404, { message: 'not-found', code: 'not_found' });
	const db = await getDb();
	const committee = await visibleCommittee(db, user, params.id);
	if (!committee) error(404, { message: 'not-found', code: 'not_found' });
	const today = chinaToday();
	const filter = parseDashboardFilter(url, Number(today.slice(0, 4)));
	const dashboard = await loadDashboard(db, [committee.id], filter, today);
	const file = await exportDashboardTable(table, dashboard, filter, fileNamePart(committee.name), false);
	return new Response(new Uint8Array(file.bytes), {
		headers: { 'content-type': XLSX_CONTENT_TYPE, 'content-disposition': attachmentDisposition(file.asciiName, file.fileName), 'cache-control': 'private, no-store' }
	});
};
