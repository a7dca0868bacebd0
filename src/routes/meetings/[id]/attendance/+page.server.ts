import { error, fail, redirect } from '@sveltejs/kit';
import { canManageMeetings } from '$lib/domain/roles';
import { AttendanceError, canSetQuorum, markUnrecordedPresent, setAttendance, setQuorumPercent } from '$lib/server/attendance';
import { roleOf } from '$lib/server/committee';
import { getDb } from '$lib/server/db';
import { requireUser } from '$lib/server/guard';
import { getMeeting } from '$lib/server/meeting';
import type { Actions, PageServerLoad } from './$types';

/*
 * Attendance is edited inside the meeting page (AttendancePanel); this route only holds the
 * form actions it posts to, so there is nothing to show here.
 */
export const load: PageServerLoad = ({ params }) => {
	redirect(303, `/meetings/${params.id}`);
};

function text(form: FormData, name: string): string {
	const value = form.get(name);
	return typeof value === 'string' ? value : '';
}

async function context(params: { id: string }, locals: App.Locals, url: URL) {
	const user = requireUser(locals, url);
	const db = await getDb();
	const meeting = await getMeeting(db, params.id);
	if (!meeting) error(404, { message: 'not-found', code: 'not_found' });
	const role = await roleOf(db, user.id, meeting.committeeId);
	return { user, db, meeting, role };
}

/** A refusal of the attendance module becomes a 400 the panel shows next to the row it concerns. */
function refused(err: unknown, action: string, userId: string | null) {
	if (err instanceof AttendanceError) return fail(400, { action, userId, error: { key: err.key, params: err.params } });
	throw err;
}

export const actions: Actions = {
	set: async ({ params, locals, url, request }) => {
		const { user, db, meeting, role } = await context(params, locals, url);
		const form = await request.formData();
		const userId = text(form, 'userId');
		if (!canManageMeetings(role, user.isAdmin)) return fail(403, { action: 'set', userId, error: { key: 'attendance.notAllowed', params: {} } });
		try {
			const changed = await setAttendance(db, {
				meetingId: meeting.id,
				userId,
				status: text(form, 'status'),
				reason: text(form, 'reason'),
				delegateId: text(form, 'delegateId'),
				actorId: user.id
			});
			return { action: 'set', userId, changed };
		} catch (err) {
			return refused(err, 'set', userId);
		}
	},

	bulk: async ({ params, locals, url }) => {
		const { user, db, meeting, role } = await context(params, locals, url);
		if (!canManageMeetings(role, user.isAdmin)) return fail(403, { action: 'bulk', userId: null, error: { key: 'attendance.notAllowed', params: {} } });
		try {
			return { action: 'bulk', userId: null, count: await markUnrecordedPresent(db, meeting.id, user.id) };
		} catch (err) {
			return refused(err, 'bulk', null);
		}
	},

	quorum: async ({ params, locals, url, request }) => {
		const { user, db, meeting, role } = await context(params, locals, url);
		if (!canSetQuorum(role, user.isAdmin)) return fail(403, { action: 'quorum', userId: null, error: { key: 'attendance.quorumNotAllowed', params: {} } });
		const raw = text(await request.formData(), 'quorumPercent').trim();
		// An empty or non-numeric field is refused by setQuorumPercent's own whole-number check.
		const percent = raw === '' ? Number.NaN : Number(raw);
		try {
			return { action: 'quorum', userId: null, changed: await setQuorumPercent(db, meeting.committeeId, percent, user.id) };
		} catch (err) {
			return refused(err, 'quorum', null);
		}
	}
};
