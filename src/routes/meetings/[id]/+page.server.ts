import { error } from '@sveltejs/kit';
import { atLeast } from '$lib/domain/permissions';
import { agendaDocName } from '$lib/docs/agenda';
import { getDb } from '$lib/server/db';
import { resolveDocAccess } from '$lib/server/docAccess';
import { requireUser } from '$lib/server/guard';
import { getMeeting } from '$lib/server/meeting';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ params, locals, url }) => {
	const user = requireUser(locals, url);
	const db = await getDb();
	const meeting = await getMeeting(db, params.id);
	if (!meeting) error(404, { message: 'not-found', code: 'not_found' });
	const access = await resolveDocAccess(db, user, { kind: 'agenda', meetingId: meeting.id });
	if (!access.found || access.access === 'none') error(403, { message: 'forbidden', code: 'forbidden' });
	return {
		meeting: { ...meeting, startsAt: meeting.startsAt.toISOString(), createdAt: meeting.createdAt.toISOString() },
		agendaDoc: agendaDocName(meeting.id),
		canEditAgenda: atLeast(access.access, 'write'),
		role: access.role,
		me: { id: user.id, name: user.displayName }
	};
};
