import { json } from '@sveltejs/kit';
import { readAgenda, agendaDocName } from '$lib/docs/agenda';
import * as Y from 'yjs';
import { apiError, apiHandler, requireApiUser } from '$lib/server/api';
import { meetingJson } from '$lib/server/apiViews';
import { getDb } from '$lib/server/db';
import { resolveDocAccess } from '$lib/server/docAccess';
import { DocStore } from '$lib/server/docStore';
import { getMeeting } from '$lib/server/meeting';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = apiHandler(async ({ locals, params }) => {
	const user = requireApiUser(locals);
	const db = await getDb();
	const meeting = await getMeeting(db, params.id);
	if (!meeting) return apiError(404, 'not_found', 'No such meeting.');
	const access = await resolveDocAccess(db, user, { kind: 'agenda', meetingId: meeting.id });
	if (!access.found || access.access === 'none') return apiError(404, 'not_found', 'No such meeting, or you are not a member of its committee.');
	// Read the stored agenda on a scratch document; the live one belongs to the collaboration server.
	const scratch = new Y.Doc();
	try {
		await new DocStore(db).loadInto(agendaDocName(meeting.id), scratch, null);
		const agenda = readAgenda(scratch).map((i) => ({ id: i.id, title: i.title, presenter: i.presenter, durationMinutes: i.durationMinutes, notes: i.notes }));
		return json({ ...meetingJson(meeting), committeeName: meeting.committeeName, agenda });
	} finally {
		scratch.destroy();
	}
});
