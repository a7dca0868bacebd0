import { error } from '@sveltejs/kit';
import { chinaToday } from '$lib/domain/projectStatus';
import { attachmentDisposition, XLSX_CONTENT_TYPE } from '$lib/server/boardSpreadsheet';
import { loadDashboard } from '$lib/server/dashboard';
import { exportDashboardTable, isDashboardTable } from '$lib/server/dashboardExport';
import { parseDashboardFilter } from '$lib/server/dashboardView';
import { getDb } from '$lib/server/db';
import { requireAdmin } from '$lib/server/guard';
import type { RequestHandler } from './$types';

/** One table of the district dashboard, with the page's filter, as .xlsx. */
export const GET: RequestHandler = async ({ locals, url }) => {
	requireAdmin(locals, url);
	const table = url.searchParams.get('table') ?? '';
	if (!isDashboardTable(table)) error(404, { message: 'not-found', code: 'not_found' });
	const today = chinaToday();
	const filter = parseDashboardFilter(url, Number(today.slice(0, 4)));
	const dashboard = await loadDashboard(await getDb(), 'all', filter, today);
	const file = await exportDashboardTable(table, dashboard, filter, '全区', true);
	return new Response(new Uint8Array(file.bytes), {
		headers: { 'content-type': XLSX_CONTENT_TYPE, 'content-disposition': attachmentDisposition(file.asciiName, file.fileName), 'cache-control': 'private, no-store' }
	});
};
