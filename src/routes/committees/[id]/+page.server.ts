import { error, fail, redirect } from '@sveltejs/kit';
import { canManageMeetings } from '$lib/domain/roles';
import { listMembers } from '$lib/server/committee';
import { observersMayComment, setObserversMayComment } from '$lib/server/committeeSettings';
import { getDb } from '$lib/server/db';
import { requireUser } from '$lib/server/guard';
import { createMeeting, listMeetings, MEETINGS_PAGE_SIZE, MeetingValidationError } from '$lib/server/meeting';
import { visibleCommittee } from '$lib/server/visibility';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ params, locals, url }) => {
	const user = requireUser(locals, url);
	const db = await getDb();
	const committee = await visibleCommittee(db, user, params.id);
	if (!committee) error(404, { message: 'not-found', code: 'not_found' });
	const page = Math.max(1, Number(url.searchParams.get('page')) || 1);
	const [meetings, members] = await Promise.all([listMeetings(db, committee.id, page), listMembers(db, committee.id)]);
	return {
		committee: { id: committee.id, name: committee.name, kind: committee.kind, streetName: committee.streetName, communityName: committee.communityName },
		role: committee.role,
		canSchedule: canManageMeetings(committee.role, user.isAdmin),
		meetings: meetings.items.map((m) => ({ id: m.id, title: m.title, kind: m.kind, state: m.state, startsAt: m.startsAt.toISOString(), place: m.place })),
		page,
		pages: Math.max(1, Math.ceil(meetings.total / MEETINGS_PAGE_SIZE)),
		total: meetings.total,
		members: members.map((m) => ({ userId: m.userId, displayName: m.displayName, role: m.role, unitName: m.unitName })),
		// A committee policy: the convener (or an administrator) decides it.
		canSetPolicy: user.isAdmin || committee.role === 'convener',
		observersComment: await observersMayComment(db, committee.id)
	};
};

export const actions: Actions = {
	observersComment: async ({ params, locals, url, request }) => {
		const user = requireUser(locals, url);
		const db = await getDb();
		const committee = await visibleCommittee(db, user, params.id);
		if (!committee) error(404, { message: 'not-found', code: 'not_found' });
		if (!(user.isAdmin || committee.role === 'convener')) return fail(403, { policyError: 'committee.policy.notAllowed' });
		const allowed = (await request.formData()).get('allowed') === 'on';
		await setObserversMayComment(db, user.id, committee.id, allowed);
		return { policySaved: true };
	},
	schedule: async ({ params, locals, url, request }) => {
		const user = requireUser(locals, url);
		const db = await getDb();
		const committee = await visibleCommittee(db, user, params.id);
		if (!committee) error(404, { message: 'not-found', code: 'not_found' });
		const form = await request.formData();
		const input = {
			title: String(form.get('title') ?? ''),
			kind: String(form.get('kind') ?? ''),
			startsAt: String(form.get('startsAt') ?? ''),
			place: String(form.get('place') ?? ''),
			onlineLink: String(form.get('onlineLink') ?? '')
		};
		if (!canManageMeetings(committee.role, user.isAdmin)) return fail(403, { input, errors: { form: 'meeting.error.notAllowed' } });
		let id: string;
		try {
			id = (await createMeeting(db, committee.id, input, user.id)).id;
		} catch (err) {
			if (err instanceof MeetingValidationError) return fail(400, { input, errors: err.fields as Record<string, string> });
			throw err;
		}
		redirect(303, `/meetings/${id}`);
	}
};
