import { json } from '@sveltejs/kit';
import { apiHandler, requireApiUser } from '$lib/server/api';
import { loadArchive, parseArchiveQuery } from '$lib/server/archivePage';
import { getDb } from '$lib/server/db';
import type { RequestHandler } from './$types';

/** The archive the caller may read: `?q=&year=&committee=&street=&versions=all&page=`. */
export const GET: RequestHandler = apiHandler(async ({ locals, url }) => {
	const user = requireApiUser(locals);
	const { result } = await loadArchive(await getDb(), user, parseArchiveQuery(url));
	return json({
		items: result.items.map((r) => ({
			id: r.id,
			committeeId: r.committeeId,
			committeeName: r.committeeName,
			meetingId: r.meetingId,
			number: r.label,
			year: r.year,
			seq: r.seq,
			version: r.version,
			superseded: r.superseded,
			title: r.title,
			finalizedAt: r.finalizedAt,
			sha256: r.sha256,
			...(r.snippet ? { snippet: r.snippet } : {}),
			exports: { docx: `/records/${r.id}/export/docx`, pdf: `/records/${r.id}/export/pdf`, md: `/records/${r.id}/export/md` }
		})),
		total: result.total,
		page: result.page,
		pageCount: result.pageCount
	});
});
