import { json } from '@sveltejs/kit';
import { canManageMeetings } from '$lib/domain/roles';
import { translateLoose } from '$lib/i18n';
import { apiError, apiHandler, readJsonObject, requireApiUser } from '$lib/server/api';
import { AttendanceError, attendanceView, setAttendance } from '$lib/server/attendance';
import { getDb } from '$lib/server/db';
import { getMeeting } from '$lib/server/meeting';
import { visibleCommittee } from '$lib/server/visibility';
import type { RequestHandler } from './$types';

/** The meeting and the caller's seat, or the 404 an outsider gets (the meeting's existence is not theirs to learn). */
async function meetingFor(locals: App.Locals, id: string) {
	const user = requireApiUser(locals);
	const db = await getDb();
	const meeting = await getMeeting(db, id);
	const committee = meeting ? await visibleCommittee(db, user, meeting.committeeId) : null;
	if (!meeting || !committee) return { found: false as const };
	return { found: true as const, user, db, meeting, role: committee.role };
}

const NOT_FOUND = 'No such meeting, or you are not a member of its committee.';

export const GET: RequestHandler = apiHandler(async ({ locals, params }) => {
	const ctx = await meetingFor(locals, params.id);
	if (!ctx.found) return apiError(404, 'not_found', NOT_FOUND);
	return json(await attendanceView(ctx.db, ctx.meeting.id));
});

export const PUT: RequestHandler = apiHandler(async ({ locals, params, request }) => {
	const ctx = await meetingFor(locals, params.id);
	if (!ctx.found) return apiError(404, 'not_found', NOT_FOUND);
	if (!canManageMeetings(ctx.role, ctx.user.isAdmin)) {
		return apiError(403, 'forbidden', 'Only the convener, the recorder or an administrator can record attendance.');
	}
	const body = await readJsonObject(request);
	const problems: string[] = [];
	const field = (name: string, required: boolean): string | undefined => {
		const value = body[name];
		if (value === undefined || value === null) {
			if (required) problems.push(`${name} is required`);
			return undefined;
		}
		if (typeof value !== 'string') {
			problems.push(`${name} must be a string`);
			return undefined;
		}
		return value;
	};
	const userId = field('userId', true);
	const status = field('status', true);
	const reason = field('reason', false);
	const delegateId = field('delegateId', false);
	if (problems.length > 0 || userId === undefined || status === undefined) {
		return apiError(400, 'invalid_body', `${problems.join('; ')}. Send {"userId", "status": "present"|"remote"|"absent"|"delegated", "reason" (when absent), "delegateId" (when delegated)}.`);
	}
	try {
		await setAttendance(ctx.db, { meetingId: ctx.meeting.id, userId, status, reason, delegateId, actorId: ctx.user.id });
	} catch (err) {
		if (!(err instanceof AttendanceError)) throw err;
		const message = translateLoose('en', err.key, err.params);
		if (err.key === 'attendance.frozen') return apiError(409, 'meeting_finalized', message, { key: err.key });
		return apiError(400, 'invalid_attendance', message, { key: err.key });
	}
	const view = await attendanceView(ctx.db, ctx.meeting.id);
	return json({ entry: view.entries.find((e) => e.userId === userId) ?? null, summary: view.summary });
});
