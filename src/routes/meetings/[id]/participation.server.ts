import { fail, type RequestEvent } from '@sveltejs/kit';
import { agendaDocName, readAgenda } from '$lib/docs/agenda';
import { membershipOf } from '$lib/server/committee';
import { answer, confirmationStatus, ConfirmationError, partyOfUser } from '$lib/server/confirmation';
import { getDb, type DbOrTx } from '$lib/server/db';
import type { MeetingState } from '$lib/server/db/schema';
import { requireUser } from '$lib/server/guard';
import { readDocument } from '$lib/server/liveEdit';
import { addOpinion, deleteOpinion, editOpinion, meetingOfOpinion, opinionsOfMeeting, OpinionError } from '$lib/server/opinion';
import { visibleMeeting } from '$lib/server/visibility';

/*
 * Written opinions and confirmations on the meeting page, kept apart from +page.server.ts so the
 * page's own load and actions stay readable: what the two panels need, and their form actions.
 */

export async function loadParticipation(db: DbOrTx, user: { id: string }, meeting: { id: string; committeeId: string; state: MeetingState }) {
	const [items, byItem, seat, party] = await Promise.all([
		readDocument(db, agendaDocName(meeting.id), (doc) => readAgenda(doc).map((i) => ({ id: i.id, title: i.title }))),
		opinionsOfMeeting(db, meeting.id),
		membershipOf(db, user.id, meeting.committeeId),
		partyOfUser(db, user.id, meeting.committeeId)
	]);
	// The record of who confirmed is shown from review on; before that there is nothing to confirm.
	const showConfirmation = meeting.state === 'review' || meeting.state === 'finalized';
	const view = showConfirmation ? await confirmationStatus(db, meeting.id) : null;
	return {
		opinions: {
			items,
			byItem: Object.fromEntries(
				Object.entries(byItem).map(([itemId, list]) => [
					itemId,
					list.map((o) => ({ ...o, mine: o.authorId === user.id, createdAt: o.createdAt.toISOString(), updatedAt: o.updatedAt.toISOString() }))
				])
			),
			canWrite: seat !== null && seat.role !== 'observer' && meeting.state !== 'finalized',
			frozen: meeting.state === 'finalized',
			// Observers never write, so the unit a person answers for is the one they may write for.
			myUnit: party?.kind === 'unit' ? { id: party.id, name: party.name } : null
		},
		confirmation: view
			? {
					round: view.round,
					summary: view.summary,
					allConfirmed: view.allConfirmed,
					parties: view.parties.map((p) => ({ ...p, answeredAt: p.answeredAt?.toISOString() ?? null })),
					myParty: party,
					canAnswer: party !== null && meeting.state === 'review'
				}
			: null
	};
}

/*
 * The domain refuses anyone without a seat with notAllowed; someone who may not even see the
 * meeting (another committee's, or an opinion given there) is answered 404 first, as an unknown
 * id would be (guard.ts).
 */
async function hiddenMeeting(db: DbOrTx, user: { id: string; isAdmin: boolean }, meetingId: string | null): Promise<boolean> {
	return meetingId !== null && !(await visibleMeeting(db, user, meetingId));
}

function opinionFailure(err: unknown, extra: Record<string, string>) {
	if (err instanceof OpinionError) return fail(err.key === 'opinion.notFound' ? 404 : err.key === 'opinion.notAllowed' ? 403 : 400, { opinionError: err.key, params: err.params, ...extra });
	throw err;
}

export const participationActions = {
	opinionAdd: async ({ params, locals, url, request }: RequestEvent<{ id: string }>) => {
		const user = requireUser(locals, url);
		const form = await request.formData();
		const agendaItemId = String(form.get('agendaItemId') ?? '');
		const body = String(form.get('body') ?? '');
		const db = await getDb();
		if (await hiddenMeeting(db, user, params.id)) return fail(404, { opinionError: 'opinion.notFound' as const, params: {}, agendaItemId, body });
		try {
			await addOpinion(db, user, params.id, { agendaItemId, body, inUnitName: form.get('inName') === 'unit' });
			return { opinionDone: 'saved' as const };
		} catch (err) {
			return opinionFailure(err, { agendaItemId, body });
		}
	},
	opinionEdit: async ({ locals, url, request }: RequestEvent<{ id: string }>) => {
		const user = requireUser(locals, url);
		const form = await request.formData();
		const id = String(form.get('id') ?? '');
		const body = String(form.get('body') ?? '');
		const db = await getDb();
		if (await hiddenMeeting(db, user, await meetingOfOpinion(db, id))) return fail(404, { opinionError: 'opinion.notFound' as const, params: {}, editing: id, body });
		try {
			await editOpinion(db, user, id, { body });
			return { opinionDone: 'saved' as const };
		} catch (err) {
			return opinionFailure(err, { editing: id, body });
		}
	},
	opinionDelete: async ({ locals, url, request }: RequestEvent<{ id: string }>) => {
		const user = requireUser(locals, url);
		const form = await request.formData();
		const id = String(form.get('id') ?? '');
		const db = await getDb();
		if (await hiddenMeeting(db, user, await meetingOfOpinion(db, id))) return fail(404, { opinionError: 'opinion.notFound' as const, params: {} });
		try {
			await deleteOpinion(db, user, id);
			return { opinionDone: 'deleted' as const };
		} catch (err) {
			return opinionFailure(err, {});
		}
	},
	confirm: async ({ params, locals, url, request }: RequestEvent<{ id: string }>) => {
		const user = requireUser(locals, url);
		const form = await request.formData();
		const status = String(form.get('status') ?? '');
		const reason = String(form.get('reason') ?? '');
		const db = await getDb();
		if (await hiddenMeeting(db, user, params.id)) return fail(404, { confirmationError: 'confirmation.notFound' as const, params: {}, reason });
		try {
			await answer(db, user, params.id, { status, reason });
			return { confirmationDone: status };
		} catch (err) {
			if (err instanceof ConfirmationError) {
				return fail(err.key === 'confirmation.notFound' ? 404 : err.key === 'confirmation.notAllowed' ? 403 : 400, { confirmationError: err.key, params: err.params, reason });
			}
			throw err;
		}
	}
};
