import { and, asc, eq, gte, inArray, isNull } from 'drizzle-orm';
import * as Y from 'yjs';
import { addAgendaItem, agendaDocName, readAgenda } from '../docs/agenda';
import { boardDocName, needsMap, proposalsMap, readProposals, resourcesMap, type ProposalView } from '../docs/board';
import { canManageMeetings } from '../domain/roles';
import { recordAudit } from './audit';
import { roleOf } from './committee';
import type { Db, DbOrTx } from './db';
import { meetings, proposals } from './db/schema';
import { editDocument, readDocument } from './liveEdit';

export class ProposalError extends Error {
	constructor(readonly key: 'proposal.notFound' | 'proposal.notAllowed' | 'proposal.noUpcomingMeeting' | 'proposal.alreadyScheduled' | 'proposal.closed') {
		super(key);
		this.name = 'ProposalError';
	}
}

/** Writes the table row of a proposal as the board shows it (idempotent). */
export async function upsertProposalRow(db: DbOrTx, board: { committeeId: string; year: number }, p: ProposalView, now = new Date()): Promise<void> {
	const values = {
		committeeId: board.committeeId,
		year: board.year,
		title: p.title.slice(0, 200),
		needIds: p.needIds,
		resourceIds: p.resourceIds,
		unitIds: p.unitIds,
		level: p.level,
		dueDate: p.dueDate,
		status: p.status,
		meetingId: /^[0-9a-f-]{36}$/i.test(p.meetingId) ? p.meetingId : null,
		deletedAt: null,
		updatedAt: now
	};
	await db.insert(proposals).values({ id: p.id, ...values }).onConflictDoUpdate({ target: proposals.id, set: values });
}

/** The next meeting of a committee that has not yet been held (or is being held). */
export async function nextMeeting(db: DbOrTx, committeeId: string, now = new Date()) {
	const [row] = await db
		.select({ id: meetings.id, title: meetings.title, startsAt: meetings.startsAt })
		.from(meetings)
		.where(and(eq(meetings.committeeId, committeeId), inArray(meetings.state, ['scheduled', 'in_progress']), gte(meetings.startsAt, new Date(now.getTime() - 12 * 3600_000))))
		.orderBy(asc(meetings.startsAt))
		.limit(1);
	return row ?? null;
}

/**
 * Puts a proposal on the committee's next meeting's agenda in one action: an agenda item
 * linked to the proposal, and the proposal marked "on the agenda" of that meeting.
 */
export async function putProposalOnAgenda(
	db: Db,
	input: { committeeId: string; year: number; proposalId: string; actor: { id: string; isAdmin: boolean } }
): Promise<{ meetingId: string; agendaItemId: string }> {
	const role = await roleOf(db, input.actor.id, input.committeeId);
	if (!canManageMeetings(role, input.actor.isAdmin)) throw new ProposalError('proposal.notAllowed');
	const boardName = boardDocName(input.committeeId, input.year);
	const proposal = await readDocument(db, boardName, (doc) => readProposals(doc).find((p) => p.id === input.proposalId) ?? null);
	if (!proposal) throw new ProposalError('proposal.notFound');
	if (proposal.status === 'approved' || proposal.status === 'withdrawn') throw new ProposalError('proposal.closed');
	if (proposal.status === 'on_agenda' && proposal.meetingId) throw new ProposalError('proposal.alreadyScheduled');
	const meeting = await nextMeeting(db, input.committeeId);
	if (!meeting) throw new ProposalError('proposal.noUpcomingMeeting');

	let agendaItemId = '';
	await editDocument(db, agendaDocName(meeting.id), (doc) => {
		// Idempotent: a retried action finds the item it added before.
		agendaItemId = readAgenda(doc).find((i) => i.proposalId === proposal.id)?.id ?? addAgendaItem(doc, { title: proposal.title, proposalId: proposal.id, durationMinutes: 10 });
	});
	await editDocument(db, boardName, (doc) => {
		const card = proposalsMap(doc).get(proposal.id);
		if (!(card instanceof Y.Map)) return;
		card.set('status', 'on_agenda');
		card.set('meetingId', meeting.id);
	});
	await upsertProposalRow(db, { committeeId: input.committeeId, year: input.year }, { ...proposal, status: 'on_agenda', meetingId: meeting.id });
	await recordAudit(db, { actorId: input.actor.id, action: 'proposal.scheduled', subject: `proposal/${proposal.id}`, details: { meetingId: meeting.id } });
	return { meetingId: meeting.id, agendaItemId };
}

export async function proposalRows(db: DbOrTx, committeeId: string, ids: string[]) {
	if (ids.length === 0) return [];
	return db.select().from(proposals).where(and(eq(proposals.committeeId, committeeId), inArray(proposals.id, ids), isNull(proposals.deletedAt)));
}

/**
 * After a finalization approved proposals: the proposal is approved and linked to its item,
 * its needs are "in a project" and its resources "committed". These statuses are card fields
 * of the board document, so they are written there (as one server-side change per board).
 */
export async function markProposalsApproved(db: Db, committeeId: string, approved: { proposalId: string; year: number; projectItemId: string; needIds: string[]; resourceIds: string[] }[]): Promise<void> {
	const byYear = new Map<number, typeof approved>();
	for (const a of approved) byYear.set(a.year, [...(byYear.get(a.year) ?? []), a]);
	for (const [year, list] of byYear) {
		await editDocument(db, boardDocName(committeeId, year), (doc) => {
			for (const a of list) {
				const card = proposalsMap(doc).get(a.proposalId);
				if (card instanceof Y.Map) {
					card.set('status', 'approved');
					card.set('projectItemId', a.projectItemId);
				}
				for (const id of a.needIds) {
					const need = needsMap(doc).get(id);
					if (need instanceof Y.Map) need.set('status', 'in_project');
				}
				for (const id of a.resourceIds) {
					const resource = resourcesMap(doc).get(id);
					if (resource instanceof Y.Map) resource.set('status', 'committed');
				}
			}
		});
		for (const a of list) {
			await db.update(proposals).set({ status: 'approved', updatedAt: new Date() }).where(eq(proposals.id, a.proposalId));
		}
	}
}

/** Proposals a decision in this committee's minutes may approve: open ones, newest board first. */
export async function proposalsForLinking(db: DbOrTx, committeeId: string) {
	const rows = await db
		.select({ id: proposals.id, title: proposals.title, unitIds: proposals.unitIds, dueDate: proposals.dueDate, status: proposals.status, year: proposals.year })
		.from(proposals)
		.where(and(eq(proposals.committeeId, committeeId), isNull(proposals.deletedAt), inArray(proposals.status, ['proposed', 'on_agenda', 'approved'])))
		.orderBy(asc(proposals.year), asc(proposals.title));
	return rows.reverse();
}
