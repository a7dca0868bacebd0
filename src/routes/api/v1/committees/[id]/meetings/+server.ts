import { json } from '@sveltejs/kit';
import { canManageMeetings } from '$lib/domain/roles';
import { apiError, apiHandler, readJsonObject, requireApiUser } from '$lib/server/api';
import { meetingJson } from '$lib/server/apiViews';
import { getDb } from '$lib/server/db';
import { createMeeting, listMeetings, MeetingValidationError } from '$lib/server/meeting';
import { visibleCommittee } from '$lib/server/visibility';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = apiHandler(async ({ locals, params, url }) => {
	const user = requireApiUser(locals);
	const db = await getDb();
	const committee = await visibleCommittee(db, user, params.id);
	if (!committee) return apiError(404, 'not_found', 'No such committee, or you are not a member of it.');
	const pageParam = url.searchParams.get('page');
	const page = pageParam === null ? 1 : Number(pageParam);
	if (!Number.isInteger(page) || page < 1) return apiError(400, 'invalid_page', 'page must be a whole number from 1.');
	const sizeParam = url.searchParams.get('pageSize');
	const pageSize = sizeParam === null ? 20 : Number(sizeParam);
	if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) return apiError(400, 'invalid_page_size', 'pageSize must be a whole number from 1 to 100.');
	const { items, total } = await listMeetings(db, committee.id, page, pageSize);
	return json({ items: items.map(meetingJson), page, pageSize, total });
});

export const POST: RequestHandler = apiHandler(async ({ locals, params, request }) => {
	const user = requireApiUser(locals);
	const db = await getDb();
	const committee = await visibleCommittee(db, user, params.id);
	if (!committee) return apiError(404, 'not_found', 'No such committee, or you are not a member of it.');
	if (!canManageMeetings(committee.role, user.isAdmin)) {
		return apiError(403, 'forbidden', 'Only the convener, the recorder or an administrator can schedule meetings.');
	}
	const body = await readJsonObject(request);
	const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
	try {
		const meeting = await createMeeting(
			db,
			committee.id,
			{ title: text(body.title) ?? '', kind: text(body.kind) ?? '', startsAt: text(body.startsAt) ?? '', place: text(body.place), onlineLink: text(body.onlineLink) },
			user.id
		);
		return json(meetingJson(meeting), { status: 201, headers: { Location: `/api/v1/meetings/${meeting.id}` } });
	} catch (err) {
		if (err instanceof MeetingValidationError) {
			const fields = Object.keys(err.fields).join(', ');
			return apiError(400, 'invalid_meeting', `Invalid fields: ${fields}. title is required (≤ 200 characters), kind is "regular" or "special", startsAt is an ISO 8601 date-time with offset, onlineLink is an http(s) URL.`, { fields: err.fields });
		}
		throw err;
	}
});
