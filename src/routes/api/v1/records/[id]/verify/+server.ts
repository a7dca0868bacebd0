import { json } from '@sveltejs/kit';
import { apiError, apiHandler, requireApiUser } from '$lib/server/api';
import { getDb } from '$lib/server/db';
import { readableRecord, verifyRecord } from '$lib/server/record';
import type { RequestHandler } from './$types';

/** Recomputes the record's SHA-256 from what is stored now: `{"valid": true|false}`. */
export const GET: RequestHandler = apiHandler(async ({ locals, params }) => {
	const user = requireApiUser(locals);
	const db = await getDb();
	const record = await readableRecord(db, user, params.id);
	if (!record) return apiError(404, 'not_found', 'No such record, or you may not read it.');
	const result = (await verifyRecord(db, record.id))!;
	return json({ valid: result.valid, sha256: result.sha256, computed: result.computed });
});
