import { error } from '@sveltejs/kit';
import { getDb } from '$lib/server/db';
import { layoutRecord } from '$lib/server/export/recordBlocks';
import { requireUser } from '$lib/server/guard';
import { readableRecord, recordsOfMeeting, verifyRecord } from '$lib/server/record';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ params, locals, url }) => {
	const user = requireUser(locals, url);
	const db = await getDb();
	const record = await readableRecord(db, user, params.id);
	if (!record) error(404, { message: 'not-found', code: 'not_found' });
	const [verify, versions] = await Promise.all([verifyRecord(db, record.id), record.meetingId ? recordsOfMeeting(db, record.meetingId) : Promise.resolve([])]);
	return {
		record: {
			id: record.id,
			committeeId: record.committeeId,
			committeeName: record.committeeName,
			meetingId: record.meetingId,
			label: record.label,
			version: record.version,
			title: record.title,
			sha256: record.sha256,
			superseded: record.superseded,
			finalizedBy: record.body.finalizedBy,
			finalizedAt: record.finalizedAt.toISOString()
		},
		valid: verify?.valid ?? false,
		// Rendered from the frozen body, as the exports are; the live document plays no part.
		layout: layoutRecord(record.body, record.sha256),
		versions: versions.map((v) => ({ id: v.id, version: v.version, finalizedAt: v.finalizedAt.toISOString(), superseded: v.superseded }))
	};
};
