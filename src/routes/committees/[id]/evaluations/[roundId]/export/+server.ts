import { error } from '@sveltejs/kit';
import { attachmentDisposition, fileNamePart, XLSX_CONTENT_TYPE } from '$lib/server/boardSpreadsheet';
import { getDb } from '$lib/server/db';
import { evaluationResults } from '$lib/server/evaluation';
import { exportResults } from '$lib/server/evaluationExport';
import { requireUser } from '$lib/server/guard';
import { visibleCommittee } from '$lib/server/visibility';
import type { RequestHandler } from './$types';

/** The round's results as .xlsx, for whoever may see the committee (as the results page). */
export const GET: RequestHandler = async ({ params, locals, url }) => {
	const user = requireUser(locals, url);
	const db = await getDb();
	const committee = await visibleCommittee(db, user, params.id);
	if (!committee) error(404, { message: 'not-found', code: 'not_found' });
	const results = await evaluationResults(db, params.roundId);
	if (!results || results.round.committeeId !== committee.id) error(404, { message: 'not-found', code: 'not_found' });
	const file = await exportResults(results, fileNamePart(committee.name));
	return new Response(new Uint8Array(file.bytes), {
		headers: { 'content-type': XLSX_CONTENT_TYPE, 'content-disposition': attachmentDisposition(file.asciiName, file.fileName), 'cache-control': 'private, no-store' }
	});
};
