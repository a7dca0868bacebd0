import { apiHandler, requireApiUser } from '$lib/server/api';
import { getDb } from '$lib/server/db';
import { attachment } from '$lib/server/progressReport';
import { withProjectErrors } from '$lib/server/projectApi';
import type { RequestHandler } from './$types';

/** A report attachment's bytes, for members of the item's committee (and administrators). */
export const GET: RequestHandler = apiHandler(async ({ locals, params }) => {
	const user = requireApiUser(locals);
	const db = await getDb();
	return withProjectErrors(async () => {
		const file = await attachment(db, user, params.id);
		// Stored types are only ever sniffed PNG/JPEG/WebP/PDF; nosniff and a sandbox CSP keep a crafted PDF or image inert.
		return new Response(file.data.slice(), {
			headers: {
				'content-type': file.mimeType,
				'content-length': String(file.size),
				'content-disposition': `inline; filename*=UTF-8''${encodeURIComponent(file.filename)}`,
				'x-content-type-options': 'nosniff',
				'content-security-policy': "sandbox; default-src 'none'",
				'cache-control': 'private, max-age=3600',
				etag: `"${file.sha256}"`
			}
		});
	});
});
