import { error } from '@sveltejs/kit';
import { getDb } from '$lib/server/db';
import { requireUser } from '$lib/server/guard';
import { attachment } from '$lib/server/progressReport';
import { ProjectItemError } from '$lib/server/projectItem';
import type { RequestHandler } from './$types';

/** `filename*` carries the real (often Chinese) name; the plain `filename` is an ASCII stand-in for old clients. */
function disposition(filename: string): string {
	const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
	return `inline; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

/**
 * A report attachment, only for someone who may read its item (the same 404 for "absent" and
 * "not yours"). Inline, because WeChat's browser shows images and PDFs but often cannot save a
 * download; the page's link asks for a download where the browser can. The types are limited
 * to images and PDF by their content (progressReport.ts), and nosniff keeps it that way.
 */
export const GET: RequestHandler = async ({ params, locals, url, request }) => {
	const user = requireUser(locals, url);
	let file;
	try {
		file = await attachment(await getDb(), user, params.attachmentId, params.id);
	} catch (err) {
		if (err instanceof ProjectItemError) error(404, { message: 'not-found', code: 'not_found' });
		throw err;
	}
	const etag = `"${file.sha256}"`;
	const headers = {
		'content-type': file.mimeType,
		'content-disposition': disposition(file.filename),
		// Only this person's browser may keep it; it asks again (a cheap 304) before reusing it.
		'cache-control': 'private, no-cache',
		etag,
		'x-content-type-options': 'nosniff'
	};
	if (request.headers.get('if-none-match') === etag) return new Response(null, { status: 304, headers });
	return new Response(new Uint8Array(file.data), { headers: { ...headers, 'content-length': String(file.data.byteLength) } });
};
