import { json } from '@sveltejs/kit';
import { apiError, apiHandler, requireApiUser } from '$lib/server/api';
import { getDb } from '$lib/server/db';
import { readableRecord } from '$lib/server/record';
import type { RequestHandler } from './$types';

/** One record as frozen: its number, hash and the whole body that the hash covers. */
export const GET: RequestHandler = apiHandler(async ({ locals, params }) => {
	const user = requireApiUser(locals);
	const record = await readableRecord(await getDb(), user, params.id);
	if (!record) return apiError(404, 'not_found', 'No such record, or you may not read it.');
	return json({
		id: record.id,
		committeeId: record.committeeId,
		committeeName: record.committeeName,
		meetingId: record.meetingId,
		number: record.label,
		year: record.year,
		seq: record.seq,
		version: record.version,
		superseded: record.superseded,
		title: record.title,
		finalizedAt: record.finalizedAt.toISOString(),
		sha256: record.sha256,
		body: record.body
	});
});
