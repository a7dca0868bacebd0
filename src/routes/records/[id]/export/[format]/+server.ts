import { error } from '@sveltejs/kit';
import { attachmentDisposition } from '$lib/server/boardSpreadsheet';
import { getDb } from '$lib/server/db';
import { requireUser } from '$lib/server/guard';
import { readableRecord } from '$lib/server/record';
import { isRecordFormat, renderRecord } from '$lib/server/recordExport';
import type { RequestHandler } from './$types';

/** The record as .docx, .pdf or .md, for whoever may read the finalized minutes. */
export const GET: RequestHandler = async ({ params, locals, url }) => {
	const user = requireUser(locals, url);
	if (!isRecordFormat(params.format)) error(404, { message: 'not-found', code: 'not_found' });
	const db = await getDb();
	const record = await readableRecord(db, user, params.id);
	if (!record) error(404, { message: 'not-found', code: 'not_found' });
	const file = await renderRecord(record, params.format);
	return new Response(new Uint8Array(file.bytes), {
		headers: {
			'content-type': file.contentType,
			'content-disposition': attachmentDisposition(file.asciiName, file.fileName),
			'cache-control': 'private, no-store',
			'x-content-type-options': 'nosniff'
		}
	});
};
