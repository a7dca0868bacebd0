import { error } from '@sveltejs/kit';
import { attachmentDisposition } from '$lib/server/boardSpreadsheet';
import { getDb } from '$lib/server/db';
import { requireUser } from '$lib/server/guard';
import { yearBundle } from '$lib/server/recordExport';
import { visibleCommittee } from '$lib/server/visibility';
import type { RequestHandler } from './$types';

/** A committee's records of one year as one .zip, streamed. */
export const GET: RequestHandler = async ({ params, locals, url }) => {
	const user = requireUser(locals, url);
	const year = Number(params.year);
	if (!/^\d{4}$/.test(params.year) || year < 2000 || year > 2100) error(404, { message: 'not-found', code: 'not_found' });
	const db = await getDb();
	const committee = await visibleCommittee(db, user, params.id);
	if (!committee) error(404, { message: 'not-found', code: 'not_found' });
	const bundle = await yearBundle(db, committee, year);
	if (bundle.count === 0) error(404, { message: 'not-found', code: 'not_found' });
	return new Response(bundle.stream, {
		headers: {
			'content-type': 'application/zip',
			'content-disposition': attachmentDisposition(bundle.asciiName, bundle.fileName),
			'cache-control': 'private, no-store'
		}
	});
};
