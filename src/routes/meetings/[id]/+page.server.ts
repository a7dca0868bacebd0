import { recordsOfMeeting } from '$lib/server/record';
import { error, fail } from '@sveltejs/kit';
import { atLeast } from '$lib/domain/permissions';
import { canManageMeetings } from '$lib/domain/roles';
import { agendaDocName } from '$lib/docs/agenda';
import { minutesDocName } from '$lib/docs/minutes';
import { attendanceView, canSetQuorum } from '$lib/server/attendance';
import { memberUnits } from '$lib/server/committee';
import { getDb } from '$lib/server/db';
import { resolveDocAccess } from '$lib/server/docAccess';
import { requireUser } from '$lib/server/guard';
import { getMeeting } from '$lib/server/meeting';
import { visibleMeeting } from '$lib/server/visibility';
import { allowedTransitions, isTransition, LifecycleError, transitionMeeting } from '$lib/server/meetingLifecycle';
import { latestFinalization } from '$lib/server/minutes';
import { projectItemsOfMeeting } from '$lib/server/projectItem';
import { proposalsForLinking } from '$lib/server/proposal';
import { carryOverSuggestions } from '$lib/server/carryOver';
import { chinaToday } from '$lib/domain/projectStatus';
import { PROJECTS_DEPENDENCY } from '$lib/collab/dependencies';
import { loadParticipation, participationActions } from './participation.server';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ params, locals, url, depends }) => {
	// The decision chips show the items' status: refreshed when an item changes (watchProjects).
	depends(PROJECTS_DEPENDENCY);
	const user = requireUser(locals, url);
	const db = await getDb();
	const meeting = await getMeeting(db, params.id);
	if (!meeting) error(404, { message: 'not-found', code: 'not_found' });
	const agenda = await resolveDocAccess(db, user, { kind: 'agenda', meetingId: meeting.id });
	// Another committee's meeting is, to this person, no meeting at all (guard.ts).
	if (!agenda.found || agenda.access === 'none') error(404, { message: 'not-found', code: 'not_found' });
	const minutes = await resolveDocAccess(db, user, { kind: 'minutes', meetingId: meeting.id });
	const [attendance, units, items, finalization, proposals, recordVersions] = await Promise.all([
		attendanceView(db, meeting.id),
		memberUnits(db, meeting.committeeId),
		projectItemsOfMeeting(db, meeting.id),
		latestFinalization(db, meeting.id),
		proposalsForLinking(db, meeting.committeeId),
		recordsOfMeeting(db, meeting.id)
	]);
	const record = recordVersions[0];
	// Offered while the agenda is being prepared or the meeting runs, to those who edit it.
	const carryOver =
		atLeast(agenda.access, 'write') && (meeting.state === 'scheduled' || meeting.state === 'in_progress')
			? await carryOverSuggestions(db, { committeeId: meeting.committeeId, meetingId: meeting.id, meetingDay: chinaToday(meeting.startsAt), today: chinaToday(), onAgenda: new Set() })
			: [];
	return {
		meeting: { ...meeting, startsAt: meeting.startsAt.toISOString(), createdAt: meeting.createdAt.toISOString() },
		agendaDoc: agendaDocName(meeting.id),
		minutesDoc: minutesDocName(meeting.id),
		canEditAgenda: atLeast(agenda.access, 'write'),
		canEditMinutes: minutes.found && atLeast(minutes.access, 'write'),
		role: agenda.role,
		transitions: allowedTransitions(meeting.state, agenda.role, user.isAdmin),
		attendance,
		canEditAttendance: canManageMeetings(agenda.role, user.isAdmin),
		canSetQuorum: canSetQuorum(agenda.role, user.isAdmin),
		units,
		proposals: proposals.map((p) => ({ id: p.id, title: p.title, unitIds: p.unitIds, dueDate: p.dueDate })),
		carryOver,
		proposalLinks: Object.fromEntries(proposals.map((p) => [p.id, { title: p.title, href: `/committees/${meeting.committeeId}/board/${p.year}?tab=proposals` }])),
		items: items.map((i) => ({ id: i.id, blockId: i.sourceBlockId, title: i.title, status: i.displayStatus, dueDate: i.dueDate, units: i.units.map((u) => u.name) })),
		finalization: finalization ? { version: finalization.version, sha256: finalization.sha256, finalizedAt: finalization.finalizedAt.toISOString() } : null,
		record: record ? { id: record.id, label: record.label, version: record.version } : null,
		me: { id: user.id, name: user.displayName },
		participation: await loadParticipation(db, user, meeting)
	};
};

export const actions: Actions = {
	transition: async ({ params, locals, url, request }) => {
		const user = requireUser(locals, url);
		const form = await request.formData();
		const transition = String(form.get('transition') ?? '');
		const reason = String(form.get('reason') ?? '');
		const override = String(form.get('override') ?? '');
		const db = await getDb();
		if (!(await visibleMeeting(db, user, params.id))) return fail(404, { lifecycleError: 'lifecycle.notFound', problems: [] });
		if (!isTransition(transition)) return fail(400, { lifecycleError: 'lifecycle.wrongState', problems: [] });
		try {
			const result = await transitionMeeting(db, { meetingId: params.id, transition, actor: user, reason, override });
			return { transitioned: transition, version: result.finalization?.version ?? null, decisions: result.finalization?.decisions ?? 0 };
		} catch (err) {
			if (err instanceof LifecycleError) {
				const status = err.key === 'lifecycle.notAllowed' ? 403 : err.key === 'lifecycle.notFound' ? 404 : 400;
				return fail(status, {
					lifecycleError: err.key,
					reason,
					override,
					problems: err.problems.map((p) => ({ key: p.key, position: p.position, excerpt: p.excerpt, blockId: p.blockId })),
					unconfirmed: err.unconfirmed
				});
			}
			throw err;
		}
	},
	...participationActions
};
